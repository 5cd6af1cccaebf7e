"""A real SMTP server on loopback (aiosmtpd) for the notification tests, and helpers around it.

The server can be stopped and started again on the same port, made slow, made to refuse a recipient
for good (550) or for now (451), and it keeps every message it accepted.
"""

import asyncio
import socket
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        return body.get_content() if body is not None else ""

    @property
    def text(self) -> str:
        return self.part("plain")

    @property
    def html(self) -> str:
        return self.part("html")

    @property
    def everything(self) -> str:
        """Headers and both bodies, decoded: for "this must appear nowhere" assertions."""
        headers = "\n".join(f"{k}: {v}" for k, v in self.message.items())
        return f"{headers}\n{self.text}\n{self.html}"


class Handler:
    def __init__(self):
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.refuse: set[str] = set()  # 550 at RCPT
        self.defer_data = 0  # answer 451 to this many DATA commands first
        self.slow_mail_seconds = 0.0  # sleep before answering MAIL FROM
        self.data_delay_seconds = 0.0  # sleep before accepting a message
        self.seen_message_ids: list[str] = []  # every DATA, accepted or not

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.slow_mail_seconds:
            await asyncio.sleep(self.slow_mail_seconds)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self.lock:
            self.seen_message_ids.append(message["Message-ID"])
            if self.defer_data > 0:
                self.defer_data -= 1
                return "451 4.3.0 Try again later"
        if self.data_delay_seconds:
            await asyncio.sleep(self.data_delay_seconds)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 2.0.0 Accepted"


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.handler = Handler()
        self.controller: Controller | None = None

    def start(self) -> "SmtpServer":
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def to(self, address: str) -> list[Received]:
        return [m for m in self.received if address in m.rcpt_tos]

    def wait_for(self, count: int, timeout: float = 15.0) -> list[Received]:
        """Wait until ``count`` messages have arrived (for the threaded worker test)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.received) >= count:
                break
            time.sleep(0.05)
        return self.received


def mail_config(port: int, **extra) -> dict:
    config = {
        "MAIL_SUPPRESS_SEND": False,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_TIMEOUT": 5,
        "MAIL_DEFAULT_SENDER": "e-service@borplathong.go.th",
        "PUBLIC_BASE_URL": "https://eservice.borplathong.go.th",
    }
    config.update(extra)
    return config


# --- the outbox, read back and delivered ---------------------------------------------------------------


def outbox(app, **where):
    """Outbox rows as dicts, oldest first; filter by column values."""
    from sqlalchemy import select

    from eservice.extensions import db
    from eservice.models.outbox import OutboxMessage

    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        out = [{c.name: getattr(r, c.name) for c in OutboxMessage.__table__.columns} for r in rows]
        db.session.rollback()
    return [r for r in out if all(r[k] == v for k, v in where.items())]


def deliver(app, now=None, worker=None):
    from eservice.notifications.delivery import drain

    with app.app_context():
        return drain(now=now, worker=worker)

