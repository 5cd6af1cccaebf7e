"""The working-day figures a case keeps for the statistics.

When a case is acknowledged or answered, :mod:`eservice.domain.workflow` calls these to store how many
working days it took and whether it met its due date. Statistics then count and group stored integers
(see :mod:`eservice.domain.stats`) instead of walking the holiday calendar for every case.

- ``ack_working_days``: working days from the Bangkok date of receipt to that of acknowledgement
  (0 = the same day, 1 = the next working day, as in :func:`clock.working_days_between`).
- ``resolve_working_days``: the same to the answer (resolved, not accepted or merged), less the
  working days the clock stood still while waiting for the citizen (``paused_days``).
- ``acknowledged_on_time`` / ``resolved_on_time``: the Bangkok date was on or before the due date
  (:func:`clock.answered_on_time`); ``resolved_on_time`` is also False while the office waits for the citizen
  on a case that was already late when the wait began (see "on time" in :mod:`eservice.domain.clock`).
"""

from datetime import date, datetime

from sqlalchemy.orm import Session

from ..models import Case
from . import clock
from .thai import to_bangkok


def working_days_to(session: Session, case: Case, end: date) -> int:
    start = to_bangkok(case.received_at).date()
    return clock.working_days_between(start, end, clock.holidays_from(session, start))


def record_acknowledged(session: Session, case: Case) -> None:
    day = to_bangkok(case.acknowledged_at).date()
    case.ack_working_days = working_days_to(session, case, day)
    case.acknowledged_on_time = clock.answered_on_time(day, case.ack_due)


def record_answered(session: Session, case: Case, now: datetime) -> None:
    """Resolving is the usual answer; not accepting a case (e.g. referring it elsewhere) or merging it into
    another answers it too, and is timed the same way (``answers`` in the action registry)."""
    day = to_bangkok(now).date()
    case.resolve_working_days = max(0, working_days_to(session, case, day) - (case.paused_days or 0))
    case.resolved_on_time = clock.answered_on_time(day, case.resolve_due)


def record_paused(case: Case, now: datetime) -> None:
    """Waiting for the citizen stops the clock, but a case already late stays late while it waits."""
    if clock.late_when_paused(to_bangkok(now).date(), case.resolve_due):
        case.resolved_on_time = False


def record_resumed(case: Case) -> None:
    """The clock runs again: lateness is judged from the dates again (or by the answer)."""
    if case.resolve_working_days is None:
        case.resolved_on_time = None


def clear_resolution(case: Case) -> None:
    """A reopened case is no longer answered: its next answer is the one that counts."""
    case.resolve_working_days = None
    case.resolved_on_time = None
