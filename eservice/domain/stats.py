"""Every statistics figure, computed by aggregate queries in the database.

Nothing here loads cases into Python: each query groups and counts in the database and hands back a
few hundred (at most a few thousand) summary rows, which are rolled up into the figures below. The
working-day durations and the on-time flags are stored on the case when it is acknowledged or resolved
(:mod:`eservice.domain.durations`), so medians and percentiles come from a histogram of stored integers.

Definitions (the same on the statistics page, in the exports, on the command line and in the report):

- A case belongs to a period by when it was received (``received_at``), with periods bounded by Bangkok
  midnights. Its status is taken as it is now.
- *received*: every case; *completed*: resolved, closed, not accepted or merged; *in progress*: the rest.
- *on time*: resolved on or before its resolve-by date; *late*: resolved after it, or still open with the
  date passed. The on-time rate is on time / (on time + late); open cases not yet due are not counted.
  The acknowledgement rate is the same with the acknowledge-by date.
- *time to acknowledge / resolve*: working days (see durations), median and 90th percentile with linear
  interpolation (as ``statistics.quantiles(method="inclusive")``).
- *satisfaction*: ratings of cases received in the period; the share answered is ratings against cases
  that are resolved now (those that can be rated).
- *reopen rate*: cases reopened at least once against cases resolved at least once.
- *e-Service share*: cases received through the web against all channels.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from ..models import Case, Channel, Rating
from .errors import DomainError
from .fiscal import (
    Period,
    fiscal_half_period,
    fiscal_month_period,
    fiscal_quarter_period,
    fiscal_year_of,
    fiscal_year_period,
    month_starts,
)
from .thai import BE_OFFSET, EN_MONTHS_SHORT, THAI_MONTHS_SHORT, bangkok_today, format_date
from .workflow import FINISHED_STATUSES, OPEN_STATUSES

# The intake channels of the brief, in the order the report lists them. Channels added by the
# administrators are counted too (see channel_codes()).
CHANNEL_CODES = ("web", "phone", "walk_in", "letter", "line", "facebook", "suggestion_box", "email", "referral")
PERIOD_KINDS = ("fy", "half", "quarter", "month", "range")
# The earliest fiscal year anyone may ask about: older years are typing mistakes, not history.
EARLIEST_FISCAL_YEAR = 2540
LONGEST_RANGE_DAYS = 366 * 5


# --- periods --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatsPeriod:
    """What a statistics page covers: a fiscal year (B.E.), one of its halves, quarters or months,
    or any span of Bangkok dates. ``end`` is exclusive."""

    kind: str
    start: date
    end: date
    fiscal_year: int | None = None
    part: int | None = None  # the half (1–2), quarter (1–4) or calendar month (1–12)

    @property
    def span(self) -> Period:
        return Period(self.start, self.end)

    def utc_bounds(self) -> tuple[datetime, datetime]:
        return self.span.utc_bounds()

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def previous_year(self) -> StatsPeriod:
        """The same period one year earlier (a fiscal year's previous fiscal year, and so on)."""
        if self.kind == "range":
            return StatsPeriod("range", _year_earlier(self.start), _year_earlier(self.end))
        return make_period(self.kind, self.fiscal_year - 1, self.part)

    def label(self, locale: str = "th") -> str:
        """"ปีงบประมาณ พ.ศ. 2568", "ไตรมาส 1 ปีงบประมาณ พ.ศ. 2568", "1 ต.ค. 2567 – 31 ธ.ค. 2567"."""
        if self.kind == "fy":
            return str(_l("Fiscal year %(fy)d", fy=self.fiscal_year))
        if self.kind == "half":
            return str(_l("Half %(n)d of fiscal year %(fy)d", n=self.part, fy=self.fiscal_year))
        if self.kind == "quarter":
            return str(_l("Quarter %(n)d of fiscal year %(fy)d", n=self.part, fy=self.fiscal_year))
        if self.kind == "month":
            return month_label(self.start, locale, long=True)
        return self.dates_label(locale)

    def dates_label(self, locale: str = "th") -> str:
        return f"{format_date(self.start, locale)} – {format_date(self.last_day, locale)}"

    def query_args(self) -> dict:
        """The URL parameters that select this period again (links, exports)."""
        if self.kind == "range":
            return {"period": "range", "start": self.start.isoformat(), "end": self.last_day.isoformat()}
        args = {"period": self.kind, "fy": self.fiscal_year}
        if self.part is not None:
            args["part"] = self.part
        return args

    def slug(self) -> str:
        """A file-name fragment: fy2568, fy2568-q1, 2024-10-01_2024-12-31."""
        if self.kind == "range":
            return f"{self.start.isoformat()}_{self.last_day.isoformat()}"
        suffix = {"fy": "", "half": f"-h{self.part}", "quarter": f"-q{self.part}", "month": f"-m{self.part:02d}"}
        return f"fy{self.fiscal_year}{suffix[self.kind]}"


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def current_fiscal_year(today: date | None = None) -> int:
    return fiscal_year_of(today or bangkok_today())


def first_fiscal_year(session: Session, today: date | None = None) -> int:
    """The oldest fiscal year with statistics: that of the first case, and never later than last year
    (so a new installation can still be compared with the year before)."""
    first = session.scalar(select(func.min(Case.fiscal_year)))
    last_year = current_fiscal_year(today) - 1
    return min(first, last_year) if first else last_year


def fiscal_years(session: Session, today: date | None = None) -> list[int]:
    """The fiscal years one may choose, newest first."""
    return list(range(current_fiscal_year(today), first_fiscal_year(session, today) - 1, -1))


def check_fiscal_year(session: Session, fiscal_year: int, today: date | None = None, *, field: str = "fy") -> int:
    """``fiscal_year`` if statistics exist for it, else a :class:`DomainError` saying which do."""
    newest = current_fiscal_year(today)
    oldest = first_fiscal_year(session, today)
    if 1900 < fiscal_year < EARLIEST_FISCAL_YEAR and 1900 < fiscal_year + BE_OFFSET <= newest + 1:
        raise DomainError(
            _l(
                "%(year)d looks like a year of the Christian era; fiscal years are in the Buddhist era "
                "(%(be)d).",
                year=fiscal_year,
                be=fiscal_year + BE_OFFSET,
            ),
            field=field,
        )
    if not oldest <= fiscal_year <= newest:
        raise DomainError(
            _l(
                "There are no statistics for fiscal year %(fy)d: choose a fiscal year from %(oldest)d to "
                "%(newest)d.",
                fy=fiscal_year,
                oldest=oldest,
                newest=newest,
            ),
            field=field,
        )
    return fiscal_year


def make_period(kind: str, fiscal_year: int | None = None, part: int | None = None,
                start: date | None = None, end: date | None = None) -> StatsPeriod:
    """A period from its parts, without checking the fiscal year against the data (see
    :func:`parse_period`). For a range, ``end`` is the last day included."""
    if kind == "fy":
        span = fiscal_year_period(fiscal_year)
    elif kind == "half":
        span = fiscal_half_period(fiscal_year, part)
    elif kind == "quarter":
        span = fiscal_quarter_period(fiscal_year, part)
    elif kind == "month":
        span = fiscal_month_period(fiscal_year, part)
    elif kind == "range":
        return StatsPeriod("range", start, end + timedelta(days=1))
    else:
        raise ValueError(f"unknown period kind {kind!r}")
    return StatsPeriod(kind, span.start, span.end, fiscal_year, part)


def parse_period(session: Session, kind: str, fiscal_year: int | None = None, part: int | None = None,
                 start: date | None = None, end: date | None = None, today: date | None = None) -> StatsPeriod:
    """A checked period, or a :class:`DomainError` naming the field at fault."""
    if kind not in PERIOD_KINDS:
        raise DomainError(_l("Choose a fiscal year, a half, a quarter, a month or a range of dates."),
                          field="period")
    if kind == "range":
        if start is None:
            raise DomainError(_l("Enter the first day of the range."), field="start")
        if end is None:
            raise DomainError(_l("Enter the last day of the range."), field="end")
        if end < start:
            raise DomainError(
                _l("The range ends before it starts: the last day must be on or after the first day."),
                field="end",
            )
        if (end - start).days >= LONGEST_RANGE_DAYS:
            raise DomainError(_l("Choose a range of at most five years."), field="end")
        return make_period("range", start=start, end=end)
    if fiscal_year is None:
        raise DomainError(_l("Choose a fiscal year."), field="fy")
    check_fiscal_year(session, fiscal_year, today)
    limits = {"half": (1, 2), "quarter": (1, 4), "month": (1, 12)}
    if kind in limits:
        low, high = limits[kind]
        if part is None or not low <= part <= high:
            messages = {
                "half": _l("Choose the first or the second half."),
                "quarter": _l("Choose a quarter from 1 to 4."),
                "month": _l("Choose a month."),
            }
            raise DomainError(messages[kind], field="part")
    else:
        part = None
    return make_period(kind, fiscal_year, part)


def month_label(first: date, locale: str = "th", *, long: bool = False) -> str:
    """``ต.ค. 2567`` / ``Oct 2024`` (Buddhist era in Thai)."""
    if locale == "th":
        return f"{THAI_MONTHS_SHORT[first.month - 1]} {first.year + BE_OFFSET}"
    return f"{EN_MONTHS_SHORT[first.month - 1]} {first.year}"


# --- SQL building blocks ----------------------------------------------------------------------------


class bangkok_month(FunctionElement):  # noqa: N801  (an SQL function, named like one)
    """``YYYY-MM`` of a stored UTC time in Bangkok. Bangkok has been UTC+7 without daylight saving
    since 1920, so a fixed offset is exact on SQLite; PostgreSQL converts by the zone's name."""

    type = String()
    inherit_cache = True
    name = "bangkok_month"


@compiles(bangkok_month, "sqlite")
def _bangkok_month_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)}, '+7 hours')"


@compiles(bangkok_month)
def _bangkok_month_default(element, compiler, **kw):
    return f"to_char(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'Asia/Bangkok', 'YYYY-MM')"


def _count_if(condition):
    return func.coalesce(func.sum(sql_case((condition, 1), else_=0)), 0)


def _conditions(today: date) -> dict:
    is_open = Case.status.in_(OPEN_STATUSES)
    return {
        "completed": Case.status.in_(FINISHED_STATUSES),
        "in_progress": is_open,
        "on_time": Case.resolved_on_time.is_(True),
        "late": or_(Case.resolved_on_time.is_(False), and_(is_open, Case.resolve_due < today)),
        "ack_on_time": Case.acknowledged_on_time.is_(True),
        "ack_late": or_(
            Case.acknowledged_on_time.is_(False),
            and_(Case.acknowledged_at.is_(None), is_open, Case.ack_due < today),
        ),
        "reopened": Case.reopen_count > 0,
        "resolved_ever": or_(Case.resolved_at.is_not(None), Case.reopen_count > 0),
        "rateable": Case.resolved_at.is_not(None),
    }


COUNTS = ("received", "completed", "in_progress", "on_time", "late", "ack_on_time", "ack_late",
          "reopened", "resolved_ever", "rateable")


def _in_period(period: StatsPeriod):
    low, high = period.utc_bounds()
    return and_(Case.received_at >= low, Case.received_at < high)


@dataclass
class Counts:
    """The counts every grouping carries."""

    received: int = 0
    completed: int = 0
    in_progress: int = 0
    on_time: int = 0
    late: int = 0
    ack_on_time: int = 0
    ack_late: int = 0
    reopened: int = 0
    resolved_ever: int = 0
    rateable: int = 0

    def add(self, values: Iterable[int]) -> None:
        for name, value in zip(COUNTS, values, strict=True):
            setattr(self, name, getattr(self, name) + int(value or 0))

    def merge(self, other: Counts) -> None:
        self.add(getattr(other, name) for name in COUNTS)

    @property
    def on_time_pct(self) -> float | None:
        return percent(self.on_time, self.on_time + self.late)

    @property
    def ack_on_time_pct(self) -> float | None:
        return percent(self.ack_on_time, self.ack_on_time + self.ack_late)

    @property
    def reopen_rate_pct(self) -> float | None:
        return percent(self.reopened, self.resolved_ever)


def percent(part: int | float, whole: int | float) -> float | None:
    """``part`` as a percentage of ``whole`` to two decimals; None when there is nothing to divide."""
    return round(100.0 * part / whole, 2) if whole else None


def percentile(histogram: dict[int, int], p: float) -> float | None:
    """The ``p``-th percentile (0–100) of the values a histogram {value: count} stands for, with
    linear interpolation between neighbouring values (``statistics.quantiles(method="inclusive")``)."""
    n = sum(histogram.values())
    if n == 0:
        return None
    position = (n - 1) * p / 100.0
    below = int(position)
    fraction = position - below

    def value_at(index: int) -> int:
        seen = 0
        for value in sorted(histogram):
            seen += histogram[value]
            if index < seen:
                return value
        return max(histogram)

    low = value_at(below)
    if fraction == 0:
        return float(low)
    return round(low + (value_at(below + 1) - low) * fraction, 2)


# --- the figures ------------------------------------------------------------------------------------


@dataclass
class Durations:
    ack: dict[int, int] = field(default_factory=dict)  # working days -> cases
    resolve: dict[int, int] = field(default_factory=dict)

    @property
    def ack_median(self) -> float | None:
        return percentile(self.ack, 50)

    @property
    def ack_p90(self) -> float | None:
        return percentile(self.ack, 90)

    @property
    def resolve_median(self) -> float | None:
        return percentile(self.resolve, 50)

    @property
    def resolve_p90(self) -> float | None:
        return percentile(self.resolve, 90)


@dataclass
class Satisfaction:
    distribution: dict[int, int] = field(default_factory=lambda: dict.fromkeys(range(1, 6), 0))
    rateable: int = 0  # resolved cases in the period, the ones that could be rated

    @property
    def responses(self) -> int:
        return sum(self.distribution.values())

    @property
    def mean(self) -> float | None:
        if not self.responses:
            return None
        return round(sum(score * n for score, n in self.distribution.items()) / self.responses, 2)

    @property
    def answered_pct(self) -> float | None:
        return percent(self.responses, self.rateable)


@dataclass
class Summary:
    """The headline figures of one period (the page's first table; the previous year's column)."""

    period: StatsPeriod
    totals: Counts
    by_channel: dict[str, int]
    by_type: dict[str, int]
    durations: Durations
    satisfaction: Satisfaction

    @property
    def eservice_share_pct(self) -> float | None:
        return percent(self.by_channel.get("web", 0), self.totals.received)


@dataclass
class Statistics:
    """Everything the statistics page shows for a period."""

    summary: Summary
    previous: Summary
    channel_type: dict[tuple[str, str], int]  # (channel, case type) -> cases
    by_division: dict[int, Counts]
    by_category: dict[int | None, Counts]
    by_village: dict[int | None, Counts]
    months: list[date]  # first days of the months in the period
    by_month: dict[str, Counts]  # "YYYY-MM" -> counts
    month_channel: dict[tuple[str, str], int]  # ("YYYY-MM", channel) -> cases
    today: date

    @property
    def period(self) -> StatsPeriod:
        return self.summary.period


def _dimension_counts(session: Session, period: StatsPeriod, today: date, *dimensions):
    """One GROUP BY over the period: (dimension values..., counts...) rows."""
    conditions = _conditions(today)
    columns = [func.count()] + [_count_if(conditions[name]) for name in COUNTS[1:]]
    statement = select(*dimensions, *columns).where(_in_period(period)).group_by(*dimensions)
    return session.execute(statement).all()


def _durations(session: Session, period: StatsPeriod) -> Durations:
    rows = session.execute(
        select(Case.ack_working_days, Case.resolve_working_days, func.count())
        .where(_in_period(period))
        .where(or_(Case.ack_working_days.is_not(None), Case.resolve_working_days.is_not(None)))
        .group_by(Case.ack_working_days, Case.resolve_working_days)
    ).all()
    result = Durations()
    for ack, resolve, n in rows:
        if ack is not None:
            result.ack[ack] = result.ack.get(ack, 0) + n
        if resolve is not None:
            result.resolve[resolve] = result.resolve.get(resolve, 0) + n
    return result


def _satisfaction(session: Session, period: StatsPeriod, rateable: int) -> Satisfaction:
    rows = session.execute(
        select(Rating.score, func.count())
        .join(Case, Case.id == Rating.case_id)
        .where(_in_period(period))
        .group_by(Rating.score)
    ).all()
    result = Satisfaction(rateable=rateable)
    for score, n in rows:
        result.distribution[score] = result.distribution.get(score, 0) + n
    return result


def summarise(session: Session, period: StatsPeriod, today: date | None = None) -> Summary:
    """The headline figures of a period, in four small aggregate queries."""
    today = today or bangkok_today()
    totals, by_channel, by_type = Counts(), defaultdict(int), defaultdict(int)
    for channel, case_type, *values in _dimension_counts(session, period, today, Case.channel_code, Case.case_type):
        totals.add(values)
        by_channel[channel] += values[0]
        by_type[case_type] += values[0]
    return Summary(period, totals, dict(by_channel), dict(by_type), _durations(session, period),
                   _satisfaction(session, period, totals.rateable))


def compute(session: Session, period: StatsPeriod, today: date | None = None) -> Statistics:
    """Every figure of the statistics page for ``period`` and the same period a year earlier."""
    today = today or bangkok_today()
    totals, by_channel, by_type = Counts(), defaultdict(int), defaultdict(int)
    channel_type: dict[tuple[str, str], int] = defaultdict(int)
    by_division: dict[int, Counts] = defaultdict(Counts)
    by_category: dict[int | None, Counts] = defaultdict(Counts)
    by_village: dict[int | None, Counts] = defaultdict(Counts)
    rows = _dimension_counts(session, period, today, Case.channel_code, Case.case_type, Case.division_id,
                             Case.category_id, Case.village_id)
    for channel, case_type, division_id, category_id, village_id, *values in rows:
        totals.add(values)
        by_channel[channel] += values[0]
        by_type[case_type] += values[0]
        channel_type[(channel, case_type)] += values[0]
        by_division[division_id].add(values)
        by_category[category_id].add(values)
        by_village[village_id].add(values)

    month = bangkok_month(Case.received_at)
    by_month: dict[str, Counts] = defaultdict(Counts)
    month_channel: dict[tuple[str, str], int] = defaultdict(int)
    for key, channel, *values in _dimension_counts(session, period, today, month, Case.channel_code):
        by_month[key].add(values)
        month_channel[(key, channel)] += values[0]

    summary = Summary(period, totals, dict(by_channel), dict(by_type), _durations(session, period),
                      _satisfaction(session, period, totals.rateable))
    return Statistics(
        summary=summary,
        previous=summarise(session, period.previous_year(), today),
        channel_type=dict(channel_type),
        by_division=dict(by_division),
        by_category=dict(by_category),
        by_village=dict(by_village),
        months=month_starts(period.span),
        by_month=dict(by_month),
        month_channel=dict(month_channel),
        today=today,
    )


def month_key(first: date) -> str:
    return f"{first.year:04d}-{first.month:02d}"


# --- named figures: the contract of the measures report ---------------------------------------------

TYPE_FIGURES = {
    "complaints": "complaint",
    "suggestions": "suggestion",
    "inquiries": "inquiry",
    "objections": "objection",
    "corruption_reports": "corruption",
    "gift_reports": "gift",
}

FIGURE_DESCRIPTIONS: dict[str, object] = {
    "cases_total": _l("All cases received in the fiscal year, every channel and type"),
    "cases_web": _l("Cases received through this e-Service (the web channel)"),
    "eservice_share_pct": _l("Share of cases received through the e-Service, in per cent"),
    "complaints": _l("Complaints and grievances received"),
    "suggestions": _l("Suggestions and comments received"),
    "inquiries": _l("Questions and requests for information received"),
    "objections": _l("Objections to budget spending received"),
    "corruption_reports": _l("Corruption and misconduct reports received"),
    "gift_reports": _l("No Gift Policy reports received"),
    "received": _l("Cases received (the same as cases_total)"),
    "completed": _l("Cases completed: resolved, closed, not accepted or merged"),
    "in_progress": _l("Cases still in progress"),
    "on_time": _l("Cases resolved on time"),
    "late": _l("Cases resolved late or still open past their due date"),
    "on_time_pct": _l("On-time rate in per cent (open cases past their due date count as late)"),
    "ack_on_time_pct": _l("Share of cases acknowledged on time, in per cent"),
    "ack_median_days": _l("Median working days to acknowledge a case"),
    "ack_p90_days": _l("Working days within which 90% of cases were acknowledged"),
    "resolve_median_days": _l("Median working days to resolve a case"),
    "resolve_p90_days": _l("Working days within which 90% of cases were resolved"),
    "satisfaction_mean": _l("Mean satisfaction score (1 to 5)"),
    "satisfaction_responses": _l("Number of satisfaction ratings"),
    "satisfaction_answered_pct": _l("Share of resolved cases whose reporter gave a rating, in per cent"),
    "reopened": _l("Cases reopened at least once"),
    "reopen_rate_pct": _l("Share of resolved cases that were reopened, in per cent"),
}


def channel_codes(session: Session) -> list[str]:
    """The brief's channels first, then any the administrators added."""
    extra = [code for code in session.scalars(select(Channel.code).order_by(Channel.sort_order, Channel.id))
             if code not in CHANNEL_CODES]
    return list(CHANNEL_CODES) + extra


def figure_descriptions(session: Session) -> dict[str, object]:
    """:data:`FIGURE_DESCRIPTIONS` plus one ``channel_<code>`` entry per channel in the database."""
    names = {c.code: c for c in session.scalars(select(Channel))}
    descriptions = dict(FIGURE_DESCRIPTIONS)
    for code in channel_codes(session):
        label = names[code].name_th if code in names else code
        descriptions[f"channel_{code}"] = _l("Cases received through the channel “%(channel)s”", channel=label)
    return descriptions


for _code in CHANNEL_CODES:
    FIGURE_DESCRIPTIONS[f"channel_{_code}"] = _l("Cases received through the channel “%(channel)s”",
                                                 channel=_code)


def named_figures(session: Session, fiscal_year: int, today: date | None = None) -> dict[str, int | float | None]:
    """The named figures of a fiscal year (B.E.) for the measures report. Counts are ints; rates and
    durations are floats rounded to two decimals, or None when there is nothing to measure (no case
    resolved, no rating). A year without cases gives zeros, not an error."""
    summary = summarise(session, make_period("fy", fiscal_year), today)
    totals = summary.totals
    figures: dict[str, int | float | None] = {
        "cases_total": totals.received,
        "cases_web": summary.by_channel.get("web", 0),
        "eservice_share_pct": summary.eservice_share_pct,
    }
    for name, code in TYPE_FIGURES.items():
        figures[name] = summary.by_type.get(code, 0)
    for code in channel_codes(session):
        figures[f"channel_{code}"] = summary.by_channel.get(code, 0)
    figures.update(
        received=totals.received,
        completed=totals.completed,
        in_progress=totals.in_progress,
        on_time=totals.on_time,
        late=totals.late,
        on_time_pct=totals.on_time_pct,
        ack_on_time_pct=totals.ack_on_time_pct,
        ack_median_days=summary.durations.ack_median,
        ack_p90_days=summary.durations.ack_p90,
        resolve_median_days=summary.durations.resolve_median,
        resolve_p90_days=summary.durations.resolve_p90,
        satisfaction_mean=summary.satisfaction.mean,
        satisfaction_responses=summary.satisfaction.responses,
        satisfaction_answered_pct=summary.satisfaction.answered_pct,
        reopened=totals.reopened,
        reopen_rate_pct=totals.reopen_rate_pct,
    )
    return figures
