"""Thai fiscal years: 1 October to 30 September, named by the Buddhist-era year in which they end.
Boundaries are Bangkok midnights."""

from dataclasses import dataclass
from datetime import date, datetime, time

from .thai import BANGKOK, BE_OFFSET, to_bangkok


def fiscal_year_of(day: date | datetime) -> int:
    """The B.E. fiscal year of a Bangkok date (or an aware datetime): 2024-10-01 -> 2568."""
    if isinstance(day, datetime):
        day = to_bangkok(day).date()
    return day.year + BE_OFFSET + (1 if day.month >= 10 else 0)


@dataclass(frozen=True)
class Period:
    """A half-open span of Bangkok dates [start, end)."""

    start: date
    end: date

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """The same span as aware datetimes at Bangkok midnight, for comparing stored UTC times."""
        return (
            datetime.combine(self.start, time(), tzinfo=BANGKOK),
            datetime.combine(self.end, time(), tzinfo=BANGKOK),
        )


def fiscal_year_period(fiscal_year_be: int) -> Period:
    ce_end = fiscal_year_be - BE_OFFSET
    return Period(date(ce_end - 1, 10, 1), date(ce_end, 10, 1))


# --- parts of a fiscal year: halves Oct–Mar / Apr–Sep, quarters Oct–Dec … Jul–Sep, months ---------


def add_months(day: date, months: int) -> date:
    """The first of the month ``months`` after ``day``'s month (``day`` is expected to be a first)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def fiscal_half_period(fiscal_year_be: int, half: int) -> Period:
    """Half 1 is October to March, half 2 April to September."""
    if half not in (1, 2):
        raise ValueError("half must be 1 or 2")
    start = add_months(fiscal_year_period(fiscal_year_be).start, 6 * (half - 1))
    return Period(start, add_months(start, 6))


def fiscal_quarter_period(fiscal_year_be: int, quarter: int) -> Period:
    """Quarter 1 is October to December, … quarter 4 July to September."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter must be 1 to 4")
    start = add_months(fiscal_year_period(fiscal_year_be).start, 3 * (quarter - 1))
    return Period(start, add_months(start, 3))


def fiscal_month_period(fiscal_year_be: int, month: int) -> Period:
    """A calendar month (1–12) as it falls in the fiscal year: October of FY2568 is October 2024."""
    if month not in range(1, 13):
        raise ValueError("month must be 1 to 12")
    fy_start = fiscal_year_period(fiscal_year_be).start
    start = date(fy_start.year if month >= 10 else fy_start.year + 1, month, 1)
    return Period(start, add_months(start, 1))


def month_starts(period: Period) -> list[date]:
    """The first day of every calendar month that overlaps ``period``, in order."""
    first = period.start.replace(day=1)
    months = []
    while first < period.end:
        months.append(first)
        first = add_months(first, 1)
    return months
