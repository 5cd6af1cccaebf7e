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
