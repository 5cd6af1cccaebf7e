"""The working-day clock: due dates skip weekends and the holiday calendar.

A limit of *n* working days counts from the day after filing: a case filed on Friday with one
working day to acknowledge is due on Monday (or later, if Monday is a holiday). A case is late once
the Bangkok date is past its due date.
"""

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Holiday


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


def holidays_from(session: Session, start: date) -> set[date]:
    """Holidays from ``start`` on (enough for any due date computed from that day)."""
    return set(session.scalars(select(Holiday.day).where(Holiday.day >= start)))


def due_dates(session: Session, filed_on: date, ack_days: int, resolve_days: int) -> tuple[date, date]:
    """(acknowledge by, resolve by) for a case filed on the Bangkok date ``filed_on``."""
    holidays = holidays_from(session, filed_on)
    return (
        add_working_days(filed_on, ack_days, holidays),
        add_working_days(filed_on, resolve_days, holidays),
    )


def is_overdue(due: date, today: date) -> bool:
    return today > due
