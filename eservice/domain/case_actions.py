"""What staff do to a case. Each action checks the policy and the case's version, changes the case
(status changes only through :func:`eservice.domain.workflow.transition`), records a :class:`CaseEvent`
and appends to the audit log, all in the caller's transaction.

Event kinds written here (``CaseEvent.kind``; public ones reach the citizen's timeline):

================  ======  =========================================================================
kind              public  meaning
================  ======  =========================================================================
acknowledge,      yes     status changes (see actions.TRANSITIONS); the note, if any, is public
start, resume,
request_info,
resolve, reject,
mark_duplicate,
close, reopen
public_reply      yes     a reply the citizen reads
internal_note     no      a note only staff read
assign            no      data: ``{"to": user id or None, "from": user id or None}``
transfer          yes     passed to another division; data: ``{"from", "to", "reason"}`` (reason internal)
priority          no      data: ``{"from", "to"}``
duplicate_added   no      on the original when another case is merged into it; data: ``{"code"}``
reveal_identity   no      the sealed reporter's identity was revealed; note: the reason
view              no      someone opened a confidential case (or one of its files)
================  ======  =========================================================================

Optimistic locking: every action bumps ``Case.version`` (SQLAlchemy's version counter) and accepts the
version the officer's page was rendered with; a different version means someone else acted in between,
and the action is refused with :class:`StaleCase` rather than silently applied on top.
"""

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from ..models import Case, CaseEvent, Division, User
from . import actions, audit, policy, workflow
from .errors import DomainError, NotAllowed
from .statuses import MERGED, OPEN_STATUSES, REPLY_CLOSED, Status
from .tracking import normalise_code

PRIORITIES = ("low", "normal", "high", "urgent")
PRIORITY_LABELS = {
    "low": _l("Low"),
    "normal": _l("Normal"),
    "high": _l("High"),
    "urgent": _l("Urgent"),
}
MAX_NOTE_CHARS = 5000


def priority_label(value: str):
    return PRIORITY_LABELS.get(value, value)

class StaleCase(DomainError):
    """The case changed after the officer's page was rendered."""


def stale_message():
    return _l(
        "Someone else changed this case while you had it open. The page now shows the latest state: "
        "check it, then do your action again if it is still needed."
    )


# --- helpers --------------------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _require_act(user: User, case: Case) -> None:
    if not policy.can_act_on_case(user, case):
        raise NotAllowed(_l("You may not act on this case."))


def _check_version(case: Case, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != case.version:
        raise StaleCase(stale_message())


def _required_text(text: str, message, field: str = "note") -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(message, field=field)
    if len(text) > MAX_NOTE_CHARS:
        raise DomainError(_l("Keep it under %(max)d characters.", max=MAX_NOTE_CHARS), field=field)
    return text


def _optional_text(text: str, field: str = "note") -> str:
    text = (text or "").strip()
    if len(text) > MAX_NOTE_CHARS:
        raise DomainError(_l("Keep it under %(max)d characters.", max=MAX_NOTE_CHARS), field=field)
    return text


def _touch(case: Case) -> None:
    """Make the flush UPDATE the case row, so its version counter moves on even when the action only
    added an event (a reply, a note): a page rendered before it is then stale."""
    flag_modified(case, "priority")


def _audit(session: Session, case: Case, action: str, actor: User, ip: str, details: dict | None = None,
           note: str = "", now: datetime | None = None) -> None:
    audit.record(
        session,
        f"case.{action}",
        actor=actor,
        ip_address=ip,
        target_type="case",
        target_id=case.tracking_code,
        details={"case_id": case.id, **(details or {})},
        note=note,
        now=now,
    )


def _begin(user: User, case: Case, expected_version: int | None) -> None:
    _require_act(user, case)
    _check_version(case, expected_version)


def _transition(session: Session, case: Case, action: str, user: User, note: str, *, ip: str,
                expected_version: int | None, now: datetime | None, data: dict | None = None,
                audit_details: dict | None = None) -> CaseEvent:
    _begin(user, case, expected_version)
    now = _now(now)
    before = case.status
    event = workflow.transition(session, case, action, actor=user, note=note, data=data, now=now)
    _touch(case)
    _audit(session, case, action, user, ip, {"from": before, "to": case.status, **(audit_details or {})}, now=now)
    return event


# --- status changes --------------------------------------------------------------------------------


def acknowledge(session, case, user, *, note="", ip="", expected_version=None, now=None) -> CaseEvent:
    return _transition(session, case, "acknowledge", user, _optional_text(note), ip=ip,
                       expected_version=expected_version, now=now)


def start(session, case, user, *, note="", ip="", expected_version=None, now=None) -> CaseEvent:
    return _transition(session, case, "start", user, _optional_text(note), ip=ip,
                       expected_version=expected_version, now=now)


def request_info(session, case, user, *, question, ip="", expected_version=None, now=None) -> CaseEvent:
    """Ask the citizen; the clock stops until they answer on the tracking page (or staff resume)."""
    question = _required_text(question, _l("Write what you need to know from the citizen."))
    return _transition(session, case, "request_info", user, question, ip=ip,
                       expected_version=expected_version, now=now)


def resume(session, case, user, *, note="", ip="", expected_version=None, now=None) -> CaseEvent:
    return _transition(session, case, "resume", user, _optional_text(note), ip=ip,
                       expected_version=expected_version, now=now)


def resolve(session, case, user, *, summary, ip="", expected_version=None, now=None) -> CaseEvent:
    summary = _required_text(summary, _l("Write a resolution summary: what was done, for the citizen to read."))
    return _transition(session, case, "resolve", user, summary, ip=ip, expected_version=expected_version, now=now)


def reject(session, case, user, *, reason, referred_to="", ip="", expected_version=None, now=None) -> CaseEvent:
    """Not accepted, with the reason; ``referred_to`` names the agency the matter was passed to."""
    reason = _required_text(reason, _l("Say why the case is not accepted."))
    referred_to = (referred_to or "").strip()
    if len(referred_to) > 200:
        raise DomainError(_l("Keep it under %(max)d characters.", max=200), field="referred_to")
    data = {"referred_to": referred_to} if referred_to else None
    return _transition(session, case, "reject", user, reason, ip=ip, expected_version=expected_version, now=now,
                       data=data, audit_details=data)


def close(session, case, user, *, note="", ip="", expected_version=None, now=None) -> CaseEvent:
    return _transition(session, case, "close", user, _optional_text(note), ip=ip,
                       expected_version=expected_version, now=now)


def reopen(session, case, user, *, reason, ip="", expected_version=None, now=None) -> CaseEvent:
    """Staff reopen a finished case (on the citizen's request by phone, or on their own finding). The
    resolve-by date starts again from today, as when the citizen reopens online (workflow)."""
    reason = _required_text(reason, _l("Say why the case is reopened."))
    return _transition(session, case, "reopen", user, reason, ip=ip, expected_version=expected_version, now=now)


def mark_duplicate(session, case, user, *, original_code, note="", ip="", expected_version=None,
                   now=None) -> CaseEvent:
    """Merge ``case`` into the original: the citizen sees the link, the original counts one more report."""
    _begin(user, case, expected_version)
    note = _optional_text(note)
    code = normalise_code(original_code)
    if not code:
        raise DomainError(_l("Enter the tracking code of the original case."), field="original_code")
    original = session.scalar(select(Case).where(Case.tracking_code == code))
    # A code the officer may not see is treated as unknown: the form must not reveal that it exists.
    if original is None or not policy.can_view_case(user, original):
        raise DomainError(_l("No case with the code %(code)s that you can see.", code=code),
                          field="original_code")
    if original.id == case.id:
        raise DomainError(_l("A case cannot be a duplicate of itself."), field="original_code")
    if original.status == MERGED and original.duplicate_of is not None:
        raise DomainError(
            _l("%(code)s is itself merged into %(root)s: use %(root)s.", code=original.tracking_code,
               root=original.duplicate_of.tracking_code),
            field="original_code",
        )
    if original.confidential != case.confidential:
        raise DomainError(
            _l("An integrity report and a general case cannot be merged."), field="original_code"
        )
    now = _now(now)
    event = _transition(session, case, "mark_duplicate", user, note, ip=ip, expected_version=None, now=now,
                        data={"original": original.tracking_code},
                        audit_details={"original": original.tracking_code})
    case.duplicate_of = original
    workflow.record_event(original, actions.DUPLICATE_ADDED, actor=user, data={"code": case.tracking_code}, now=now)
    return event


def extra_reports(session: Session, case: Case) -> list[Case]:
    """Cases merged into ``case`` as duplicates: each is one more report of the same matter."""
    return list(session.scalars(select(Case).where(Case.duplicate_of_id == case.id).order_by(Case.id)))


def extra_report_count(session: Session, case: Case) -> int:
    return session.scalar(select(func.count()).select_from(Case).where(Case.duplicate_of_id == case.id)) or 0


# --- replies and notes -----------------------------------------------------------------------------


def public_reply(session, case, user, *, text, confirmed, ip="", expected_version=None, now=None) -> CaseEvent:
    """A reply the citizen reads on the tracking page. The officer must confirm it is meant for them."""
    _begin(user, case, expected_version)
    text = _required_text(text, _l("Write the reply."))
    if not confirmed:
        raise DomainError(_l("Tick the box to confirm that the citizen may read this reply."), field="confirm")
    if case.status in REPLY_CLOSED:
        raise DomainError(_l("This case is closed; reopen it before replying."))
    now = _now(now)
    event = workflow.record_event(case, actions.PUBLIC_REPLY, actor=user, note=text, now=now)
    _touch(case)
    _audit(session, case, "public_reply", user, ip, now=now)
    return event


def internal_note(session, case, user, *, text, ip="", expected_version=None, now=None) -> CaseEvent:
    """A note for colleagues; the citizen never sees it."""
    _begin(user, case, expected_version)
    text = _required_text(text, _l("Write the note."))
    now = _now(now)
    event = workflow.record_event(case, actions.INTERNAL_NOTE, actor=user, note=text, now=now)
    _touch(case)
    _audit(session, case, "internal_note", user, ip, now=now)
    return event


# --- who handles it --------------------------------------------------------------------------------


def _require_open(case: Case) -> None:
    if case.status not in OPEN_STATUSES:
        raise DomainError(
            _l("This case is “%(status)s”; that action is not possible now.",
               status=Status(case.status).label)
        )


def assign(session, case, user, *, assignee: User | None, ip="", expected_version=None, now=None) -> CaseEvent:
    """Give the case to an officer of its division (``None``: nobody). Officers may only take it
    themselves or give it up; heads assign anyone of the division."""
    _begin(user, case, expected_version)
    _require_open(case)
    previous = case.assigned_to_id
    if assignee is not None:
        if assignee.id != user.id and not policy.can_assign_others(user, case):
            raise NotAllowed(_l("Only the head of the division assigns cases to others."))
        if not policy.may_be_assigned(assignee, case):
            raise DomainError(_l("%(name)s is not an officer of this case's division.",
                                 name=assignee.display_name or assignee.username), field="assignee")
        if assignee.id == previous:
            raise DomainError(_l("The case is already assigned to %(name)s.",
                                 name=assignee.display_name or assignee.username), field="assignee")
    else:
        if previous is None:
            raise DomainError(_l("The case is not assigned to anyone."), field="assignee")
        if previous != user.id and not policy.can_assign_others(user, case):
            raise NotAllowed(_l("Only the head of the division assigns cases to others."))
    now = _now(now)
    case.assigned_to_id = assignee.id if assignee is not None else None
    event = workflow.record_event(case, actions.ASSIGN, actor=user,
                                  data={"from": previous, "to": case.assigned_to_id}, now=now)
    _touch(case)
    _audit(session, case, "assign", user, ip,
           {"from": previous, "to": case.assigned_to_id,
            "to_username": assignee.username if assignee is not None else None}, now=now)
    return event


def transfer_targets(session: Session, case: Case) -> list[Division]:
    """Divisions a general case may move to: active, not its own, never the integrity unit."""
    divisions = session.scalars(
        select(Division)
        .where(Division.active.is_(True), Division.is_integrity_unit.is_(False), Division.id != case.division_id)
        .order_by(Division.sort_order, Division.id)
    )
    return list(divisions)


def transfer(session, case, user, *, division: Division | None, reason, ip="", expected_version=None,
             now=None) -> CaseEvent:
    """Hand the case to another division, which sees it at once. Integrity reports never leave the
    integrity unit: moving one would put it in front of ordinary officers."""
    _begin(user, case, expected_version)
    _require_open(case)
    if case.confidential:
        raise DomainError(_l("Integrity reports stay with the integrity unit and cannot be transferred."))
    if division is None:
        raise DomainError(_l("Choose the division to transfer to."), field="division")
    if division.id == case.division_id:
        raise DomainError(_l("The case is already with this division; choose another."), field="division")
    if not division.active or division.is_integrity_unit:
        raise DomainError(_l("Cases cannot be transferred to this division."), field="division")
    reason = _required_text(reason, _l("Say why the case goes to another division."), field="reason")
    now = _now(now)
    previous = case.division_id
    case.division = division
    case.assigned_to_id = None  # the old division's officer no longer handles it
    event = workflow.record_event(case, actions.TRANSFER, actor=user,
                                  data={"from": previous, "to": division.id, "reason": reason}, now=now)
    _touch(case)
    _audit(session, case, "transfer", user, ip, {"from": previous, "to": division.id}, now=now)
    return event


def set_priority(session, case, user, *, priority, ip="", expected_version=None, now=None) -> CaseEvent:
    _begin(user, case, expected_version)
    if priority not in PRIORITIES:
        raise DomainError(_l("Choose a priority from the list."), field="priority")
    if priority == case.priority:
        raise DomainError(_l("The priority is already “%(p)s”.", p=PRIORITY_LABELS[priority]), field="priority")
    _require_open(case)
    now = _now(now)
    previous = case.priority
    case.priority = priority
    event = workflow.record_event(case, actions.PRIORITY, actor=user,
                                  data={"from": previous, "to": priority}, now=now)
    _touch(case)
    _audit(session, case, "priority", user, ip, {"from": previous, "to": priority}, now=now)
    return event


# --- sealed identities and views of integrity reports ---------------------------------------------


def reveal_identity(session, case, user, *, reason, ip="", expected_version=None, now=None) -> CaseEvent:
    """Unseal the reporter's contact details of an integrity report, for a written reason."""
    if not policy.can_reveal_identity(user, case):
        raise NotAllowed(_l("You may not reveal the identity of this reporter."))
    _check_version(case, expected_version)
    if policy.identity_revealed(case):
        raise DomainError(_l("The identity has already been revealed."))
    reason = _required_text(reason, _l("Write why the identity must be revealed; the reason is kept."),
                            field="reason")
    now = _now(now)
    event = workflow.record_event(case, actions.REVEAL_IDENTITY, actor=user, note=reason,
                                  data={"anonymous": case.anonymous}, now=now)
    _touch(case)
    _audit(session, case, "reveal_identity", user, ip, note=reason, now=now)
    return event


def record_view(session: Session, case: Case, user: User, *, ip: str = "", what: str = "case",
                now: datetime | None = None) -> CaseEvent | None:
    """Opening an integrity report (or one of its files) is an event and an audit entry. Does not
    change the case's version: looking must not make a colleague's open form stale."""
    if not case.confidential:
        return None
    now = _now(now)
    event = workflow.record_event(case, actions.VIEW, actor=user, data={"what": what}, now=now)
    audit.record(session, "case.view", actor=user, ip_address=ip, target_type="case",
                 target_id=case.tracking_code, details={"case_id": case.id, "what": what}, now=now)
    return event


def record_denied(session: Session, user: User, *, code: str, ip: str = "", what: str = "case",
                  now: datetime | None = None) -> None:
    """Someone opened or acted on a case they may not see (or one that does not exist): audit it."""
    audit.record(session, "case.denied", actor=user, ip_address=ip, target_type="case",
                 target_id=normalise_code(code)[:60], details={"what": what}, now=_now(now))


# --- what the case page offers ---------------------------------------------------------------------


def available_actions(user: User, case: Case) -> list[str]:
    """The staff actions to offer on the case page, by ``staff_name`` (each is checked again when sent)."""
    if not policy.can_act_on_case(user, case):
        return []
    offered = list(actions.allowed_transitions(case.status))
    if case.status not in REPLY_CLOSED:
        offered.append(actions.PUBLIC_REPLY)
    offered.append(actions.INTERNAL_NOTE)
    if case.status in OPEN_STATUSES:
        offered += [actions.ASSIGN, actions.PRIORITY]
        if not case.confidential:
            offered.append(actions.TRANSFER)
    if policy.can_reveal_identity(user, case) and not policy.identity_revealed(case):
        offered.append(actions.REVEAL_IDENTITY)
    return [a.staff_name for a in offered if a.staff_name]
