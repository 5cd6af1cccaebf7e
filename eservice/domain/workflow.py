"""The life cycle of a case. This module is the only place a case's status is written.

received → acknowledged → in_progress → resolved → closed, with awaiting_citizen (the clock stops),
rejected (with a reason) and duplicate (merged into another case); reopening brings a finished case
back to in_progress.
"""

from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..models import Case, CaseEvent, User
from . import clock, durations
from .errors import DomainError, InvalidTransition
from .thai import bangkok_today, to_bangkok

STATUS_LABELS = {
    "received": _l("Received"),
    "acknowledged": _l("Acknowledged"),
    "in_progress": _l("In progress"),
    "awaiting_citizen": _l("Waiting for your information"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
    "rejected": _l("Not accepted"),
    "duplicate": _l("Merged with another case"),
}
OPEN_STATUSES = ("received", "acknowledged", "in_progress", "awaiting_citizen")
FINISHED_STATUSES = ("resolved", "closed", "rejected", "duplicate")

# action: (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "acknowledge": (frozenset({"received"}), "acknowledged"),
    "start": (frozenset({"received", "acknowledged"}), "in_progress"),
    "request_info": (frozenset({"received", "acknowledged", "in_progress"}), "awaiting_citizen"),
    "citizen_answer": (frozenset({"awaiting_citizen"}), "in_progress"),
    "resume": (frozenset({"awaiting_citizen"}), "in_progress"),
    "resolve": (frozenset({"received", "acknowledged", "in_progress", "awaiting_citizen"}), "resolved"),
    "reject": (frozenset(OPEN_STATUSES), "rejected"),
    "mark_duplicate": (frozenset(OPEN_STATUSES), "duplicate"),
    "close": (frozenset({"resolved", "rejected", "duplicate"}), "closed"),
    "reopen": (frozenset({"resolved", "closed", "rejected"}), "in_progress"),
}
# Events the citizen sees on the tracking page (besides the filing itself).
PUBLIC_ACTIONS = frozenset(TRANSITIONS)


def allowed_actions(case: Case) -> list[str]:
    return [action for action, (sources, _) in TRANSITIONS.items() if case.status in sources]


def _actor_fields(actor: User | None, actor_kind: str | None) -> dict:
    if actor is not None:
        return {"actor_kind": "staff", "actor_id": actor.id}
    return {"actor_kind": actor_kind or "citizen", "actor_id": None}


def record_event(
    case: Case,
    kind: str,
    *,
    actor: User | None = None,
    actor_kind: str | None = None,
    note: str = "",
    public: bool = False,
    data: dict | None = None,
    now: datetime | None = None,
) -> CaseEvent:
    """Add an event that does not change the status (a reply, a note, a transfer, a view)."""
    event = CaseEvent(
        kind=kind,
        public=public,
        note=note,
        data=data,
        created_at=now or datetime.now(UTC),
        **_actor_fields(actor, actor_kind),
    )
    case.events.append(event)
    return event


def transition(
    session: Session,
    case: Case,
    action: str,
    *,
    actor: User | None = None,
    actor_kind: str | None = None,
    note: str = "",
    public: bool = True,
    data: dict | None = None,
    now: datetime | None = None,
) -> CaseEvent:
    """Move ``case`` by ``action`` or raise :class:`InvalidTransition`; returns the event recorded."""
    if action not in TRANSITIONS:
        raise InvalidTransition(_l("Unknown action."))
    sources, target = TRANSITIONS[action]
    if case.status not in sources:
        raise InvalidTransition(
            _l(
                "This case is “%(status)s”; that action is not possible now.",
                status=STATUS_LABELS[case.status],
            )
        )
    now = now or datetime.now(UTC)
    before = case.status
    if before == "awaiting_citizen":
        _restart_clock(session, case, now)
    if action == "acknowledge" or (action in ("start", "resolve") and case.acknowledged_at is None):
        case.acknowledged_at = now
        durations.record_acknowledged(session, case)
    if action == "request_info":
        case.paused_since = now
    if action == "resolve":
        case.resolved_at = now
    if action in durations.ANSWERING_ACTIONS:
        durations.record_answered(session, case, now)
    if action == "close":
        case.closed_at = now
    if action == "reopen":
        case.reopen_count += 1
        case.resolved_at = None
        case.closed_at = None
        durations.clear_resolution(case)
    case.status = target
    event = record_event(case, action, actor=actor, actor_kind=actor_kind, note=note, public=public,
                         data=data, now=now)
    event.status_from, event.status_to = before, target
    return event


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


# --- what the citizen may do with the code and the key -------------------------------------------


def can_rate(case: Case) -> bool:
    return case.status in ("resolved", "closed") and case.rating is None


def can_request_reopen(case: Case, reopen_within_days: int, now: datetime | None = None) -> bool:
    if case.status != "resolved" or case.resolved_at is None:
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
    event = transition(session, case, "reopen", actor_kind="citizen", note=reason.strip(), now=now)
    if case.category is not None:
        case.resolve_due = clock.add_working_days(
            bangkok_today(now), case.category.resolve_days, clock.holidays_from(session, bangkok_today(now))
        )
    return event


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
    record_event(case, "rated", actor_kind="citizen", public=True, data={"score": score, "resolved": resolved},
                 now=now)
    session.flush()
    return case.rating


EVENT_LABELS = {
    "filed": _l("Case filed"),
    "acknowledge": _l("Acknowledged by the division"),
    "start": _l("Work started"),
    "request_info": _l("The office asked you for information"),
    "citizen_answer": _l("You added information"),
    "citizen_info": _l("You added information"),
    "resume": _l("Work resumed"),
    "resolve": _l("Resolved"),
    "reject": _l("Not accepted"),
    "mark_duplicate": _l("Merged with another case"),
    "close": _l("Closed"),
    "reopen": _l("Reopened"),
    "public_reply": _l("Reply from the office"),
    "transfer": _l("Passed to another division"),
    "rated": _l("You rated the service"),
}
