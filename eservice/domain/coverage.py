"""What the figures of a period can honestly say (issue 10): the rules every statistics page, export, the
command line and the reports share.

- **Before go-live there is no data, not zero.** The e-Service went into use on
  ``Organisation.in_use_since`` (a Bangkok date; None = unknown, then nothing is restricted). A period that
  ends on or before it has no data unless totals from paper records cover it; a period that starts before
  it counts from it and says so ("ข้อมูลตั้งแต่ …" / "data since …").
- **Days not yet reached are empty, not zero.** A month that starts after today has no figures; a period
  that holds today is "so far, as of <today>" ("ถึงวันที่ …", the glossary's word for the last day of a
  range, which is included).
- **The same period a year earlier is the same span** (:func:`comparison_span`): a period that holds today
  is compared, day for day, with the same calendar dates a year earlier (1 Oct 2569 – 2 Dec 2569 against
  1 Oct 2568 – 2 Dec 2568); a finished period with the whole of its previous year's period. 29 February
  maps to 28 February (:func:`year_earlier`): the spans are the same calendar dates, so they differ by one
  day only when the earlier span holds a 29 February the later one cannot name (it ends on 28 February).
- **Totals from paper records** (:mod:`eservice.domain.paper_totals`) are kept per fiscal year, for the
  days of it before go-live (:func:`paper_span`); they count in a period only when it holds that whole
  span (a fiscal year, or a range around it), never split into months, quarters or halves they were not
  counted by, and are marked "from paper records" wherever they are shown.

Plain dates in, plain answers and lazy texts out: no request, no session except where one is passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from .fiscal import Period, add_months, fiscal_year_period
from .thai import format_date

KNOWN = "known"  # a month with figures (all of it on or after go-live, and begun)
PARTIAL = "partial"  # a month that starts before go-live: counted from go-live
BEFORE = "before"  # a month that ends on or before go-live: no data
NOT_REACHED = "not_reached"  # a month that starts after today: empty


def year_earlier(day: date) -> date:
    """The same calendar date a year earlier; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def comparison_span(start: date, end: date, today: date) -> tuple[date, date, bool]:
    """``(first day, end exclusive, to_date)`` of the span a period ``[start, end)`` is compared with.

    A period that holds ``today`` is compared to date: its days up to and including today against the
    same calendar dates a year earlier (``to_date`` true). Any other period is compared with the whole
    of the same span a year earlier."""
    if start <= today < end:
        return year_earlier(start), year_earlier(today) + timedelta(days=1), True
    return year_earlier(start), year_earlier(end - timedelta(days=1)) + timedelta(days=1), False


def paper_span(fiscal_year: int, in_use_since: date | None) -> Period | None:
    """The days of ``fiscal_year`` a paper total stands for: those before go-live (None: none are)."""
    whole = fiscal_year_period(fiscal_year)
    if in_use_since is None or in_use_since <= whole.start:
        return None
    return Period(whole.start, min(whole.end, in_use_since))


def paper_counts_in(fiscal_year: int, in_use_since: date | None, start: date, end: date) -> bool:
    """Whether a paper total of ``fiscal_year`` counts in the period ``[start, end)``: it must hold the
    total's whole span, which the total cannot be split below."""
    span = paper_span(fiscal_year, in_use_since)
    return span is not None and start <= span.start and span.end <= end


@dataclass(frozen=True)
class Coverage:
    """What is known of the period ``[start, end)`` on ``today`` with the go-live date ``in_use_since``."""

    start: date
    end: date  # exclusive
    today: date
    in_use_since: date | None = None
    paper: bool = False  # totals from paper records count in this period

    @property
    def known_start(self) -> date:
        """The first day with figures from the e-Service: go-live, when the period starts before it."""
        if self.in_use_since is not None and self.in_use_since > self.start:
            return self.in_use_since
        return self.start

    @property
    def known_end(self) -> date:
        """The day after the last day with figures: tomorrow, when the period runs past today."""
        return min(self.end, self.today + timedelta(days=1))

    @property
    def has_case_data(self) -> bool:
        """Whether any day of the period is both on or after go-live and not after today."""
        return self.known_start < self.known_end

    @property
    def has_data(self) -> bool:
        return self.has_case_data or self.paper

    @property
    def starts_before_go_live(self) -> bool:
        return self.in_use_since is not None and self.start < self.in_use_since

    @property
    def wholly_before_go_live(self) -> bool:
        return self.in_use_since is not None and self.end <= self.in_use_since

    @property
    def not_started(self) -> bool:
        return self.start > self.today

    @property
    def so_far(self) -> bool:
        """The period holds today: its figures are "so far, as of today"."""
        return self.start <= self.today < self.end

    def month_state(self, first: date) -> str:
        """:data:`KNOWN`, :data:`PARTIAL`, :data:`BEFORE` or :data:`NOT_REACHED` for the calendar month
        starting ``first``."""
        after = add_months(first, 1)
        if self.in_use_since is not None and after <= self.in_use_since:
            return BEFORE
        if first > self.today:
            return NOT_REACHED
        if self.in_use_since is not None and first < self.in_use_since:
            return PARTIAL
        return KNOWN

    # --- words ----------------------------------------------------------------------------------

    def since_label(self, locale: str = "th") -> str:
        """"ข้อมูลตั้งแต่ 15 มี.ค. 2569" / "data since 15 Mar 2026" (empty without a go-live date)."""
        if self.in_use_since is None:
            return ""
        return str(_l("data since %(date)s", date=format_date(self.in_use_since, locale)))

    def so_far_label(self, locale: str = "th") -> str:
        """"ถึงวันที่ 2 ธ.ค. 2569" / "so far, as of 2 Dec 2026"."""
        return str(_l("so far, as of %(date)s", date=format_date(self.today, locale)))

    def known_dates_label(self, locale: str = "th") -> str:
        """The days the figures stand for: "15 มี.ค. 2569 – 2 ธ.ค. 2569"."""
        last = self.known_end - timedelta(days=1)
        return f"{format_date(self.known_start, locale)} – {format_date(last, locale)}"

    def notes(self, locale: str = "th") -> list[str]:
        """The sentences that say what the figures of the period cannot know, in the order shown."""
        notes: list[str] = []
        day = format_date(self.in_use_since, locale) if self.in_use_since else ""
        if self.not_started:
            notes.append(str(_l("This period has not begun: there are no figures yet.")))
        elif not self.has_data:
            notes.append(str(_l("There is no data for this period: the e-Service has been in use since %(date)s "
                                 "and no totals from paper records were entered for it.", date=day)))
        elif self.starts_before_go_live and self.has_case_data:
            notes.append(str(_l("Counted from %(date)s, the day the e-Service went into use: there is no data "
                                "for the days before it.", date=day)))
        elif self.wholly_before_go_live:
            notes.append(str(_l("Before %(date)s, the day the e-Service went into use, only the totals from "
                                "paper records are known.", date=day)))
        if self.so_far and self.has_case_data:
            notes.append(str(_l("Figures so far, as of %(date)s: months not yet reached are left empty.",
                                date=format_date(self.today, locale))))
        if self.paper:
            notes.append(str(_l("Marked “from paper records”: totals counted on paper before the e-Service went "
                                "into use, per fiscal year, type and channel only.")))
        return notes


def month_caption(label: str, state: str, in_use_since: date | None, locale: str = "th") -> str:
    """A month's row label, with "(from 15 Mar 2026)" when it is counted from go-live."""
    if state == PARTIAL and in_use_since is not None:
        return str(_l("%(month)s (from %(date)s)", month=label, date=format_date(in_use_since, locale)))
    return label
