"""Canned replies: a division's ready-made texts for public replies, with variables filled in per case
(see :mod:`eservice.domain.canned_replies`). Heads of the division and administrators edit them."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, UTCDateTime, utcnow
from .reference import Division


class CannedReply(Model):
    __tablename__ = "canned_reply"
    __table_args__ = (UniqueConstraint("division_id", "title", name="uq_canned_reply_division_title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    division_id: Mapped[int] = mapped_column(ForeignKey("division.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    # May contain {code}, {category} and {due_date}; filled in the citizen's language when used.
    body: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    division: Mapped[Division] = relationship()
