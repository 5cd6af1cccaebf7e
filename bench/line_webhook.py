"""LINE: how fast the webhook answers under 8 concurrent senders, and how many pushes a worker delivers.

    python bench/line_webhook.py                          # 8 senders x 200 events, 1000 pushes, SQLite
    python bench/line_webhook.py --senders 8 --events 500 --pushes 5000 \\
        --database postgresql://postgres@127.0.0.1:5432/bench   # PostgreSQL (emptied first!)

1. The application runs under gunicorn (2 processes x 4 threads, the way it is deployed) on loopback,
   configured for LINE through the environment (``FLASK_LINE_…``). Eight sender threads post signed
   webhook bodies (one text event each, as LINE does for a person typing) over keep-alive connections;
   the time from sending a request to its full answer is the figure LINE cares about (it gives up after a
   few seconds). Processing is left to the worker, as in production when the web process is busy.
2. The worker then processes the stored events (the conversation and its answers), and finally sends
   ``--pushes`` pushes queued for 200 people to the fake LINE platform, which runs in its own process and
   answers as LINE does; pushes per second is what the worker sustains.
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.line_support import SECRET, TOKEN, sign, user_id  # noqa: E402


def start(command: list[str], env: dict, ready: str, timeout: float = 60) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if ready in line:
            threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()  # drain
            return process, line
        if process.poll() is not None:
            raise SystemExit(f"{command[0]} stopped: {line}")
    raise SystemExit(f"{command} did not start")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--events", type=int, default=200, help="webhook requests per sender")
    parser.add_argument("--pushes", type=int, default=1000)
    parser.add_argument("--database", default="", help="a PostgreSQL URL (emptied!); default a fresh SQLite file")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from eservice import create_app, normalise_database_url
    from eservice.extensions import db
    from eservice.line import processing
    from eservice.line.background import run_round
    from eservice.line.delivery import drain
    from eservice.models.line import LineEvent
    from tests.conftest import reset_database

    folder = tempfile.mkdtemp(prefix="line-bench-")
    url = normalise_database_url(args.database) if args.database else f"sqlite:///{folder}/bench.db"
    platform, line = start([sys.executable, "-m", "tests.line_platform", TOKEN], dict(os.environ), "listening on")
    platform_url = f"http://127.0.0.1:{line.split()[-1]}"
    line_config = {
        "LINE_CHANNEL_SECRET": SECRET, "LINE_CHANNEL_ACCESS_TOKEN": TOKEN, "LINE_API_BASE_URL": platform_url,
        "LINE_DATA_API_BASE_URL": platform_url, "LINE_PROCESS_IN_WEB": False,
    }
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "RATELIMIT_ENABLED": False, **line_config})
    reset_database(app)
    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench",  # noqa: S106
               FLASK_RATELIMIT_ENABLED="false",
               **{f"FLASK_{key}": json.dumps(value) if isinstance(value, bool) else value
                  for key, value in line_config.items()})
    # --preload: the application (and linebot, imported at start-up where LINE is set up) is loaded once,
    # before the workers fork, so that no request waits for a worker still starting.
    server, _ = start([sys.executable, "-m", "gunicorn", "--preload", "--workers", "2", "--threads", "4",
                       "--bind", f"127.0.0.1:{port}", "eservice:create_app()"], env, "Booting worker")
    try:
        time.sleep(2)
        latencies: list[float] = []
        errors: list[int] = []
        lock = threading.Lock()

        def sender(number: int) -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine, bad = [], []
            for n in range(args.events):
                event = {"type": "message", "mode": "active", "timestamp": int(time.time() * 1000),
                         "webhookEventId": f"01BENCH{number:03d}{n:08d}", "deliveryContext": {"isRedelivery": False},
                         "source": {"type": "user", "userId": user_id(1000 + number * 10 + n % 10)},
                         "replyToken": f"r{number}x{n}",
                         "message": {"type": "text", "id": f"{number}{n}", "quoteToken": "q", "text": "ถนนชำรุด"}}
                body = json.dumps({"destination": "Ubot", "events": [event]}).encode()
                started = time.perf_counter()
                connection.request("POST", "/line/webhook", body=body,
                                   headers={"Content-Type": "application/json", "x-line-signature": sign(body)})
                response = connection.getresponse()
                response.read()
                mine.append(time.perf_counter() - started)
                if response.status != 200:
                    bad.append(response.status)
            connection.close()
            with lock:
                latencies.extend(mine)
                errors.extend(bad)

        threads = [threading.Thread(target=sender, args=(n,)) for n in range(args.senders)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - began
        with app.app_context():
            stored = db.session.scalar(select(func.count()).select_from(LineEvent))
        total = args.senders * args.events
        print(f"webhook: {total} signed requests from {args.senders} concurrent senders in {wall:.1f} s "
              f"({total / wall:.0f}/s), {len(errors)} errors, {stored} events stored "
              f"({'PostgreSQL' if args.database else 'SQLite'})")
        print(f"webhook answer time: p50 {percentile(latencies, 50) * 1000:.1f} ms, "
              f"p99 {percentile(latencies, 99) * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms, "
              f"mean {statistics.mean(latencies) * 1000:.1f} ms")

        with app.app_context():
            began = time.perf_counter()
            result = run_round()
            elapsed = time.perf_counter() - began
            print(f"worker: {result.processed.done} events processed and {result.delivered.sent} answers sent in "
                  f"{elapsed:.1f} s ({result.processed.done / elapsed:.0f} events/s)")

            from datetime import UTC, datetime

            from eservice.database import begin_write

            begin_write(db.session)
            now = datetime.now(UTC)
            for n in range(args.pushes):
                processing.queue_messages(db.session, user_id(5000 + n % 200),
                                          [{"type": "text", "text": f"เรื่อง BPT-2570-{n:05d} ดำเนินการแล้ว"}],
                                          locale="th", now=now)
            db.session.commit()
            began = time.perf_counter()
            delivered = drain()
            elapsed = time.perf_counter() - began
            print(f"pushes: {delivered.sent} of {args.pushes} delivered in {elapsed:.1f} s, "
                  f"{delivered.sent / elapsed:.0f} pushes per second (one worker, fake LINE in its own process)")
    finally:
        server.terminate()
        server.wait(timeout=20)
        platform.terminate()
        platform.wait(timeout=10)


if __name__ == "__main__":
    main()
