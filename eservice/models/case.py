"""Cases, their events, attachments, reporters and ratings."""

from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship, validates

from ..domain.statuses import INITIAL
from .base import Model, UTCDateTime, utcnow
from .reference import Category, Channel, Division, Village

if TYPE_CHECKING:
    from .open311 import ApiKey

BANGKOK = ZoneInfo("Asia/Bangkok")


def bangkok_month_number(moment: datetime) -> int:
    """202410 for any time in October 2024, Bangkok time."""
    local = moment.astimezone(BANGKOK)
    return local.year * 100 + local.month


class TrackingSequence(Model):
    """The last tracking number handed out in a fiscal year (B.E.) and series; one row per year and series,
    never reused. The series is "" for the general one and "T" for corruption and gift reports
    (eservice.domain.tracking)."""

    __tablename__ = "tracking_sequence"

    fiscal_year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    series: Mapped[str] = mapped_column(String(1), primary_key=True, default="", server_default="")
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Case(Model):
    __tablename__ = "case"
    __table_args__ = (
        # Numbers are unique per fiscal year and series; the series is the confidential flag's (integrity reports
        # number on their own, eservice.domain.tracking).
        UniqueConstraint("fiscal_year", "confidential", "number", name="uq_case_series_number"),
        Index("ix_case_division_status", "division_id", "status"),
        # The staff queue (eservice.domain.policy.visible_cases_clause): its WHERE and per-status counts
        # read only this index; and the extra reports merged into a case (issue 3).
        Index("ix_case_visibility", "confidential", "division_id", "status"),
        Index("ix_case_duplicate_of", "duplicate_of_id"),
        Index("ix_case_fy_channel_type", "fiscal_year", "channel_code", "case_type"),
        # Statistics (eservice.domain.stats): each of its GROUP BY queries reads one of these covering
        # indexes in order, filtered on the fiscal year, so SQLite aggregates a million cases without
        # sorting or reading the table.
        Index("ix_case_stats_dimensions", "fiscal_year", "channel_code", "case_type", "division_id", "category_id",
              "status", "resolved_on_time", "received_month"),
        # The case type last in these two: the figures without corruption and gift reports filter on it.
        Index("ix_case_stats_villages", "fiscal_year", "village_id", "status", "resolved_on_time", "received_month",
              "case_type"),
        Index("ix_case_stats_months", "fiscal_year", "received_month", "channel_code", "case_type", "status",
              "resolved_on_time"),
        Index("ix_case_stats_clock", "fiscal_year", "ack_working_days", "resolve_working_days",
              "acknowledged_on_time", "reopen_count", "rating_score", "received_month", "case_type"),
        Index("ix_case_stats_open", "fiscal_year", "status", "resolve_due", "ack_due", "received_month",
              "channel_code", "case_type", "division_id", "category_id", "village_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(30), unique=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)  # B.E.
    number: Mapped[int] = mapped_column(Integer)
    receipt_key_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 hex; the key itself is never stored
    # Hash of the form's one-time submission token: a resubmitted form finds its case instead of a twin.
    submission_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    case_type: Mapped[str] = mapped_column(String(20), index=True)
    channel_code: Mapped[str] = mapped_column(ForeignKey("channel.code"), default="web")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    division_id: Mapped[int] = mapped_column(ForeignKey("division.id"))
    subject_division_id: Mapped[int | None] = mapped_column(ForeignKey("division.id"))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"))

    description: Mapped[str] = mapped_column(Text)
    address_string: Mapped[str] = mapped_column(String(500), default="")
    lat: Mapped[float | None]
    long: Mapped[float | None]

    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str] = mapped_column(String(5), default="th")

    status: Mapped[str] = mapped_column(String(20), default=INITIAL.value, index=True)
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    # Optimistic locking: a change made from a stale page is refused, not silently overwritten.
    version: Mapped[int] = mapped_column(Integer, default=1)

    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The Bangkok year and month of received_at as YYYYMM (202410 = October 2024), kept in step with it:
    # statistics group and filter by month on a plain integer.
    received_month: Mapped[int] = mapped_column(Integer, default=lambda ctx: bangkok_month_number(
        ctx.get_current_parameters().get("received_at") or utcnow()))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ack_due: Mapped[date] = mapped_column(Date)
    resolve_due: Mapped[date] = mapped_column(Date)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Working days the clock stood still while waiting for the citizen, already added to resolve_due.
    paused_days: Mapped[int] = mapped_column(Integer, default=0)
    paused_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    # Working-day figures written when the case is acknowledged / resolved (eservice.domain.durations),
    # so that statistics over a million cases are GROUP BY queries instead of a calendar walk per case.
    ack_working_days: Mapped[int | None] = mapped_column(Integer)
    resolve_working_days: Mapped[int | None] = mapped_column(Integer)  # paused days not counted
    acknowledged_on_time: Mapped[bool | None] = mapped_column(Boolean)
    resolved_on_time: Mapped[bool | None] = mapped_column(Boolean)
    # A copy of rating.score, so that satisfaction is counted with the other figures in one pass.
    rating_score: Mapped[int | None] = mapped_column(Integer)

    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Filed by a partner system through the Open311 API with this key (its own requests show it more).
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id"), index=True)
    # Open311 ``media_url``: a link the partner sent, shown to officers as a link; never fetched by us.
    media_url: Mapped[str] = mapped_column(String(2000), default="")
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))

    category: Mapped[Category | None] = relationship()
    division: Mapped[Division] = relationship(foreign_keys=[division_id])
    subject_division: Mapped[Division | None] = relationship(foreign_keys=[subject_division_id])
    village: Mapped[Village | None] = relationship()
    channel: Mapped[Channel] = relationship()
    reporter: Mapped["Reporter | None"] = relationship(
        back_populates="case", uselist=False, cascade="all, delete-orphan"
    )
    events: Mapped[list["CaseEvent"]] = relationship(
        back_populates="case", order_by="CaseEvent.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="case", order_by="Attachment.id", cascade="all, delete-orphan"
    )
    rating: Mapped["Rating | None"] = relationship(
        back_populates="case", uselist=False, cascade="all, delete-orphan"
    )
    duplicate_of: Mapped["Case | None"] = relationship(remote_side=[id])
    api_key: Mapped["ApiKey | None"] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @validates("received_at")
    def _keep_received_month(self, _key, value):
        if value is not None:
            self.received_month = bangkok_month_number(value)
        return value

    @validates("rating")
    def _keep_rating_score(self, _key, rating):
        self.rating_score = rating.score if rating is not None else None
        return rating

    @property
    def public_events(self) -> list["CaseEvent"]:
        return [e for e in self.events if e.public]


class Reporter(Model):
    """Who filed a case, when they chose to say. Kept apart from the case so it can be sealed."""

    __tablename__ = "reporter"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), unique=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    national_id: Mapped[str] = mapped_column(String(13), default="")
    # The LINE user who filed the case in chat (eservice.domain.line): how they hear back and what
    # "my cases" lists. Personal data like a name, sealed like one, and shown to nobody: staff see
    # only :attr:`via_line`. Kept even when the person gave no name (the case is then anonymous).
    line_user_id: Mapped[str] = mapped_column(String(64), default="", server_default="", index=True)

    case: Mapped[Case] = relationship(back_populates="reporter")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def via_line(self) -> bool:
        return bool(self.line_user_id)


class CaseEvent(Model):
    """Everything that happens to a case. Public events form the citizen's timeline."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who: a staff user, or the citizen / system when actor_id is empty (see actor_kind).
    actor_kind: Mapped[str] = mapped_column(String(10), default="citizen")  # citizen | staff | system
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    status_from: Mapped[str | None] = mapped_column(String(20))
    status_to: Mapped[str | None] = mapped_column(String(20))
    data: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="events")
    attachments: Mapped[list["Attachment"]] = relationship(back_populates="event", order_by="Attachment.id")


class Attachment(Model):
    """A photo or PDF. Stored in the database so a case and its files commit or roll back together,
    and so that several application servers share them without a shared disk."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_event.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    public: Mapped[bool] = mapped_column(Boolean, default=True)  # visible to the citizen who holds the key
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="attachments")
    event: Mapped[CaseEvent | None] = relationship(back_populates="attachments")


class Rating(Model):
    """The citizen's rating of a resolved case."""

    __tablename__ = "rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), unique=True)
    score: Mapped[int] = mapped_column(Integer)  # 1-5
    resolved: Mapped[str] = mapped_column(String(10))  # yes | partly | no
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="rating")
