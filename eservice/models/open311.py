"""Keys of the partner systems that use the Open311 GeoReport v2 API (issue 13)."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, UTCDateTime, utcnow
from .reference import Channel


class ApiKey(Model):
    """One partner's key. The key itself is shown once when made; only its SHA-256 is kept (it has 240
    random bits, so a fast hash is enough, as for receipt keys)."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # The first characters of the key, shown to administrators to tell keys apart; not enough to use it.
    prefix: Mapped[str] = mapped_column(String(12))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Cases filed through the key are filed under this intake channel (e.g. "referral").
    channel_code: Mapped[str] = mapped_column(ForeignKey("channel.code"))
    # Read-only keys only read; read-write keys also file requests.
    can_write: Mapped[bool] = mapped_column(Boolean, default=False)
    # Flask-Limiter's notation, e.g. "60 per minute;1000 per day".
    rate_limit: Mapped[str] = mapped_column(String(100), default="60 per minute")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    channel: Mapped[Channel] = relationship()

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
