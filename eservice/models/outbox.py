"""The transactional outbox: every mail is a row written in the transaction of the change that causes it.

A worker (``flask --app eservice worker`` / ``send-mail --once``) claims due rows, renders them once,
sends them through Flask-Mail and marks them sent; see :mod:`eservice.notifications.delivery`.
:class:`SlaNotice` and :class:`DigestMark` make reminders, escalations and digests happen once.
"""

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, UTCDateTime, utcnow
from .case import Case, CaseEvent
from .user import User

# pending: waiting for (another) try · sending: claimed by a worker · sent · failed: gave up (admin may retry)
OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")


def _new_token() -> str:
    return uuid.uuid4().hex


class OutboxMessage(Model):
    __tablename__ = "outbox_message"
    __table_args__ = (
        # The worker's query: due rows in order.
        Index("ix_outbox_status_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Template under templates/email/<kind>.txt|.html (see eservice.domain.notify.KINDS).
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default="pending")

    recipient: Mapped[str] = mapped_column(String(254))
    recipient_name: Mapped[str] = mapped_column(String(200), default="")
    # citizen | staff: a citizen's address is personal data and is masked on the admin page.
    audience: Mapped[str] = mapped_column(String(10), default="staff")
    locale: Mapped[str] = mapped_column(String(5), default="th")

    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_event.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # What the template needs beyond the case and the event (thresholds, digest snapshot).
    data: Mapped[dict | None] = mapped_column(JSON)

    # Random part of the Message-ID, fixed when the row is made so that every retry carries the same one.
    token: Mapped[str] = mapped_column(String(32), unique=True, default=_new_token)
    # Rendered on the first try and kept, so that a retry sends the very same mail.
    subject: Mapped[str] = mapped_column(Text, default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")

    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case | None] = relationship()
    event: Mapped[CaseEvent | None] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def sealed(self) -> bool:
        """A mail about a corruption or gift report: who it went to is as sealed as the report."""
        return bool(self.case is not None and self.case.confidential and self.audience == "citizen")


# Reminder one working day before the due date; escalation to the heads once it has passed.
SLA_THRESHOLDS = ("ack_reminder", "ack_overdue", "resolve_reminder", "resolve_overdue")


class SlaNotice(Model):
    """A reminder or escalation already sent: once per case, threshold and due date.

    The due date is part of the key: a case whose due date moves (the clock paused, or a reopening)
    is reminded again about the new date, never twice about the same one.
    """

    __tablename__ = "sla_notice"
    __table_args__ = (UniqueConstraint("case_id", "threshold", "due_on", name="uq_sla_notice_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    threshold: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DigestMark(Model):
    """A daily digest already queued for a head on a (Bangkok) day."""

    __tablename__ = "digest_mark"
    __table_args__ = (UniqueConstraint("user_id", "day", name="uq_digest_mark_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
