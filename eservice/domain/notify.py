"""Which mail goes to whom when something happens to a case.

Every change to a case leaves a :class:`~eservice.models.CaseEvent` (workflow, filing, the staff
actions). A listener on the session's ``after_flush`` looks at the events the flush has just written
and inserts the matching :class:`~eservice.models.outbox.OutboxMessage` rows on the same connection,
in the same transaction: if the change commits, its mails exist; if it rolls back, so do they. No
caller has to remember to notify anyone, and no web request ever talks to the mail server.

Why ``after_flush`` and not ``before_flush``: after the flush every id and foreign key is in place
(a new case's id and division, the division a transfer moved it to, the officer it was assigned to),
so the recipients are decided on the facts as written, and :mod:`eservice.domain.policy` can be asked
who may see the case.

The rules:

- A citizen is written to only if they gave an email (anonymous filings never keep one), in the
  language they filed in (``case.locale``), and only about public events. The receipt carries the
  tracking code only: never the receipt key, never what was filed.
- Staff are written to in their own language (``user.locale``), only if :func:`policy.can_view_case`
  lets them see the case, never about what they did themselves.
- A case filed in LINE chat is also pushed to its reporter's LINE account (``channel="line"`` rows,
  :mod:`eservice.domain.line.pushes` says which events and in what words); never a confidential one.
- Corruption and gift reports (``case.confidential``): no content and no reporter detail in any mail,
  to anyone. The integrity unit gets ``integrity_notice`` (a report awaits; sign in), the reporter
  ``receipt`` and ``sealed_update`` (there is news on code X; read it on the tracking page). Those
  templates are not even given the case.

Set ``session.info["notify"] = False`` (see :func:`suppressed`) to write cases without mail, e.g.
demo data.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import event as sa_event
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..models import Case, CaseEvent, User, user_divisions
from ..models.outbox import OutboxMessage
from . import actions, policy

# kind -> audience. Each kind is a pair of templates, templates/email/<kind>.txt and .html.
CITIZEN_KINDS = (
    "receipt",
    "acknowledged",
    "info_requested",
    "reply",
    "resolved",
    "reopened",
    "status_changed",
    "sealed_update",
)
STAFF_KINDS = (
    "new_case",
    "assigned",
    "transferred_in",
    "citizen_answered",
    "case_reopened",
    "reminder",
    "escalation",
    "digest",
    "integrity_notice",
    "integrity_membership",
)
KINDS = {**{k: "citizen" for k in CITIZEN_KINDS}, **{k: "staff" for k in STAFF_KINDS}}

# Which event sends which mail is in the action registry (``citizen_mail``, ``staff_mail``).
# On a confidential case staff get only integrity_notice, with one of these reasons.
INTEGRITY_REASONS = ("new_report", "assigned", "transferred_in", "citizen_answered", "reopened", "reminder",
                     "overdue")

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def header_safe(text: str, limit: int = 200) -> str:
    """One line, no control characters: what may go into a header (a name, a subject).

    Line breaks are how header injection works; here they become spaces, so a name like
    ``"Somchai\\r\\nBcc: x@evil"`` is only ever a strange name.
    """
    return " ".join(_CONTROL.sub(" ", str(text or "")).split())[:limit]


def clean_address(address: str | None) -> str | None:
    """The normalised address, or None for anything that is not one plain, valid address."""
    if not address or _CONTROL.search(address) or "," in address:
        return None
    try:
        return validate_email(address.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def _locale(value: str | None) -> str:
    return value if value in ("th", "en") else "th"


# --- recipients --------------------------------------------------------------------------------------


def citizen_address(case: Case) -> str | None:
    reporter = case.reporter
    if case.anonymous or reporter is None:
        return None
    return clean_address(reporter.email)


def citizen_row(case: Case, kind: str, event: CaseEvent | None = None, data: dict | None = None) -> dict | None:
    address = citizen_address(case)
    if address is None:
        return None
    # On a sealed case not even the reporter's own name goes into the mail's headers.
    name = "" if case.confidential else header_safe(case.reporter.full_name)
    return _row(kind, address, name, "citizen", case.locale, case=case, event=event, data=data)


def staff_row(user: User, case: Case | None, kind: str, event: CaseEvent | None = None,
              data: dict | None = None) -> dict | None:
    address = clean_address(user.email)
    if address is None or not user.active:
        return None
    if case is not None and not policy.can_view_case(user, case):
        return None
    return _row(kind, address, header_safe(user.display_name or user.username), "staff", user.locale,
                case=case, event=event, user=user, data=data)


def _row(kind, address, name, audience, locale, *, case=None, event=None, user=None, data=None,
         channel="mail") -> dict:
    now = datetime.now(UTC)
    return {
        "channel": channel,
        "kind": kind,
        "status": "pending",
        "recipient": address,
        "recipient_name": name,
        "audience": audience,
        "locale": _locale(locale),
        "case_id": case.id if case is not None else None,
        "event_id": event.id if event is not None else None,
        "user_id": user.id if user is not None else None,
        "data": data,
        "next_attempt_at": now,
        "created_at": now,
    }


def division_members(session: Session, division_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(user_divisions, user_divisions.c.user_id == User.id)
            .where(user_divisions.c.division_id == division_id, User.active.is_(True))
            .order_by(User.id)
        )
    )


def _division_handlers(session: Session, case: Case) -> list[User]:
    """Everyone who handles the cases of the case's division (the integrity unit: integrity users)."""
    if case.confidential:
        return policy.integrity_users(session)
    return [u for u in division_members(session, case.division_id) if policy.handles_division_cases(u)]


def case_handlers(session: Session, case: Case) -> list[User]:
    """Who works on the case: its assignee if any, else everyone who handles its division's cases."""
    if case.assigned_to_id is not None:
        assignee = session.get(User, case.assigned_to_id)
        if assignee is not None and assignee.active and assignee.email and policy.can_view_case(assignee, case):
            return [assignee]
    return _division_handlers(session, case)


def division_heads(session: Session, case: Case) -> list[User]:
    if case.confidential:
        unit_heads = [u for u in division_members(session, case.division_id) if policy.is_division_head(u)]
        return [u for u in unit_heads if policy.is_integrity_member(u)] or policy.integrity_users(session)
    return [u for u in division_members(session, case.division_id) if policy.is_division_head(u)]


# --- event -> messages -------------------------------------------------------------------------------


def messages_for_event(session: Session, event: CaseEvent) -> list[dict]:
    """The outbox rows one case event calls for (as column values; the event is already flushed)."""
    case = event.case
    rows: list[dict | None] = []

    spec = actions.get(event.kind)
    if spec is None:
        return []
    kind = spec.citizen_mail
    if kind and (event.public or spec is actions.FILED):
        if case.confidential and spec is not actions.FILED:
            kind = "sealed_update"
        rows.append(citizen_row(case, kind, event))

    rows.append(line_row(session, event))

    if spec.staff_mail:
        rows.extend(_staff_rows(session, case, event, spec))
    return _unique([r for r in rows if r is not None])


def line_row(session: Session, event: CaseEvent) -> dict | None:
    """The LINE push for a case filed in chat (eservice.domain.line.pushes decides which events)."""
    from .line import pushes

    kind = pushes.push_kind(event)
    if kind is None:
        return None
    reached = pushes.recipient(session, event.case)
    if reached is None:
        return None
    line_user_id, locale = reached
    return _row(kind, line_user_id, "", "citizen", locale, case=event.case, event=event, channel="line")


# Who hears about each staff mail: a function of (session, case) -> users.
def _assignee(session: Session, case: Case) -> list[User]:
    assignee = session.get(User, case.assigned_to_id) if case.assigned_to_id else None
    return [assignee] if assignee is not None else []


def _receiving_division(session: Session, case: Case) -> list[User]:
    # Everyone who handles the receiving division's cases (an assignee kept across the transfer too, if
    # they may still see it: staff_row asks the policy).
    return _division_handlers(session, case) + case_handlers(session, case)


STAFF_RECIPIENTS = {
    "new_case": lambda session, case: _division_handlers(session, case),
    "assigned": _assignee,
    "transferred_in": _receiving_division,
    "citizen_answered": lambda session, case: case_handlers(session, case),
    "case_reopened": lambda session, case: case_handlers(session, case),
}
# On a confidential case the staff mail says only why there is news (integrity_notice).
INTEGRITY_REASON_FOR = {"new_case": "new_report", "assigned": "assigned", "transferred_in": "transferred_in",
                        "citizen_answered": "citizen_answered", "case_reopened": "reopened"}


def _staff_rows(session: Session, case: Case, event: CaseEvent, spec) -> list[dict | None]:
    kind = spec.staff_mail
    recipients = STAFF_RECIPIENTS[kind](session, case)
    data = None
    if case.confidential:
        data = {"reason": INTEGRITY_REASON_FOR[kind]}
        kind = "integrity_notice"
    return [
        staff_row(user, case, kind, event, data)
        for user in recipients
        if user is not None and user.id != event.actor_id
    ]


def sla_rows(session: Session, case: Case, threshold: str, due_on) -> list[dict]:
    """Mails for a reminder (``*_reminder``: the people working on the case) or an escalation
    (``*_overdue``: the division's heads; its handlers if it has no head with an address)."""
    stage, _, level = threshold.partition("_")
    data = {"stage": stage, "due_on": due_on.isoformat(), "threshold": threshold}
    if level == "reminder":
        kind, recipients = "reminder", case_handlers(session, case)
    else:
        kind, recipients = "escalation", division_heads(session, case)
    if case.confidential:
        kind, data = "integrity_notice", {"reason": "reminder" if level == "reminder" else "overdue"}
    rows = [staff_row(user, case, kind, data=data) for user in recipients]
    rows = [r for r in rows if r is not None]
    if not rows and level != "reminder":
        rows = [r for r in (staff_row(u, case, kind, data=data) for u in case_handlers(session, case)) if r]
    return _unique(rows)


def _unique(rows: list[dict]) -> list[dict]:
    seen, out = set(), []
    for row in rows:
        key = (row["channel"], row["kind"], row["recipient"])
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


def queue(session: Session, rows: list[dict]) -> int:
    """Insert outbox rows in the session's transaction (Core insert: also safe inside a flush)."""
    rows = [r for r in rows if r]
    if rows:
        session.connection().execute(insert(OutboxMessage), rows)
    return len(rows)


# --- the hook ----------------------------------------------------------------------------------------


def _queue_for_flushed_events(session: Session, flush_context) -> None:
    if not session.info.get("notify", True):
        return
    events = [obj for obj in session.new if isinstance(obj, CaseEvent)]
    if not events:
        return
    rows: list[dict] = []
    for event in sorted(events, key=lambda e: e.id):
        rows.extend(messages_for_event(session, event))
    queue(session, rows)


def install() -> None:
    """Listen on every session (idempotent)."""
    if not sa_event.contains(Session, "after_flush", _queue_for_flushed_events):
        sa_event.listen(Session, "after_flush", _queue_for_flushed_events)


@contextmanager
def suppressed(session) -> Iterator[None]:
    """Write cases without queueing mail (demo data, imports)."""
    before = session.info.get("notify", True)
    session.info["notify"] = False
    try:
        yield
    finally:
        session.info["notify"] = before
