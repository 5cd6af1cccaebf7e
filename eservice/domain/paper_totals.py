"""Totals from paper records (issue 10): how many cases of each type came through each channel in a
fiscal year before the e-Service went into use.

Kept per fiscal year, case type and channel (the grain the municipality's yearly reports count by; the
FY2568 report names channels and years, never months). A fiscal year may hold a paper total only if it
starts before the go-live date (``Organisation.in_use_since``); the total then stands for the days of the
year before go-live (:func:`eservice.domain.coverage.paper_span`). Years on or after go-live are refused:
their figures come from the cases. Without a go-live date nothing may be entered (it would be counted on
top of cases).

Confidential types (corruption, gift) may be entered like the others: the public statistics publish them
only as a fiscal year's total, under the same small-count rule as the cases
(:data:`eservice.domain.stats.PUBLIC_MIN_BREAKDOWN`), and never by channel.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Channel
from ..models.paper import PaperTotal
from . import audit
from .audit import By
from .case_types import CASE_TYPES
from .coverage import paper_counts_in, paper_span
from .errors import DomainError
from .fiscal import fiscal_year_of
from .organisation import in_use_since as go_live_date
from .thai import ascii_digits, format_date

MAX_RECEIVED = 1_000_000
MAX_NOTE = 500
YEARS_BACK = 10  # how many fiscal years before go-live the form offers


@dataclass(frozen=True)
class PaperInput:
    fiscal_year: int | None
    case_type: str
    channel_code: str
    cases: int | None
    note: str = ""


def parse_cases(text) -> int | None:
    """"1,234", "๑๒๓" or 12 as a whole number; None when it is not one."""
    if isinstance(text, int):
        return text
    value = ascii_digits(str(text or "")).strip().replace(",", "").replace(" ", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


def years_open(since: date | None) -> list[int]:
    """The fiscal years a paper total may be entered for, newest first: those that start before go-live."""
    if since is None:
        return []
    last = fiscal_year_of(since)
    if paper_span(last, since) is None:  # go-live on 1 October: that year is all e-Service
        last -= 1
    return list(range(last, last - YEARS_BACK, -1))


def check(session: Session, data: PaperInput, current: PaperTotal | None = None) -> PaperInput:
    """``data`` cleaned, or a :class:`DomainError` naming the field at fault."""
    since = go_live_date(session)
    if since is None:
        raise DomainError(_l("Enter the day the e-Service went into use in the settings first: totals from paper "
                             "records are only for the years before it."))
    if data.fiscal_year is None:
        raise DomainError(_l("Choose the fiscal year the paper records count."), field="fiscal_year")
    if paper_span(data.fiscal_year, since) is None:
        raise DomainError(
            _l("Fiscal year %(fy)d is after the e-Service went into use (%(date)s): its figures come from the "
               "cases. Totals from paper records are only for the years before it.",
               fy=data.fiscal_year, date=format_date(since)),
            field="fiscal_year")
    if data.fiscal_year < fiscal_year_of(since) - 50:
        raise DomainError(_l("Choose a fiscal year from the list."), field="fiscal_year")
    if data.case_type not in CASE_TYPES:
        raise DomainError(_l("Choose the type of case."), field="case_type")
    if session.scalar(select(Channel.id).where(Channel.code == data.channel_code)) is None:
        raise DomainError(_l("Choose the channel the cases came through."), field="channel_code")
    if data.cases is None or not 0 <= data.cases <= MAX_RECEIVED:
        raise DomainError(_l("Enter how many cases the paper records count: a whole number from 0 to 1,000,000."),
                          field="cases")
    note = (data.note or "").strip()
    if len(note) > MAX_NOTE:
        raise DomainError(_l("Keep it under %(max)d characters.", max=MAX_NOTE), field="note")
    clash = session.scalar(select(PaperTotal).where(
        PaperTotal.fiscal_year == data.fiscal_year, PaperTotal.case_type == data.case_type,
        PaperTotal.channel_code == data.channel_code))
    if clash is not None and clash is not current:
        raise DomainError(_l("A total for this fiscal year, type and channel exists already: change that one."),
                          field="channel_code")
    return PaperInput(data.fiscal_year, data.case_type, data.channel_code, data.cases, note)


def save(session: Session, data: PaperInput, current: PaperTotal | None = None, *, by: By) -> PaperTotal:
    """Add or change a paper total (checked first), with its audit entry."""
    clean = check(session, data, current)
    row = current or PaperTotal()
    values = {"fiscal_year": clean.fiscal_year, "case_type": clean.case_type,
              "channel_code": clean.channel_code, "cases": clean.cases, "note": clean.note}
    changes = {name: [getattr(row, name) if current else None, value] for name, value in values.items()
               if not current or getattr(row, name) != value}
    for name, value in values.items():
        setattr(row, name, value)
    if current is None:
        session.add(row)
    session.flush()
    if changes:
        audit.change(session, by, "admin.paper_total." + ("update" if current else "create"),
                     target_type="paper_total", target_id=row.id, details=changes)
    return row


def delete(session: Session, row: PaperTotal, *, by: By) -> None:
    details = {"fiscal_year": row.fiscal_year, "case_type": row.case_type, "channel_code": row.channel_code,
               "cases": row.cases}
    target = row.id
    session.delete(row)
    session.flush()
    audit.change(session, by, "admin.paper_total.delete", target_type="paper_total", target_id=target,
                 details=details)


def all_rows(session: Session) -> list[PaperTotal]:
    return list(session.scalars(select(PaperTotal).order_by(
        PaperTotal.fiscal_year.desc(), PaperTotal.case_type, PaperTotal.channel_code)))


def fiscal_years(session: Session) -> set[int]:
    return set(session.scalars(select(PaperTotal.fiscal_year).distinct()))


@dataclass
class Included:
    """The paper totals that count in a period: by (channel, type), and whether there were any rows (a
    row of 0 is a known nought, unlike a year without rows)."""

    by_channel_type: dict[tuple[str, str], int]
    any: bool

    @property
    def total(self) -> int:
        return sum(self.by_channel_type.values())

    def by_channel(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for (channel, _type), n in self.by_channel_type.items():
            out[channel] += n
        return dict(out)

    def by_type(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for (_channel, case_type), n in self.by_channel_type.items():
            out[case_type] += n
        return dict(out)


def included(session: Session, start: date, end: date, since: date | None, types=None) -> Included:
    """The paper totals that count in ``[start, end)``: those whose whole span the period holds."""
    if since is None:
        return Included({}, False)
    first, last = fiscal_year_of(start), fiscal_year_of(end)
    statement = select(PaperTotal.fiscal_year, PaperTotal.channel_code, PaperTotal.case_type,
                       PaperTotal.cases).where(PaperTotal.fiscal_year.between(first, last))
    if types is not None:
        statement = statement.where(PaperTotal.case_type.in_(types))
    counts: dict[tuple[str, str], int] = defaultdict(int)
    found = False
    for fiscal_year, channel, case_type, cases in session.execute(statement):
        if paper_counts_in(fiscal_year, since, start, end):
            counts[(channel, case_type)] += cases
            found = True
    return Included(dict(counts), found)
