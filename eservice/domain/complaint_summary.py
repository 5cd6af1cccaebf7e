"""The annual complaint-handling summary (รายงานสรุปผลการดำเนินการเรื่องร้องเรียน) the ITA asks a municipality
to publish: per fiscal year and for its first half (October to March), from the same figures as the
statistics (:mod:`eservice.domain.stats`), with the administrators' own words on the problems found and
the improvements made.

What it publishes, and what it does not:

- It is public, so corruption and No Gift Policy reports are never in its breakdowns (by type, category,
  channel, division, month) nor in its rates, medians and satisfaction: only as one count, and only as
  finely as the public statistics publish it (:func:`eservice.domain.stats.public_statistics` and its
  small-count rule). Every other figure covers the general cases (complaints, suggestions, inquiries,
  objections).
- Before the day the e-Service went into use (:func:`eservice.domain.organisation.in_use_since`) there is no
  data: a period that ended before it says so, and since when, instead of printing 0; a period that began
  before it says its figures start on that day; months before it are "no data", not 0.
- A period that is not over is "so far, as of <today>"; months not reached yet are left empty.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Case, Category, Channel, Division
from ..models.measures import ComplaintSummaryNote
from . import audit, stats
from .audit import By
from .case_types import CASE_TYPES, GENERAL_TYPES, INTEGRITY_TYPES
from .errors import DomainError
from .fiscal import fiscal_year_of
from .organisation import in_use_since
from .thai import bangkok_today

PARTS = ("h1", "fy")  # the first half (October to March), the whole fiscal year
PART_LABELS = {"h1": _l("First half of the fiscal year (October to March)"), "fy": _l("The whole fiscal year")}
MAX_NOTE = 4000

# Month states: figures, before the e-Service was in use (no data), not reached yet (empty).
MONTH_DATA, MONTH_BEFORE_USE, MONTH_NOT_REACHED = "data", "before_use", "not_reached"


def summary_period(fiscal_year: int, part: str) -> stats.StatsPeriod:
    if part not in PARTS:
        raise DomainError(_l("Choose the first half or the whole fiscal year."), field="part")
    return stats.make_period("half", fiscal_year, 1) if part == "h1" else stats.make_period("fy", fiscal_year)


def summary_years(session: Session, today: date | None = None) -> list[int]:
    """The fiscal years a summary may be asked for, newest first: those of the statistics, and back to the
    year before the e-Service went into use (whose summary says there is no data, and since when)."""
    years = set(stats.fiscal_years(session, today))
    since = in_use_since(session)
    newest = stats.current_fiscal_year(today)
    oldest = min(years)
    if since is not None:
        oldest = min(oldest, fiscal_year_of(since) - 1)
    noted = session.scalars(select(ComplaintSummaryNote.fiscal_year).distinct())
    oldest = min([oldest, *[year for year in noted if year <= newest]])
    return list(range(newest, oldest - 1, -1))


def check_year(session: Session, fiscal_year: int, today: date | None = None) -> int:
    """``fiscal_year`` if a summary can be asked for it, else the statistics' own message saying which can."""
    if fiscal_year in summary_years(session, today):
        return fiscal_year
    return stats.check_fiscal_year(session, fiscal_year, today)


@dataclass
class Breakdown:
    key: object  # type code, category id, channel code, division id (None: none)
    label: str
    counts: stats.Counts


@dataclass
class MonthRow:
    first: date
    label: str
    state: str
    counts: stats.Counts | None  # None unless state is MONTH_DATA


@dataclass
class IntegrityCount:
    """The corruption and gift reports of the period, as the public statistics publish them."""

    published: bool
    received: int | None = None
    completed: int | None = None
    in_progress: int | None = None
    min_breakdown: int = stats.PUBLIC_MIN_BREAKDOWN


@dataclass
class ComplaintSummary:
    fiscal_year: int
    part: str
    period: stats.StatsPeriod
    today: date
    in_use_since: date | None
    no_data: bool = False  # the whole period is before the e-Service went into use
    not_started: bool = False  # the period has not begun
    so_far: bool = False  # the period is not over: figures as of today
    covered_from: date | None = None  # the figures start here, not at the period's start
    includes_confidential: bool = False
    totals: stats.Counts = field(default_factory=stats.Counts)
    by_type: list[Breakdown] = field(default_factory=list)
    by_category: list[Breakdown] = field(default_factory=list)
    by_channel: list[Breakdown] = field(default_factory=list)
    by_division: list[Breakdown] = field(default_factory=list)
    months: list[MonthRow] = field(default_factory=list)
    durations: stats.Durations = field(default_factory=stats.Durations)
    satisfaction: stats.Satisfaction = field(default_factory=stats.Satisfaction)
    integrity: IntegrityCount | None = None
    problems: str = ""
    improvements: str = ""

    @property
    def has_figures(self) -> bool:
        return not (self.no_data or self.not_started)

    @property
    def last_day(self) -> date:
        """The last day the figures cover: today while the period runs."""
        return min(self.today, self.period.last_day)


def _in_scope(case_type: str, include_confidential: bool) -> bool:
    return include_confidential or case_type not in INTEGRITY_TYPES


def _names(session: Session, model, locale: str) -> dict:
    return {row.id: row.name(locale) for row in session.scalars(select(model))}


def build(session: Session, fiscal_year: int, part: str = "fy", *, locale: str = "th", today: date | None = None,
          include_confidential: bool = False) -> ComplaintSummary:
    """The summary of a fiscal year (``fy``) or its first half (``h1``). ``include_confidential`` counts
    corruption and gift reports in every figure (for checking against the statistics; never published)."""
    today = today or bangkok_today()
    period = summary_period(fiscal_year, part)
    since = in_use_since(session)
    summary = ComplaintSummary(fiscal_year=fiscal_year, part=part, period=period, today=today, in_use_since=since,
                               includes_confidential=include_confidential)
    note = note_of(session, fiscal_year, part)
    if note is not None:
        summary.problems, summary.improvements = note.problems, note.improvements
    if since is not None and period.end <= since:
        summary.no_data = True
        return summary
    if today < period.start:
        summary.not_started = True
        return summary
    summary.so_far = today < period.end
    if since is not None and since > period.start:
        summary.covered_from = since
    _fill_counts(session, summary, locale, include_confidential)
    summary.integrity = _integrity(session, summary, locale)
    return summary


def _fill_counts(session: Session, summary: ComplaintSummary, locale: str, include_confidential: bool) -> None:
    period, today = summary.period, summary.today
    conditions = [] if include_confidential else [Case.case_type.notin_(INTEGRITY_TYPES)]
    totals = stats.Counts()
    by_type: dict[str, stats.Counts] = defaultdict(stats.Counts)
    by_channel: dict[str, stats.Counts] = defaultdict(stats.Counts)
    by_division: dict[int | None, stats.Counts] = defaultdict(stats.Counts)
    by_category: dict[int | None, stats.Counts] = defaultdict(stats.Counts)
    by_month: dict[int, stats.Counts] = defaultdict(stats.Counts)
    columns = [Case.received_month, Case.channel_code, Case.case_type, Case.division_id, Case.category_id,
               Case.status, Case.resolved_on_time]
    for month, channel, case_type, division, category, status, on_time, n in stats._grouped(
            session, period, columns, *conditions):
        for counts in (totals, by_type[case_type], by_channel[channel], by_division[division],
                       by_category[category], by_month[month]):
            counts.add_status(status, on_time, n)
    # Open cases already past their due dates count as late (the statistics' one definition).
    for channel, case_type, division, category, _village, month, late, ack_late in stats._late_open(
            session, period, today):
        if not _in_scope(case_type, include_confidential):
            continue
        for counts in (totals, by_type[case_type], by_channel[channel], by_division[division],
                       by_category[category], by_month[month]):
            counts.late += late
            counts.ack_late += ack_late
    durations, ratings = stats.timing_and_ratings(session, period, totals, *conditions)
    summary.totals = totals
    summary.durations = durations
    summary.satisfaction = stats.Satisfaction(distribution=ratings, rateable=totals.rateable)

    types = [code for code in CASE_TYPES if include_confidential or code in GENERAL_TYPES]
    summary.by_type = [Breakdown(code, str(CASE_TYPES[code].short), by_type.get(code, stats.Counts()))
                       for code in types]
    channel_names = {c.code: c.name(locale) for c in session.scalars(select(Channel))}
    codes = stats.channel_codes(session)
    codes += sorted(set(by_channel) - set(codes))
    summary.by_channel = [Breakdown(code, channel_names.get(code, code), by_channel.get(code, stats.Counts()))
                          for code in codes]
    divisions = _names(session, Division, locale)
    summary.by_division = [Breakdown(key, divisions.get(key, str(_l("No division"))), counts)
                           for key, counts in sorted(by_division.items(), key=lambda kv: divisions.get(kv[0], ""))]
    categories = _names(session, Category, locale)
    summary.by_category = [Breakdown(key, categories.get(key, str(_l("No category"))), counts)
                           for key, counts in sorted(by_category.items(),
                                                     key=lambda kv: (-kv[1].received, categories.get(kv[0], "")))]
    summary.months = _months(summary, by_month, locale)


def _months(summary: ComplaintSummary, by_month: dict[int, stats.Counts], locale: str) -> list[MonthRow]:
    rows = []
    since = summary.in_use_since
    for first in stats.month_starts(summary.period.span):
        following = first.replace(year=first.year + 1, month=1) if first.month == 12 else first.replace(
            month=first.month + 1)
        label = stats.month_label(first, locale, long=True)
        if since is not None and following <= since:
            rows.append(MonthRow(first, label, MONTH_BEFORE_USE, None))
        elif first > summary.today:
            rows.append(MonthRow(first, label, MONTH_NOT_REACHED, None))
        else:
            rows.append(MonthRow(first, label, MONTH_DATA, by_month.get(stats.month_number(first), stats.Counts())))
    return rows


def _integrity(session: Session, summary: ComplaintSummary, locale: str) -> IntegrityCount:
    """The corruption and gift reports as the public statistics page publishes them: the year's total,
    and the first half only when the public page publishes its halves (the small-count rule)."""
    public = stats.public_statistics(session, summary.fiscal_year, locale, summary.today)
    section = public.integrity
    if summary.part == "fy":
        count = section.total
    elif "half" in section.levels:
        count = section.levels["half"][0]
    else:
        return IntegrityCount(published=False, min_breakdown=public.min_breakdown)
    return IntegrityCount(True, count.received, count.completed, count.in_progress, public.min_breakdown)


# --- the administrators' words -------------------------------------------------------------------------


def note_of(session: Session, fiscal_year: int, part: str) -> ComplaintSummaryNote | None:
    return session.scalar(select(ComplaintSummaryNote).where(ComplaintSummaryNote.fiscal_year == fiscal_year,
                                                             ComplaintSummaryNote.part == part))


def check_note(problems: str, improvements: str) -> list[DomainError]:
    found = []
    for name, text in (("problems", problems), ("improvements", improvements)):
        if len(text or "") > MAX_NOTE:
            found.append(DomainError(_l("Keep this under %(n)d characters.", n=MAX_NOTE), field=name))
        elif any(ord(ch) < 32 and ch not in "\r\n\t" for ch in text or ""):
            found.append(DomainError(_l("This text has a control character; type it again."), field=name))
    return found


def _tidy(text: str) -> str:
    return "\n".join(line.rstrip() for line in (text or "").replace("\r\n", "\n").split("\n")).strip()


def save_note(session: Session, fiscal_year: int, part: str, problems: str, improvements: str, *,
              by: By | None = None) -> dict:
    """Write the problems found and the improvements made for a period; ``{field: [old, new]}`` changed,
    audited as made ``by`` someone."""
    summary_period(fiscal_year, part)
    errors = check_note(problems, improvements)
    if errors:
        raise errors[0]
    found = note_of(session, fiscal_year, part)
    new = found is None
    row = found if found is not None else ComplaintSummaryNote(fiscal_year=fiscal_year, part=part)
    if new:
        session.add(row)
    changes = {}
    for name, value in (("problems", _tidy(problems)), ("improvements", _tidy(improvements))):
        old = "" if new else getattr(row, name)
        if old != value:
            changes[name] = [old, value]
        setattr(row, name, value)
    session.flush()
    if changes and by is not None:
        audit.change(session, by, "admin.complaint_summary.update", target_type="complaint_summary_note",
                     target_id=row.id, details={"fiscal_year": fiscal_year, "part": part, **changes})
    return changes
