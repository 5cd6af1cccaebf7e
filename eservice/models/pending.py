"""Attachments kept with a filing form between a refused send and the next one."""

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from .base import Model, UTCDateTime, utcnow


class PendingUpload(Model):
    """A photo or PDF that passed its checks on a form that was refused for another reason (a missing
    field, the rate limit). Tied to the form's one-time submission token (stored as its hash), so only
    the browser holding that form can use or remove it; taken by the filing, or removed after an hour."""

    __tablename__ = "pending_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
