"""The LINE Official Account: events as they came, one conversation per LINE user, and its draft photos.

A LINE user id is personal data. It is kept on :class:`LineChat` (to answer the person) and on the
case's :class:`~eservice.models.case.Reporter` (to tell them about their case); it is shown to no officer.
A processed :class:`LineEvent` keeps only its id and type, so the log holds no message text.
"""

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from .base import Model, UTCDateTime, utcnow

# pending: waiting for (another) try · processing: claimed by a worker · done · failed: gave up
LINE_EVENT_STATUSES = ("pending", "processing", "done", "failed")


class LineEvent(Model):
    """One webhook event, stored before the webhook answers and processed afterwards."""

    __tablename__ = "line_event"
    __table_args__ = (
        Index("ix_line_event_status_due", "status", "next_attempt_at"),
        Index("ix_line_event_user_status", "line_user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # LINE's id of the event (a ULID); the same on a redelivery, so a redelivered event is stored once.
    webhook_event_id: Mapped[str] = mapped_column(String(64), unique=True)
    event_type: Mapped[str] = mapped_column(String(30))
    line_user_id: Mapped[str | None] = mapped_column(String(64))
    redelivery: Mapped[bool] = mapped_column(Boolean, default=False)
    # The event's JSON as LINE sent it; cut down to its type once processed.
    payload: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LineChat(Model):
    """The conversation with one LINE user: their language, where they are, and an unfinished report."""

    __tablename__ = "line_chat"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_user_id: Mapped[str] = mapped_column(String(64), unique=True)
    locale: Mapped[str] = mapped_column(String(5), default="th")
    # False once they blocked the account (unfollow); True again when they add it back.
    followed: Mapped[bool] = mapped_column(Boolean, default=True)
    # The step the conversation is at (eservice.domain.line.chat.Step); "idle" between reports.
    step: Mapped[str] = mapped_column(String(30), default="idle")
    # What the unfinished report holds so far (type, category, description, location, contact...).
    draft: Mapped[dict | None] = mapped_column(JSON)
    # Last time the person did something: an unfinished report expires LINE_DRAFT_MINUTES after it.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    photos: Mapped[list["LineDraftPhoto"]] = relationship(
        back_populates="chat", order_by="LineDraftPhoto.id", cascade="all, delete-orphan"
    )


class LineDraftPhoto(Model):
    """A photo sent for an unfinished report, already checked and cleaned like a web upload."""

    __tablename__ = "line_draft_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("line_chat.id", ondelete="CASCADE"), index=True)
    # LINE's message id: an unsent (unsend) photo is taken out of the draft.
    message_id: Mapped[str] = mapped_column(String(64), default="")
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    chat: Mapped[LineChat] = relationship(back_populates="photos")


class LineChannelState(Model):
    """One row: when LINE last called the webhook without new events (the console's "Verify", a
    redelivery). Calls with events are seen from the events themselves, so that busy webhooks do not
    all queue on this one row."""

    __tablename__ = "line_channel_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_webhook_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
