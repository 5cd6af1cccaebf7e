"""What the statistics tell someone outside the integrity unit about corruption and gift reports.

The public statistics page (:func:`stats.public_statistics`) gives them as one count per fiscal year,
broken down by month, quarter or half only as finely as the small-count rule (:func:`stats.publishable`)
allows. Administrators and executives who do not hold the integrity role learn no more than that from
``/admin/stats``, its CSV and XLSX exports and ``flask stats``:

- every table there (summary, channel, type, month, division, category, village, satisfaction, any
  range of days) counts the other types only, so that no breakdown, and no total minus its parts,
  holds a corruption or gift report;
- the type table gives them as one line, the public page's own figure for the period: the fiscal
  year's, or its half's, quarter's or month's when the public page publishes that breakdown for the
  year, and nothing ("–") for a range of days or a breakdown the rule withholds.

Holders of the integrity role see the exact figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from . import stats

INTEGRITY_TYPES = stats.PUBLIC_INTEGRITY_TYPES


@dataclass
class IntegrityLine:
    """The integrity reports as shown to someone outside the integrity unit."""

    current: stats.PublicCount | None  # None: withheld by the small-count rule
    previous: stats.PublicCount | None
    min_breakdown: int


def public_count(session: Session, period: stats.StatsPeriod, today: date | None = None,
                 min_breakdown: int = stats.PUBLIC_MIN_BREAKDOWN) -> stats.PublicCount | None:
    """The public page's count of integrity reports for ``period``, or None when it publishes none
    for it (a range of days, or a half, quarter or month of a year the rule withholds)."""
    if period.kind == "range" or period.fiscal_year is None:
        return None
    public = stats.public_statistics(session, period.fiscal_year, today=today, min_breakdown=min_breakdown)
    section = public.integrity
    if period.kind == "fy":
        return section.total
    parts = section.levels.get(period.kind)
    if parts is None or period.part is None:  # withheld
        return None
    index = (period.part - 10) % 12 if period.kind == "month" else period.part - 1
    return parts[index]


def statistics_for(session: Session, period: stats.StatsPeriod, *, exact: bool, today: date | None = None,
                   min_breakdown: int = stats.PUBLIC_MIN_BREAKDOWN) -> tuple[stats.Statistics, IntegrityLine | None]:
    """The figures of ``period`` as this reader may see them: exact (``exact``, the integrity role), or
    without integrity reports and with their :class:`IntegrityLine`."""
    if exact:
        return stats.compute(session, period, today), None
    figures = stats.compute(session, period, today, exclude_types=INTEGRITY_TYPES)
    line = IntegrityLine(
        current=public_count(session, period, figures.today, min_breakdown),
        previous=public_count(session, period.previous_year(), figures.today, min_breakdown),
        min_breakdown=min_breakdown,
    )
    return figures, line
