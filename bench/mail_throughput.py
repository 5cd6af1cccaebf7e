"""How many queued mails a worker delivers per second to a local SMTP server.

    python bench/mail_throughput.py                       # 1000 mails, SQLite in a temporary folder
    python bench/mail_throughput.py --mails 5000 --workers 4 \
        --database postgresql://postgres@127.0.0.1:5432/bench   # several workers: PostgreSQL only

Files cases through the domain (half of them with a citizen's address, so each brings a receipt and a
"new case" mail to an officer), then times the outbox worker rendering and sending them all through
Flask-Mail to aiosmtpd on loopback. The PostgreSQL database given is emptied first.

By default the SMTP server runs in its own process (aiosmtpd's Sink handler), so that it does not share
the worker's interpreter; ``--same-process`` runs the tests' collecting server instead and also checks
that every mail arrived once (distinct Message-IDs), at the price of a slower figure.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.smtp_server import SmtpServer, free_port, mail_config  # noqa: E402


class SinkServer:
    """aiosmtpd in a child process, accepting and discarding every mail."""

    def __init__(self):
        self.port = free_port()
        self.process = None
        self.received = None  # not counted out of process

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{self.port}"]
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise SystemExit("the SMTP server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=1000, help="mails to queue (default 1000)")
    parser.add_argument("--workers", type=int, default=1, help="workers at once (more than one: PostgreSQL)")
    parser.add_argument("--batch", type=int, default=50, help="OUTBOX_BATCH_SIZE")
    parser.add_argument("--database", default="", help="a PostgreSQL URL (emptied!); default a fresh SQLite file")
    parser.add_argument("--same-process", action="store_true", help="SMTP server in this process, counting mails")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from eservice import create_app, normalise_database_url
    from eservice.domain.accounts import create_user
    from eservice.extensions import db
    from eservice.models import Division
    from eservice.models.outbox import OutboxMessage
    from eservice.notifications.delivery import drain
    from tests.conftest import reset_database
    from tests.factories import citizen_case

    if args.workers > 1 and not args.database.startswith(("postgres://", "postgresql")):
        parser.error("several workers need PostgreSQL (--database postgresql://...)")
    folder = tempfile.mkdtemp(prefix="mail-bench-")
    url = normalise_database_url(args.database) if args.database else f"sqlite:///{folder}/bench.db"
    smtp = (SmtpServer() if args.same_process else SinkServer()).start()
    try:
        app = create_app({
            "TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
            **mail_config(smtp.port, OUTBOX_BATCH_SIZE=args.batch),
        })
        reset_database(app)
        with app.app_context():
            engineering = db.session.scalar(select(Division).where(Division.code == "engineering"))
            create_user(db.session, "bench-officer", "correct horse battery", roles=("officer",),
                        divisions=[engineering], email="officer@borplathong.go.th")
            db.session.commit()
        print(f"Queueing {args.mails} mails ({'PostgreSQL' if args.database else 'SQLite'})…", flush=True)
        for n in range(args.mails // 2):
            citizen_case(app, email=f"citizen{n}@example.com")
        with app.app_context():
            queued = db.session.scalar(select(func.count()).select_from(OutboxMessage))

        results = []

        def work(name):
            with app.app_context():
                results.append(drain(worker=name))

        threads = [threading.Thread(target=work, args=(f"bench-{n}",)) for n in range(args.workers)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        sent = sum(r.sent for r in results)
        line = f"queued {queued}, sent {sent}"
        if args.same_process:
            received = smtp.received
            line += f", received {len(received)} ({len({m.message_id for m in received})} distinct Message-IDs)"
        print(line)
        where = "server in this process" if args.same_process else "server in its own process"
        print(f"{args.workers} worker(s), batch {args.batch}, {where}: {elapsed:.2f} s, "
              f"{sent / elapsed:.0f} mails per second")
    finally:
        smtp.stop()


if __name__ == "__main__":
    main()
