"""Every statistics figure, computed by aggregate queries in the database.

Nothing here loads cases into Python: each query groups and counts in the database and hands back at
most a few thousand summary rows, which are rolled up into the figures below. What would need a
calendar walk per case is stored on the case instead: the working-day durations and on-time flags
when it is acknowledged or answered (:mod:`eservice.domain.durations`), the Bangkok month of receipt
(``received_month``) and a copy of the rating (``rating_score``); medians and percentiles come from a
histogram of stored integers. Each query reads one covering index in order (see models/case.py).

Definitions (the same on the statistics page, in the exports, on the command line and in the report):

- A case belongs to a period by when it was received (``received_at``), with periods bounded by Bangkok
  midnights. Its status is taken as it is now.
- *received*: every case; *completed*: resolved, closed, not accepted or merged; *in progress*: the rest.
- *on time*: answered (resolved, not accepted or merged) on or before its resolve-by date; *late*:
  answered after it, or still open with the date passed (one definition: "on time" in clock.py). The on-time
  rate is on time / (on time + late); open cases not yet due, and cases waiting for the citizen that were not
  late when the wait began (their clock stands still), are not counted.
  The acknowledgement rate is the same with the acknowledge-by date.
- *time to acknowledge / answer*: working days (see durations), median and 90th percentile with linear
  interpolation (as ``statistics.quantiles(method="inclusive")``).
- *satisfaction*: ratings of cases received in the period; the share answered is ratings against cases
  resolved or closed now (those that can be rated: statuses.RATEABLE).
- *reopen rate*: cases reopened at least once against cases answered at least once.
- *e-Service share*: cases received through the web against all channels.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case as sql_case
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..models import Case, Channel
from ..models.measures import ItaScore, Measure
from ..models.paper import PaperTotal
from . import clock, paper_totals
from .case_types import CASE_TYPES
from .coverage import BEFORE, NOT_REACHED, Coverage, comparison_span, month_caption, year_earlier
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
from .organisation import in_use_since
from .statuses import FINISHED_STATUSES, RATEABLE
from .thai import BE_OFFSET, EN_MONTHS_SHORT, THAI_MONTHS_LONG, THAI_MONTHS_SHORT, bangkok_today, format_date

# The intake channels of the brief, in the order the report lists them. Channels added by the
# administrators are counted too (see channel_codes()).
CHANNEL_CODES = ("web", "phone", "walk_in", "letter", "line", "facebook", "suggestion_box", "email", "referral")
PERIOD_KINDS = ("fy", "half", "quarter", "month", "range")
# A "fiscal year" below this that would be a recent year if 543 were added was typed in the Christian era.
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

    def comparison(self, today: date) -> StatsPeriod:
        """"The same period a year earlier", the same span (see :func:`eservice.domain.coverage.comparison_span`):
        a period that holds ``today`` is compared to date with the same calendar dates a year earlier (a
        range of dates); a finished or future period with the whole of its previous year's period."""
        start, end, to_date = comparison_span(self.start, self.end, today)
        if to_date or self.kind == "range":
            return StatsPeriod("range", start, end)
        return self.previous_year()

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
            args[self.kind] = self.part  # half=2, quarter=1, month=10
        return args

    def slug(self) -> str:
        """A file-name fragment: fy2568, fy2568-q1, 2024-10-01_2024-12-31."""
        if self.kind == "range":
            return f"{self.start.isoformat()}_{self.last_day.isoformat()}"
        if self.kind == "fy":
            return f"fy{self.fiscal_year}"
        letter = {"half": "h", "quarter": "q", "month": "m"}[self.kind]
        return f"fy{self.fiscal_year}-{letter}{self.part:02d}"


_year_earlier = year_earlier  # 29 February becomes 28 February (see eservice.domain.coverage)


def current_fiscal_year(today: date | None = None) -> int:
    return fiscal_year_of(today or bangkok_today())


def first_fiscal_year(session: Session, today: date | None = None) -> int:
    """The oldest fiscal year with anything to show: the first with cases, totals from paper records or
    measures (the measures report and its ITA scores), and never later than last year (so a new
    installation can still be compared with the year before)."""
    firsts = [session.scalar(select(func.min(Case.fiscal_year))),
              session.scalar(select(func.min(PaperTotal.fiscal_year))),
              session.scalar(select(func.min(Measure.fiscal_year))),
              session.scalar(select(func.min(ItaScore.fiscal_year)))]
    last_year = current_fiscal_year(today) - 1
    return min([year for year in firsts if year is not None] + [last_year])


def last_fiscal_year(today: date | None = None) -> int:
    """The newest fiscal year one may choose: the next one (its report is prepared before it starts)."""
    return current_fiscal_year(today) + 1


def fiscal_years(session: Session, today: date | None = None) -> list[int]:
    """The fiscal years every year picker offers, newest first: from the first with cases, paper totals
    or measures (:func:`first_fiscal_year`) to the next one. The one range for /stats, /admin/stats, the
    exports, the command line and the measures pages."""
    return list(range(last_fiscal_year(today), first_fiscal_year(session, today) - 1, -1))


def default_fiscal_year(today: date | None = None) -> int:
    """The year a picker shows first: the current one (the list starts with the next)."""
    return current_fiscal_year(today)


def check_fiscal_year(session: Session, fiscal_year: int, today: date | None = None, *, field: str = "fy") -> int:
    """``fiscal_year`` if statistics exist for it, else a :class:`DomainError` saying which do."""
    newest = last_fiscal_year(today)
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


EN_MONTHS_LONG = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December")


def month_label(first: date, locale: str = "th", *, long: bool = False) -> str:
    """``ต.ค. 2567`` / ``Oct 2024`` (Buddhist era in Thai); with ``long``, ``ตุลาคม 2567`` / ``October 2024``."""
    if locale == "th":
        names = THAI_MONTHS_LONG if long else THAI_MONTHS_SHORT
        return f"{names[first.month - 1]} {first.year + BE_OFFSET}"
    names = EN_MONTHS_LONG if long else EN_MONTHS_SHORT
    return f"{names[first.month - 1]} {first.year}"


# --- SQL building blocks ----------------------------------------------------------------------------
#
# Four kinds of GROUP BY, each reading one covering index of the case table in its own order (see
# the indexes in eservice/models/case.py), so SQLite streams through a fiscal year's cases without
# sorting and without touching the table. What depends on today (open cases already past their
# due date) is counted by a fourth query over open cases only, which are few.



def month_number(day: date) -> int:
    """202410 for October 2024: the form of Case.received_month."""
    return day.year * 100 + day.month


def _in_period(period: StatsPeriod) -> list:
    """The conditions that select a period's cases. Whole fiscal years and their parts use the stored
    fiscal year and Bangkok month of receipt (the same Bangkok boundaries, as integers an index can
    use); other ranges compare received_at with the Bangkok midnights."""
    if period.kind == "range":
        low, high = period.utc_bounds()
        return [
            Case.fiscal_year.between(fiscal_year_of(period.start), fiscal_year_of(period.last_day)),
            Case.received_at >= low,
            Case.received_at < high,
        ]
    conditions = [Case.fiscal_year == period.fiscal_year]
    if period.kind != "fy":
        conditions.append(Case.received_month.between(month_number(period.start), month_number(period.last_day)))
    return conditions


def _grouped(session: Session, period: StatsPeriod, columns: list, *extra_conditions, aggregates=None):
    aggregates = aggregates if aggregates is not None else [func.count()]
    statement = (select(*columns, *aggregates).where(*_in_period(period), *extra_conditions)
                 .group_by(*columns))
    return session.execute(statement).all()


def _count_if(condition):
    return func.coalesce(func.sum(sql_case((condition, 1), else_=0)), 0)


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
    answered_ever: int = 0
    rateable: int = 0
    paper: int = 0  # of ``received``, counted from paper records (no status, timing or rating known)

    def add_status(self, status: str, resolved_on_time: bool | None, n: int) -> None:
        self.received += n
        if status in FINISHED_STATUSES:
            self.completed += n
        else:
            self.in_progress += n
        if resolved_on_time is True:
            self.on_time += n
        elif resolved_on_time is False:
            self.late += n
        if status in RATEABLE:
            self.rateable += n

    def add_paper(self, n: int) -> None:
        """Cases counted on paper: received, nothing else known of them."""
        self.received += n
        self.paper += n

    def merge(self, other: Counts) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def on_time_pct(self) -> float | None:
        return percent(self.on_time, self.on_time + self.late)

    @property
    def ack_on_time_pct(self) -> float | None:
        return percent(self.ack_on_time, self.ack_on_time + self.ack_late)

    @property
    def reopen_rate_pct(self) -> float | None:
        return percent(self.reopened, self.answered_ever)

    @property
    def completed_pct(self) -> float | None:
        return percent(self.completed, self.received)


COUNTS = tuple(Counts.__dataclass_fields__)


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
    rateable: int = 0  # cases resolved or closed now, the ones that can be rated

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
    """The figures of one period that need no breakdown by division, category or village: the page's
    first table, the previous year's column, the named figures and the public statistics."""

    period: StatsPeriod
    totals: Counts
    by_channel: dict[str, int]
    by_type: dict[str, int]
    by_month: dict[int, Counts]  # YYYYMM -> counts
    month_channel: dict[tuple[int, str], int]  # (YYYYMM, channel) -> cases
    month_type: dict[tuple[int, str], Counts]  # (YYYYMM, case type) -> counts
    durations: Durations
    satisfaction: Satisfaction
    coverage: Coverage | None = None  # what is known of the period (go-live, today, paper totals)
    paper: paper_totals.Included | None = None  # the paper totals counted in the figures above

    @property
    def known(self) -> bool:
        """Whether the period has any figures at all: days since go-live, paper totals, or cases (a case
        received before a go-live date moved later is still counted, never hidden)."""
        return self.coverage is None or self.coverage.has_data or self.totals.received > self.totals.paper

    def month_state(self, first: date) -> str:
        """How much of the month starting ``first`` is known (see :meth:`Coverage.month_state`)."""
        return self.coverage.month_state(first) if self.coverage is not None else "known"

    @property
    def paper_by_channel(self) -> dict[str, int]:
        return self.paper.by_channel() if self.paper else {}

    @property
    def paper_by_type(self) -> dict[str, int]:
        return self.paper.by_type() if self.paper else {}

    @property
    def eservice_share_pct(self) -> float | None:
        return percent(self.by_channel.get("web", 0), self.totals.received)

    @property
    def months(self) -> list[date]:
        """The first days of the calendar months in the period."""
        return month_starts(self.period.span)


@dataclass
class Statistics:
    """Everything the statistics page shows for a period."""

    summary: Summary
    previous: Summary
    channel_type: dict[tuple[str, str], int]  # (channel, case type) -> cases
    by_channel: dict[str, Counts]
    by_type: dict[str, Counts]
    by_division: dict[int, Counts]
    by_category: dict[int | None, Counts]
    by_village: dict[int | None, Counts]
    today: date

    @property
    def period(self) -> StatsPeriod:
        return self.summary.period

    @property
    def months(self) -> list[date]:
        return self.summary.months

    @property
    def coverage(self) -> Coverage | None:
        return self.summary.coverage


def _without(exclude_types: tuple[str, ...]) -> list:
    """The condition that leaves cases of these types out (see :mod:`eservice.domain.integrity_figures`)."""
    return [Case.case_type.not_in(exclude_types)] if exclude_types else []


def _late_open(session: Session, period: StatsPeriod, today: date, exclude_types: tuple[str, ...] = ()):
    """Open cases already past their due dates: (channel, type, division, category, village, month,
    late, not yet acknowledged and late) rows."""
    columns = [Case.channel_code, Case.case_type, Case.division_id, Case.category_id, Case.village_id,
               Case.received_month]
    return _grouped(
        session, period, columns,
        or_(clock.late_open_clause(today), clock.ack_late_open_clause(today)), *_without(exclude_types),
        aggregates=[
            _count_if(clock.late_open_clause(today)),
            _count_if(clock.ack_late_open_clause(today)),
        ],
    )


def coverage_of(session: Session, period: StatsPeriod, today: date | None = None) -> Coverage:
    """What is known of ``period`` today: go-live, days not yet reached and whether paper totals count in
    it (the rules of :mod:`eservice.domain.coverage`; :func:`summarise` attaches the same to a Summary)."""
    since = in_use_since(session)
    paper = paper_totals.included(session, period.start, period.end, since)
    return Coverage(period.start, period.end, today or bangkok_today(), since, paper.any)


def timing_and_ratings(session: Session, period: StatsPeriod, totals: Counts,
                       *conditions) -> tuple[Durations, dict[int, int]]:
    """The working days cases of ``period`` (matching ``conditions``) took to be acknowledged and answered,
    and the distribution of their ratings (1–5); adds acknowledgements on and past time, reopened cases and
    cases ever answered to ``totals``. The statistics and the complaint-handling summary share it."""
    durations = Durations()
    ratings = dict.fromkeys(range(1, 6), 0)
    columns = [Case.ack_working_days, Case.resolve_working_days, Case.acknowledged_on_time, Case.reopen_count,
               Case.rating_score]
    for ack, resolve, ack_on_time, reopen_count, score, n in _grouped(session, period, columns, *conditions):
        if ack is not None:
            durations.ack[ack] = durations.ack.get(ack, 0) + n
        if resolve is not None:
            durations.resolve[resolve] = durations.resolve.get(resolve, 0) + n
        if ack_on_time is True:
            totals.ack_on_time += n
        elif ack_on_time is False:
            totals.ack_late += n
        if reopen_count:
            totals.reopened += n
        if resolve is not None or reopen_count:
            totals.answered_ever += n
        if score is not None:
            ratings[score] = ratings.get(score, 0) + n
    return durations, ratings


def summarise(session: Session, period: StatsPeriod, today: date | None = None,
              late_rows: list | None = None, exclude_types: tuple[str, ...] = ()) -> Summary:
    """The figures of a period that need no breakdown by division, category or village, leaving out
    cases of ``exclude_types``, with the totals from paper records that count in it (added to
    ``received``, by channel and by type, never by month) and what is known of it
    (:class:`~eservice.domain.coverage.Coverage`)."""
    today = today or bangkok_today()
    since = in_use_since(session)
    kept_types = [t for t in CASE_TYPES if t not in exclude_types] if exclude_types else None
    paper = paper_totals.included(session, period.start, period.end, since, types=kept_types)
    coverage = Coverage(period.start, period.end, today, since, paper.any)
    totals = Counts()
    by_channel: dict[str, int] = defaultdict(int)
    by_type: dict[str, int] = defaultdict(int)
    by_month: dict[int, Counts] = defaultdict(Counts)
    month_channel: dict[tuple[int, str], int] = defaultdict(int)
    month_type: dict[tuple[int, str], Counts] = defaultdict(Counts)
    columns = [Case.received_month, Case.channel_code, Case.case_type, Case.status, Case.resolved_on_time]
    for month, channel, case_type, status, on_time, n in _grouped(session, period, columns,
                                                                  *_without(exclude_types)):
        totals.add_status(status, on_time, n)
        by_month[month].add_status(status, on_time, n)
        month_type[(month, case_type)].add_status(status, on_time, n)
        by_channel[channel] += n
        by_type[case_type] += n
        month_channel[(month, channel)] += n

    if late_rows is None:
        late_rows = _late_open(session, period, today, exclude_types)
    for _channel, case_type, _division, _category, _village, month, late, ack_late in late_rows:
        totals.late += late
        totals.ack_late += ack_late
        by_month[month].late += late
        by_month[month].ack_late += ack_late
        month_type[(month, case_type)].late += late

    durations, ratings = timing_and_ratings(session, period, totals, *_without(exclude_types))
    for (channel, case_type), n in paper.by_channel_type.items():
        totals.add_paper(n)
        by_channel[channel] += n
        by_type[case_type] += n
    return Summary(
        period=period,
        totals=totals,
        by_channel=dict(by_channel),
        by_type=dict(by_type),
        by_month=dict(by_month),
        month_channel=dict(month_channel),
        month_type=dict(month_type),
        durations=durations,
        satisfaction=Satisfaction(distribution=ratings, rateable=totals.rateable),
        coverage=coverage,
        paper=paper,
    )


def compute(session: Session, period: StatsPeriod, today: date | None = None,
            exclude_types: tuple[str, ...] = ()) -> Statistics:
    """Every figure of the statistics page for ``period`` and the same period a year earlier, leaving
    out cases of ``exclude_types`` (what someone outside the integrity unit sees: integrity_figures)."""
    today = today or bangkok_today()
    late_rows = _late_open(session, period, today, exclude_types)
    summary = summarise(session, period, today, late_rows, exclude_types)
    channel_type: dict[tuple[str, str], int] = defaultdict(int)
    by_channel: dict[str, Counts] = defaultdict(Counts)
    by_type: dict[str, Counts] = defaultdict(Counts)
    by_division: dict[int, Counts] = defaultdict(Counts)
    by_category: dict[int | None, Counts] = defaultdict(Counts)
    by_village: dict[int | None, Counts] = defaultdict(Counts)
    # Villages apart: grouped with the rest they would multiply the rows SQLite hands back.
    columns = [Case.channel_code, Case.case_type, Case.division_id, Case.category_id, Case.status,
               Case.resolved_on_time]
    for channel, case_type, division, category, status, on_time, n in _grouped(session, period, columns,
                                                                               *_without(exclude_types)):
        channel_type[(channel, case_type)] += n
        for counts in (by_channel[channel], by_type[case_type], by_division[division], by_category[category]):
            counts.add_status(status, on_time, n)
    for village, status, on_time, n in _grouped(session, period, [Case.village_id, Case.status,
                                                                   Case.resolved_on_time], *_without(exclude_types)):
        by_village[village].add_status(status, on_time, n)
    for channel, case_type, division, category, village, _month, late, ack_late in late_rows:
        for counts in (by_channel[channel], by_type[case_type], by_division[division], by_category[category],
                       by_village[village]):
            counts.late += late
            counts.ack_late += ack_late
    if summary.paper is not None:
        for (channel, case_type), n in summary.paper.by_channel_type.items():
            channel_type[(channel, case_type)] += n
            by_channel[channel].add_paper(n)
            by_type[case_type].add_paper(n)
    return Statistics(
        summary=summary,
        previous=summarise(session, period.comparison(today), today, exclude_types=exclude_types),
        channel_type=dict(channel_type),
        by_channel=dict(by_channel),
        by_type=dict(by_type),
        by_division=dict(by_division),
        by_category=dict(by_category),
        by_village=dict(by_village),
        today=today,
    )


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
    "ack_p90_days": _l("Working days within which nine cases in ten were acknowledged"),
    "resolve_median_days": _l("Median working days to resolve a case"),
    "resolve_p90_days": _l("Working days within which nine cases in ten were resolved"),
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


# --- public statistics (OIT): complaints and corruption complaints per fiscal year --------------------

# The ITA's "general complaints" are complaints and grievances; its corruption complaints are the
# integrity unit's reports, corruption and No Gift Policy alike.
PUBLIC_GENERAL_TYPES = ("complaint",)
PUBLIC_INTEGRITY_TYPES = ("corruption", "gift")
# Corruption reports are broken down by month, quarter or half only as finely as keeps every period
# that had any at this many or more: fewer could point at the people involved.
PUBLIC_MIN_BREAKDOWN = 5
PUBLIC_LEVELS = ("month", "quarter", "half")


def publishable(received: Iterable[int | None], min_breakdown: int = PUBLIC_MIN_BREAKDOWN) -> bool:
    """The small-count rule: a breakdown of corruption and gift reports may be shown only if every part
    that had any had at least ``min_breakdown``. The public page and, for everyone outside the
    integrity unit, the statistics, their exports and the command line ask this one question. A part
    with no data (None: before go-live, not yet reached) shows nothing and counts as empty."""
    return all(not n or n >= min_breakdown for n in received)


@dataclass
class PublicCount:
    """A row of the public tables. None: nothing is known (before go-live, or not yet reached)."""

    label: str
    received: int | None = 0
    completed: int | None = 0
    in_progress: int | None = 0
    paper: int = 0  # of ``received``, from paper records (their status is not known)

    def add(self, counts: Counts) -> None:
        self.received = (self.received or 0) + counts.received
        self.completed = (self.completed or 0) + counts.completed
        self.in_progress = (self.in_progress or 0) + counts.in_progress

    def add_row(self, other: PublicCount) -> None:
        if other.received is None:
            return
        self.received = (self.received or 0) + other.received
        self.completed = (self.completed or 0) + (other.completed or 0)
        self.in_progress = (self.in_progress or 0) + (other.in_progress or 0)
        self.paper += other.paper

    @property
    def known(self) -> bool:
        return self.received is not None


@dataclass
class PublicSection:
    key: str  # general | integrity
    total: PublicCount
    levels: dict[str, list[PublicCount]]  # the breakdowns published: month, quarter, half
    withheld: list[str]  # breakdowns not published because their counts were too small
    known: bool = True  # False: no data at all for the year (before go-live, no paper totals)

    @property
    def none(self) -> bool:
        return self.known and self.total.received == 0


@dataclass
class PublicStatistics:
    fiscal_year: int
    period: StatsPeriod
    general: PublicSection
    integrity: PublicSection
    today: date
    min_breakdown: int
    coverage: Coverage | None = None


def _public_section(key: str, fiscal_year: int, month_type: dict[tuple[int, str], Counts], types: tuple[str, ...],
                    locale: str, min_breakdown: int | None, coverage: Coverage | None = None,
                    paper: dict[str, int] | None = None) -> PublicSection:
    months = month_starts(fiscal_year_period(fiscal_year))
    monthly = []
    for first in months:
        state = coverage.month_state(first) if coverage is not None else "known"
        label = month_caption(month_label(first, locale, long=True), state,
                              coverage.in_use_since if coverage else None, locale)
        count = PublicCount(label)
        has_cases = any((month_number(first), case_type) in month_type for case_type in types)
        if state in (BEFORE, NOT_REACHED) and not has_cases:
            count.received = count.completed = count.in_progress = None
        else:
            for case_type in types:
                count.add(month_type.get((month_number(first), case_type), Counts()))
        monthly.append(count)

    def grouped(size: int, label) -> list[PublicCount]:
        result = []
        for index in range(0, 12, size):
            count = PublicCount(str(label(index // size + 1)), None, None, None)
            for month in monthly[index:index + size]:
                count.add_row(month)
            result.append(count)
        return result

    levels = {
        "month": monthly,
        "quarter": grouped(3, lambda n: _l("Quarter %(n)d", n=n)),
        "half": grouped(6, lambda n: _l("Half %(n)d", n=n)),
    }
    total = PublicCount(str(_l("Fiscal year %(fy)d", fy=fiscal_year)))
    for month in monthly:
        total.add_row(month)
    paper_received = sum((paper or {}).get(case_type, 0) for case_type in types)
    if paper_received:
        total.received = (total.received or 0) + paper_received
        total.paper = paper_received
    known = coverage is None or coverage.has_data or any(m.received for m in monthly)
    if not known:
        total.received = total.completed = total.in_progress = None
    if coverage is not None and not coverage.has_case_data and not any(m.received for m in monthly):
        # Known from paper records alone (or not at all): no month to break down, no status to report.
        total.completed = total.in_progress = None
        levels = {}
    withheld: list[str] = []
    if min_breakdown and levels:
        for level in PUBLIC_LEVELS:  # finest first: once one is safe, the coarser ones are too
            if publishable((c.received for c in levels[level]), min_breakdown):
                break
            withheld.append(level)
        for level in withheld:
            del levels[level]
    return PublicSection(key, total, levels, withheld, known)


def public_statistics(session: Session, fiscal_year: int, locale: str = "th", today: date | None = None,
                      min_breakdown: int = PUBLIC_MIN_BREAKDOWN) -> PublicStatistics:
    """What the public statistics page publishes for a fiscal year: counts only, from one GROUP BY. Months
    before go-live and months not yet reached are None (no data / empty), never 0; totals from paper
    records count in the year's total only (they are not kept by month), marked as such."""
    today = today or bangkok_today()
    period = make_period("fy", fiscal_year)
    month_type: dict[tuple[int, str], Counts] = defaultdict(Counts)
    columns = [Case.received_month, Case.channel_code, Case.case_type, Case.status, Case.resolved_on_time]
    types = PUBLIC_GENERAL_TYPES + PUBLIC_INTEGRITY_TYPES
    for month, _channel, case_type, status, on_time, n in _grouped(session, period, columns,
                                                                    Case.case_type.in_(types)):
        month_type[(month, case_type)].add_status(status, on_time, n)
    since = in_use_since(session)
    paper = paper_totals.included(session, period.start, period.end, since, types)
    coverage = Coverage(period.start, period.end, today, since, paper.any)
    by_type = paper.by_type()
    return PublicStatistics(
        fiscal_year=fiscal_year,
        period=period,
        general=_public_section("general", fiscal_year, month_type, PUBLIC_GENERAL_TYPES, locale, None,
                                coverage, by_type),
        integrity=_public_section("integrity", fiscal_year, month_type, PUBLIC_INTEGRITY_TYPES, locale,
                                  min_breakdown, coverage, by_type),
        today=today,
        min_breakdown=min_breakdown,
        coverage=coverage,
    )
