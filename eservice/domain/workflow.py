"""The life cycle of a case. This module is the only place a case's status is written.

received → acknowledged → in_progress → resolved → closed, with awaiting_citizen (the clock stops),
rejected (with a reason) and duplicate (merged into another case); reopening brings a finished case
back to in_progress. Which action leads from where to where is in the registry
(:mod:`eservice.domain.actions`); the statuses and their groups are in :mod:`eservice.domain.statuses`.
"""

from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..models import Case, CaseEvent, User
from . import actions, clock, durations
from .actions import CaseAction, ClockEffect
from .errors import DomainError, InvalidTransition
from .statuses import CITIZEN_REOPENABLE, INITIAL, OPEN_STATUSES, RATEABLE, Status
from .thai import bangkok_today, to_bangkok


def allowed_actions(case: Case) -> list[str]:
    """The status changes possible for ``case`` now, by event kind."""
    return [a.kind for a in actions.allowed_transitions(case.status)]


def _actor_fields(actor: User | None, actor_kind: str | None) -> dict:
    if actor is not None:
        return {"actor_kind": actions.Actor.STAFF.value, "actor_id": actor.id}
    return {"actor_kind": actor_kind or actions.Actor.CITIZEN.value, "actor_id": None}


def record_event(
    case: Case,
    kind: str | CaseAction,
    *,
    actor: User | None = None,
    actor_kind: str | None = None,
    note: str = "",
    public: bool | None = None,
    data: dict | None = None,
    now: datetime | None = None,
) -> CaseEvent:
    """Add an event that does not change the status (a reply, a note, a transfer, a view). Whether the
    citizen sees it comes from the registry unless ``public`` says otherwise."""
    spec = kind if isinstance(kind, CaseAction) else actions.get(kind)
    event = CaseEvent(
        kind=spec.kind if spec else kind,
        public=(spec.public if spec else False) if public is None else public,
        note=note,
        data=data,
        created_at=now or datetime.now(UTC),
        **_actor_fields(actor, actor_kind),
    )
    case.events.append(event)
    return event


def start_life(case: Case, *, actor: User | None = None, actor_kind: str | None = None, data: dict | None = None,
               now: datetime | None = None) -> CaseEvent:
    """A new case: its first status and its ``filed`` event."""
    case.status = INITIAL
    event = record_event(case, actions.FILED, actor=actor, actor_kind=actor_kind, data=data, now=now)
    event.status_to = INITIAL
    return event


def transition(
    session: Session,
    case: Case,
    action: str | CaseAction,
    *,
    actor: User | None = None,
    actor_kind: str | None = None,
    note: str = "",
    public: bool | None = None,
    data: dict | None = None,
    now: datetime | None = None,
) -> CaseEvent:
    """Move ``case`` by ``action`` or raise :class:`InvalidTransition`; returns the event recorded."""
    spec = action if isinstance(action, CaseAction) else actions.get(action)
    if spec is None or not spec.sources:
        raise InvalidTransition(_l("Unknown action."))
    if not spec.allowed_from(case.status):
        raise InvalidTransition(
            _l(
                "This case is “%(status)s”; that action is not possible now.",
                status=Status(case.status).label,
            )
        )
    now = now or datetime.now(UTC)
    before = case.status
    if before == Status.AWAITING_CITIZEN:
        _restart_clock(session, case, now)
    if spec is actions.ACKNOWLEDGE or (spec in (actions.START, actions.RESOLVE) and case.acknowledged_at is None):
        case.acknowledged_at = now
        durations.record_acknowledged(session, case)
    if spec.clock is ClockEffect.PAUSE:
        case.paused_since = now
        durations.record_paused(case, now)
    if spec.target == Status.RESOLVED:
        case.resolved_at = now
    if spec.answers:
        durations.record_answered(session, case, now)
    if spec.target == Status.CLOSED:
        case.closed_at = now
    if spec.clock is ClockEffect.RESTART:
        _reopen(session, case, now)
    case.status = spec.target
    event = record_event(case, spec, actor=actor, actor_kind=actor_kind, note=note, public=public, data=data,
                         now=now)
    event.status_from, event.status_to = before, spec.target
    return event


def _reopen(session: Session, case: Case, now: datetime) -> None:
    """A reopened case is answered afresh: its resolve-by date starts again from today, with its category's
    limit (the default limit when it has none), whoever reopened it."""
    case.reopen_count += 1
    case.resolved_at = None
    case.closed_at = None
    durations.clear_resolution(case)
    today = bangkok_today(now)
    _, resolve_days = clock.limits_for(case.category)
    case.resolve_due = clock.add_working_days(today, resolve_days, clock.holidays_from(session, today))


def _restart_clock(session: Session, case: Case, now: datetime) -> None:
    """Leaving awaiting_citizen: the working days spent waiting move the resolve-by date later."""
    if case.paused_since is None:
        return
    start = to_bangkok(case.paused_since).date()
    end = to_bangkok(now).date()
    holidays = clock.holidays_from(session, start)
    paused = clock.working_days_between(start, end, holidays)
    if paused:
        case.paused_days += paused
        case.resolve_due = clock.add_working_days(
            case.resolve_due, paused, clock.holidays_from(session, case.resolve_due)
        )
    case.paused_since = None
    durations.record_resumed(case)


# --- what the citizen may do with the code and the key -------------------------------------------


def can_rate(case: Case) -> bool:
    return case.status in RATEABLE and case.rating is None


def can_request_reopen(case: Case, reopen_within_days: int, now: datetime | None = None) -> bool:
    if case.status not in CITIZEN_REOPENABLE or case.resolved_at is None:
        return False
    now = now or datetime.now(UTC)
    return now - case.resolved_at <= timedelta(days=reopen_within_days)


def can_add_information(case: Case) -> bool:
    return case.status in OPEN_STATUSES


def citizen_requests_reopen(
    session: Session, case: Case, reason: str, reopen_within_days: int, now: datetime | None = None
) -> CaseEvent:
    now = now or datetime.now(UTC)
    if not can_request_reopen(case, reopen_within_days, now):
        raise DomainError(
            _l("This case can no longer be reopened online; please file a new case or contact the office.")
        )
    if not reason.strip():
        raise DomainError(_l("Say why the case should be reopened."), field="reason")
    return transition(session, case, actions.REOPEN, actor_kind=actions.Actor.CITIZEN.value, note=reason.strip(),
                      now=now)


def citizen_adds_information(session: Session, case: Case, note: str, now: datetime) -> CaseEvent:
    """The citizen's answer: when the office was waiting for it, the clock runs again."""
    if case.status == Status.AWAITING_CITIZEN:
        return transition(session, case, actions.CITIZEN_ANSWER, note=note, now=now)
    return record_event(case, actions.CITIZEN_INFO, note=note, now=now)


RESOLVED_ANSWERS = ("yes", "partly", "no")


def rate(session: Session, case: Case, score: int, resolved: str, comment: str = "",
         now: datetime | None = None):
    """The citizen's rating of a resolved case: once per case."""
    from ..models import Rating

    if not can_rate(case):
        raise DomainError(_l("This case cannot be rated now."))
    if score not in range(1, 6):
        raise DomainError(_l("Choose a score from 1 to 5."), field="score")
    if resolved not in RESOLVED_ANSWERS:
        raise DomainError(_l("Say whether the matter was resolved."), field="resolved")
    now = now or datetime.now(UTC)
    case.rating = Rating(score=score, resolved=resolved, comment=comment.strip(), created_at=now)
    record_event(case, actions.RATED, actor_kind=actions.Actor.CITIZEN.value,
                 data={"score": score, "resolved": resolved}, now=now)
    session.flush()
    return case.rating
