"""The working-day clock: due dates skip weekends and the holiday calendar.

A limit of *n* working days counts from the day after filing: a case filed on Friday with one
working day to acknowledge is due on Monday (or later, if Monday is a holiday). A case is late once
the Bangkok date is past its due date.
"""

from collections.abc import Iterable
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Holiday, HolidaySource
from .statuses import AWAITING_ACKNOWLEDGEMENT, CLOCK_PAUSED, CLOCK_RUNNING

# The limits of a case whose category sets none (or that has no category), in working days.
DEFAULT_ACK_DAYS = 1
DEFAULT_RESOLVE_DAYS = 15


def is_working_day(day: date, holidays: set[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, days: int, holidays: Iterable[date]) -> date:
    """The date ``days`` working days after ``start``; ``days == 0`` gives the first working day
    on or after ``start``."""
    holidays = set(holidays)
    day = start
    if days == 0:
        while not is_working_day(day, holidays):
            day += timedelta(days=1)
        return day
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            counted += 1
    return day


def working_days_between(start: date, end: date, holidays: Iterable[date]) -> int:
    """Working days in (start, end]: 0 when end is not after start."""
    holidays = set(holidays)
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            count += 1
    return count


def days_off_clause():
    """The calendar's rows that are days off (not the days an administrator removed), as SQL."""
    return Holiday.source != HolidaySource.ADMIN_REMOVED.value


def holidays_from(session: Session, start: date) -> set[date]:
    """Days off from ``start`` on (enough for any due date computed from that day); see
    :mod:`eservice.domain.days_off` for where they come from."""
    return set(session.scalars(select(Holiday.day).where(Holiday.day >= start, days_off_clause())))


def moved_due(start: date, due: date, before: Iterable[date], after: Iterable[date]) -> date:
    """The due date ``due``, counted in working days from ``start`` while the days off were ``before``, once
    the days off are ``after``: the same number of working days from ``start``. A due date on or before
    ``start`` (nothing counted) stays; one that fell on a day off (given before that day was known) counts as
    the working day after it."""
    if due <= start:
        return due
    before = set(before)
    counted = working_days_between(start, due, before) + (0 if is_working_day(due, before) else 1)
    return add_working_days(start, counted, after)


def limits_for(category) -> tuple[int, int]:
    """(working days to acknowledge, working days to answer) for a case of ``category`` (may be None)."""
    if category is None:
        return DEFAULT_ACK_DAYS, DEFAULT_RESOLVE_DAYS
    return category.ack_days, category.resolve_days


def service_standard(categories) -> list[dict]:
    """The published service standard: per case type offered by active categories, the longest time to
    acknowledge and the shortest and longest time to answer, in working days."""
    from .case_types import CASE_TYPES

    standard = []
    for kind in CASE_TYPES.values():
        offered = [c for c in categories if c.active and c.offered_for(kind.code)]
        if offered:
            standard.append({
                "kind": kind,
                "ack_days": max(c.ack_days for c in offered),
                "resolve_min": min(c.resolve_days for c in offered),
                "resolve_max": max(c.resolve_days for c in offered),
            })
    return standard


def due_dates(session: Session, filed_on: date, ack_days: int, resolve_days: int) -> tuple[date, date]:
    """(acknowledge by, resolve by) for a case filed on the Bangkok date ``filed_on``."""
    holidays = holidays_from(session, filed_on)
    return (
        add_working_days(filed_on, ack_days, holidays),
        add_working_days(filed_on, resolve_days, holidays),
    )


def is_overdue(due: date, today: date) -> bool:
    return today > due


# --- the clock of one case: deadlines, pauses, overdue and on-time --------------------------------
#
# The deadline the office works to is the acknowledge-by date until the case is acknowledged, then
# the resolve-by date. While the office waits for the citizen (awaiting_citizen) the clock stands
# still: the case is neither overdue nor due soon, and the resolve-by date moves on by the working
# days spent waiting (workflow adds them for good when the case leaves that status). "On time", the
# statistic, counts a case still open past its date as late.

DUE_SOON_WORKING_DAYS = 2
# What deadline_state() answers, in words.
DEADLINE_LABELS = {
    "overdue": _l("Overdue"),
    "due_soon": _l("Due soon"),
    "on_track": _l("On track"),
    "paused": _l("Clock paused"),
    "finished": _l("Finished"),
}


def deadline_label(state: str):
    return DEADLINE_LABELS.get(state, state)


def deadlines(case) -> list[tuple[str, date]]:
    """The dates the office is held to now, as (stage, date): ``ack`` until acknowledged, ``resolve`` while
    the clock runs; none while it waits for the citizen or once it has answered."""
    stages = []
    if case.status == AWAITING_ACKNOWLEDGEMENT:
        stages.append(("ack", case.ack_due))
    if case.status in CLOCK_RUNNING:
        stages.append(("resolve", case.resolve_due))
    return stages


def next_stage(case) -> str:
    """``ack`` until the case is acknowledged, then ``resolve``: which date :func:`next_due` is."""
    return "ack" if case.status == AWAITING_ACKNOWLEDGEMENT else "resolve"


def next_due(case) -> date:
    return case.ack_due if case.status == AWAITING_ACKNOWLEDGEMENT else case.resolve_due


def next_due_column():
    """:func:`next_due` as an SQL expression, for filtering and sorting the queue."""
    from sqlalchemy import case as sql_case

    from ..models import Case

    return sql_case((Case.status == AWAITING_ACKNOWLEDGEMENT, Case.ack_due), else_=Case.resolve_due)


def due_soon_limit(today: date, holidays: Iterable[date], days: int = DUE_SOON_WORKING_DAYS) -> date:
    """The last date that still counts as "due soon" seen from ``today``."""
    return add_working_days(today, days, holidays)


def resolve_due_as_of(case, today: date, holidays: Iterable[date]) -> date:
    """The resolve-by date as it stands on ``today``, counting the working days of a pause in progress."""
    if case.status == CLOCK_PAUSED and case.paused_since is not None:
        from .thai import to_bangkok

        paused = working_days_between(to_bangkok(case.paused_since).date(), today, holidays)
        return add_working_days(case.resolve_due, paused, holidays) if paused else case.resolve_due
    return case.resolve_due


def deadline_state(case, today: date, holidays: Iterable[date] = (), soon_limit: date | None = None) -> str:
    """``overdue``, ``due_soon``, ``on_track``, ``paused`` (waiting for the citizen) or ``finished``."""
    if case.status == CLOCK_PAUSED:
        return "paused"
    if case.status not in CLOCK_RUNNING:
        return "finished"
    due = next_due(case)
    if is_overdue(due, today):
        return "overdue"
    if soon_limit is None:
        soon_limit = due_soon_limit(today, holidays)
    return "due_soon" if due <= soon_limit else "on_track"


def overdue_clause(today: date):
    from ..models import Case

    return Case.status.in_(CLOCK_RUNNING) & (next_due_column() < today)


def due_soon_clause(today: date, soon_limit: date):
    from ..models import Case

    due = next_due_column()
    return Case.status.in_(CLOCK_RUNNING) & (due >= today) & (due <= soon_limit)


# --- on time, the statistic ---------------------------------------------------------------------------
#
# One definition, kept on the case so that statistics count stored values: ``resolved_on_time`` is True or
# False once the office has answered (resolved, not accepted, merged: durations.record_answered), and False
# while the office waits for the citizen on a case that was already late when the wait began (a pause does
# not hide lateness). A case whose clock runs is late once today is past its resolve-by date; otherwise it
# is not decided yet.


def answered_on_time(answered_on: date, resolve_due: date) -> bool:
    return answered_on <= resolve_due


def late_when_paused(paused_on: date, resolve_due: date) -> bool:
    return paused_on > resolve_due


def on_time(case, today: date) -> bool | None:
    """True when answered by the resolve-by date; False when answered late or still open past it;
    None while still open and within time (not yet decided)."""
    if case.resolved_on_time is not None:
        return case.resolved_on_time
    if case.status in CLOCK_RUNNING and case.resolve_due < today:
        return False
    return None


def late_open_clause(today: date):
    """Cases whose clock runs and whose resolve-by date is past: the open part of "late", as SQL
    (answered and paused-while-late cases carry their verdict in ``resolved_on_time``)."""
    from ..models import Case

    return Case.status.in_(CLOCK_RUNNING) & Case.resolved_on_time.is_(None) & (Case.resolve_due < today)


def ack_late_open_clause(today: date):
    """Not yet acknowledged and past the acknowledge-by date."""
    from ..models import Case

    return (Case.status == AWAITING_ACKNOWLEDGEMENT) & (Case.ack_due < today)
