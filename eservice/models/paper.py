"""Totals from paper records: how many cases of a type came through a channel in a fiscal year before the
e-Service went into use (``Organisation.in_use_since``). Entered by administrators; the statistics count
them for those years and mark them as from paper records (:mod:`eservice.domain.paper_totals`)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model, UTCDateTime, utcnow


class PaperTotal(Model):
    """Cases of ``case_type`` received through ``channel_code`` in ``fiscal_year`` (B.E.), as counted on
    paper. A fiscal year that contains the go-live date holds the days before it only."""

    __tablename__ = "paper_total"
    __table_args__ = (
        UniqueConstraint("fiscal_year", "case_type", "channel_code", name="uq_paper_total_year_type_channel"),
        CheckConstraint("cases >= 0", name="ck_paper_total_cases"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)
    case_type: Mapped[str] = mapped_column(String(20))
    channel_code: Mapped[str] = mapped_column(String(40))
    cases: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
