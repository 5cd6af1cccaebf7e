"""The working-day figures a case keeps for the statistics.

When a case is acknowledged or answered, :mod:`eservice.domain.workflow` calls these to store how many
working days it took and whether it met its due date. Statistics then count and group stored integers
(see :mod:`eservice.domain.stats`) instead of walking the holiday calendar for every case.

- ``ack_working_days``: working days from the Bangkok date of receipt to that of acknowledgement
  (0 = the same day, 1 = the next working day, as in :func:`clock.working_days_between`).
- ``resolve_working_days``: the same to the answer (resolved, not accepted or merged), less the
  working days the clock stood still while waiting for the citizen (``paused_days``).
- ``acknowledged_on_time`` / ``resolved_on_time``: the Bangkok date was on or before the due date.
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
    case.acknowledged_on_time = day <= case.ack_due


# Resolving is the usual answer; not accepting a case (e.g. referring it elsewhere) or merging it into
# another answers it too, and is timed the same way (as clock.on_time does for the officers' queue).
ANSWERING_ACTIONS = ("resolve", "reject", "mark_duplicate")


def record_answered(session: Session, case: Case, now: datetime) -> None:
    day = to_bangkok(now).date()
    case.resolve_working_days = max(0, working_days_to(session, case, day) - (case.paused_days or 0))
    case.resolved_on_time = day <= case.resolve_due


def clear_resolution(case: Case) -> None:
    """A reopened case is no longer answered: its next answer is the one that counts."""
    case.resolve_working_days = None
    case.resolved_on_time = None
