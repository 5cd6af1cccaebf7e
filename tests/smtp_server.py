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


def running_smtp_server():
    """Body of each test module's ``smtp`` fixture: a started server, stopped afterwards."""
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


# --- cases and the outbox, straight through the domain -----------------------------------------------

DESCRIPTION = "ถนนหน้าบ้านเลขที่ 12 เป็นหลุมลึก SECRET-CONTENT-1234"


def new_case(app, *, case_type="complaint", category="road", email="somchai@example.com", first_name="สมชาย",
             last_name="ใจดี", phone="0812345678", anonymous=False, locale="th", description=DESCRIPTION,
             subject_division=None, actor_id=None, now=None):
    """File a case through eservice.domain.filing; returns (case id, tracking code, receipt key)."""
    from sqlalchemy import select

    from eservice.database import begin_write
    from eservice.domain.audit import By
    from eservice.domain.filing import Intake, file_case
    from eservice.extensions import db
    from eservice.models import Category, Division, User

    with app.app_context():
        begin_write(db.session)
        intake = Intake(
            case_type=case_type,
            description=description,
            category=db.session.scalar(select(Category).where(Category.code == category)) if category else None,
            anonymous=anonymous,
            first_name=first_name,
            last_name=last_name,
            phone=phone,
            email=email,
            locale=locale,
            subject_division=(db.session.scalar(select(Division).where(Division.code == subject_division))
                              if subject_division else None),
        )
        actor = db.session.get(User, actor_id) if actor_id else None
        filed = file_case(db.session, intake, by=By(actor) if actor else None, now=now)
        db.session.commit()
        return filed.case.id, filed.case.tracking_code, filed.receipt_key


def act(app, case_id, action, *, actor_id=None, note="", public=True, change=None, now=None):
    """A workflow transition, or (for actions that are not transitions) a recorded event, committed.
    ``change(session, case)`` runs first, e.g. to set the assignee or the division."""
    from eservice.database import begin_write
    from eservice.domain import actions, workflow
    from eservice.extensions import db
    from eservice.models import Case, User

    with app.app_context():
        begin_write(db.session)
        case = db.session.get(Case, case_id)
        actor = db.session.get(User, actor_id) if actor_id else None
        if change is not None:
            change(db.session, case)
        if actions.get(action) is not None and actions.get(action).changes_status:
            workflow.transition(db.session, case, action, actor=actor, note=note, public=public, now=now)
        else:
            workflow.record_event(case, action, actor=actor, actor_kind=None if actor else "citizen", note=note,
                                  public=public, now=now)
        db.session.commit()


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


def set_user(app, user_id, **values):
    from eservice.extensions import db
    from eservice.models import User

    with app.app_context():
        user = db.session.get(User, user_id)
        for key, value in values.items():
            setattr(user, key, value)
        db.session.commit()
