"""Every kind of thing that happens to a case, in one registry.

Each :class:`CaseAction` says where it may start from and where it leads (status changes), what citizens and
staff call it, whether the citizen sees it, whether it answers the citizen, what it does to the working-day
clock, which mail it sends, and how staff send it (the URL slug). ``CaseEvent.kind`` holds its ``kind``.

The workflow, the staff pages, the notifications, the demo data and the tests all read this table; nobody keeps
a copy of it.
"""

from dataclasses import dataclass
from enum import Enum, StrEnum

from flask_babel import lazy_gettext as _l

from .statuses import CLOCK_RUNNING, OPEN_STATUSES, Status


class Actor(StrEnum):
    """Who makes an event happen."""

    STAFF = "staff"
    CITIZEN = "citizen"
    SYSTEM = "system"


class ClockEffect(Enum):
    NONE = "none"
    # The office waits for the citizen: the clock stops (working days waited move the resolve-by date later).
    PAUSE = "pause"
    # A finished case is opened again: the resolve-by date starts again from today.
    RESTART = "restart"


@dataclass(frozen=True)
class CaseAction:
    kind: str  # CaseEvent.kind
    staff_label: object
    citizen_label: object = None  # None: the citizen never sees it
    # Status change: the statuses it may start from and the one it leads to (empty / None: no change).
    sources: frozenset = frozenset()
    target: Status | None = None
    by: tuple[Actor, ...] = (Actor.STAFF,)
    public: bool = False  # on the citizen's timeline
    answers: bool = False  # gives the office's answer: times the case's resolution figures
    clock: ClockEffect = ClockEffect.NONE
    citizen_mail: str | None = None  # mail kind to the citizen (public events only)
    staff_mail: str | None = None  # mail kind to the people handling the case
    # Pushed to the citizen's LINE account when the case was filed in LINE chat (eservice.domain.line.pushes);
    # only when staff cause it: what the citizen does in chat is answered there.
    line_push: bool = False
    # Staff send it from the case page: form prefix and endpoint ``staff.action_<staff_name>``, URL slug.
    staff_name: str | None = None
    slug: str | None = None
    button: object = None  # the button on the case page
    done: object = None  # said after it succeeded

    @property
    def changes_status(self) -> bool:
        return self.target is not None

    def allowed_from(self, status: str) -> bool:
        return status in self.sources


_S = Status
_ALL_OPEN = frozenset(OPEN_STATUSES)
_STAFF, _CITIZEN, _SYSTEM = (Actor.STAFF,), (Actor.CITIZEN,), (Actor.SYSTEM,)

_REGISTRY = (
    CaseAction(
        "filed", _l("Case filed"), _l("Case filed"), target=_S.RECEIVED, by=(Actor.CITIZEN, Actor.STAFF, Actor.SYSTEM),
        public=True, citizen_mail="receipt", staff_mail="new_case",
    ),
    CaseAction(
        "acknowledge", _l("Acknowledged"), _l("Acknowledged by the division"),
        sources=frozenset({_S.RECEIVED}), target=_S.ACKNOWLEDGED, public=True, citizen_mail="acknowledged",
        staff_name="acknowledge", slug="acknowledge", button=_l("Acknowledge"), done=_l("The case is acknowledged."),
        line_push=True,
    ),
    CaseAction(
        "start", _l("Work started"), _l("Work started"),
        sources=frozenset({_S.RECEIVED, _S.ACKNOWLEDGED}), target=_S.IN_PROGRESS, public=True,
        citizen_mail="status_changed", staff_name="start", slug="start", button=_l("Start work"),
        done=_l("Work on the case has started."),
        line_push=True,
    ),
    CaseAction(
        "request_info", _l("Asked the citizen for information"), _l("The office asked you for information"),
        sources=frozenset(CLOCK_RUNNING), target=_S.AWAITING_CITIZEN, public=True,
        clock=ClockEffect.PAUSE, citizen_mail="info_requested", staff_name="request_info", slug="request-info",
        button=_l("Ask the citizen for information"),
        done=_l("Your question was sent to the citizen; the clock is paused until they answer."),
        line_push=True,
    ),
    CaseAction(
        "citizen_answer", _l("The citizen answered"), _l("You added information"),
        sources=frozenset({_S.AWAITING_CITIZEN}), target=_S.IN_PROGRESS, by=_CITIZEN, public=True,
        staff_mail="citizen_answered",
    ),
    CaseAction(
        "resume", _l("Work resumed"), _l("Work resumed"),
        sources=frozenset({_S.AWAITING_CITIZEN}), target=_S.IN_PROGRESS, public=True, citizen_mail="status_changed",
        staff_name="resume", slug="resume", button=_l("Resume work"),
        done=_l("Work on the case has resumed; the clock runs again."),
        line_push=True,
    ),
    CaseAction(
        "resolve", _l("Resolved"), _l("Resolved"),
        sources=_ALL_OPEN, target=_S.RESOLVED, public=True, answers=True, citizen_mail="resolved",
        staff_name="resolve", slug="resolve", button=_l("Resolve"),
        done=_l("The case is resolved; the citizen can now rate it."),
        line_push=True,
    ),
    CaseAction(
        "reject", _l("Not accepted"), _l("Not accepted"),
        sources=_ALL_OPEN, target=_S.REJECTED, public=True, answers=True, citizen_mail="status_changed",
        staff_name="reject", slug="reject", button=_l("Reject or refer elsewhere"),
        done=_l("The case is not accepted."),
        line_push=True,
    ),
    CaseAction(
        "mark_duplicate", _l("Marked as a duplicate"), _l("Merged with another case"),
        sources=_ALL_OPEN, target=_S.DUPLICATE, public=True, answers=True, citizen_mail="status_changed",
        staff_name="mark_duplicate", slug="mark-duplicate", button=_l("Mark as duplicate"),
        done=_l("The case is merged into the original."),
        line_push=True,
    ),
    CaseAction(
        "close", _l("Closed"), _l("Closed"),
        sources=frozenset({_S.RESOLVED, _S.REJECTED, _S.DUPLICATE}), target=_S.CLOSED, public=True,
        staff_name="close", slug="close", button=_l("Close"), done=_l("The case is closed."),
        line_push=True,
    ),
    CaseAction(
        "reopen", _l("Reopened"), _l("Reopened"),
        sources=frozenset({_S.RESOLVED, _S.CLOSED, _S.REJECTED}), target=_S.IN_PROGRESS,
        by=(Actor.STAFF, Actor.CITIZEN), public=True, clock=ClockEffect.RESTART, citizen_mail="reopened",
        staff_mail="case_reopened", staff_name="reopen", slug="reopen", button=_l("Reopen"),
        done=_l("The case is reopened."),
        line_push=True,
    ),
    # --- events that do not change the status ---
    CaseAction(
        "public_reply", _l("Public reply"), _l("Reply from the office"), public=True, citizen_mail="reply",
        staff_name="reply", slug="reply", button=_l("Send the reply"),
        done=_l("Your reply is on the citizen's tracking page."),
        line_push=True,
    ),
    CaseAction(
        "internal_note", _l("Internal note"), staff_name="note", slug="note", button=_l("Add the note"),
        done=_l("Internal note added."),
    ),
    CaseAction(
        "assign", _l("Assignment changed"), staff_mail="assigned", staff_name="assign", slug="assign",
        button=_l("Assign"), done=_l("Assignment changed."),
    ),
    CaseAction(
        "transfer", _l("Transferred to another division"), _l("Passed to another division"), public=True,
        staff_mail="transferred_in", staff_name="transfer", slug="transfer", button=_l("Transfer to another division"),
        done=_l("The case is transferred; the other division sees it now."),
    ),
    CaseAction(
        "priority", _l("Priority changed"), staff_name="priority", slug="priority", button=_l("Set priority"),
        done=_l("Priority changed."),
    ),
    CaseAction(
        "reveal_identity", _l("Reporter's identity revealed"), staff_name="reveal", slug="reveal-identity",
        button=_l("Reveal the reporter’s identity"),
        done=_l("The reporter's identity is revealed; your reason is recorded."),
    ),
    CaseAction(
        "citizen_info", _l("The citizen added information"), _l("You added information"), by=_CITIZEN, public=True,
        staff_mail="citizen_answered",
    ),
    CaseAction("rated", _l("The citizen rated the service"), _l("You rated the service"), by=_CITIZEN, public=True),
    CaseAction("duplicate_added", _l("Another report of the same matter was merged into this case"), by=_STAFF),
    CaseAction("view", _l("Viewed"), by=_STAFF),
    # The days off changed (a sync of the calendar, an administrator's change): eservice.domain.days_off.
    CaseAction("due_dates_moved", _l("Due dates moved: the days off changed"), by=_SYSTEM),
)

ACTIONS: dict[str, CaseAction] = {a.kind: a for a in _REGISTRY}
# The same entries by the name staff send them under (``reply`` is the ``public_reply`` event).
STAFF_ACTIONS: dict[str, CaseAction] = {a.staff_name: a for a in _REGISTRY if a.staff_name}
# The status changes, in the order the case page offers them.
TRANSITIONS: tuple[CaseAction, ...] = tuple(a for a in _REGISTRY if a.sources)
# The usual next step from each status, shown first and most prominently on the case page.
NEXT_STEP: dict[Status, str] = {
    _S.RECEIVED: "acknowledge",
    _S.ACKNOWLEDGED: "start",
    _S.IN_PROGRESS: "resolve",
    _S.AWAITING_CITIZEN: "resume",
    _S.RESOLVED: "close",
}
# Events that give the office's answer (resolved, not accepted, merged): they time the resolution.
ANSWERING = frozenset(a.kind for a in _REGISTRY if a.answers)
# Events a citizen who filed in LINE chat is told about there.
LINE_PUSH_EVENTS = frozenset(a.kind for a in _REGISTRY if a.line_push)
# Events the people handling a case hear about.
STAFF_MAIL_EVENTS = frozenset(a.kind for a in _REGISTRY if a.staff_mail)

FILED = ACTIONS["filed"]
ACKNOWLEDGE = ACTIONS["acknowledge"]
START = ACTIONS["start"]
REQUEST_INFO = ACTIONS["request_info"]
CITIZEN_ANSWER = ACTIONS["citizen_answer"]
RESUME = ACTIONS["resume"]
RESOLVE = ACTIONS["resolve"]
REJECT = ACTIONS["reject"]
MARK_DUPLICATE = ACTIONS["mark_duplicate"]
CLOSE = ACTIONS["close"]
REOPEN = ACTIONS["reopen"]
PUBLIC_REPLY = ACTIONS["public_reply"]
INTERNAL_NOTE = ACTIONS["internal_note"]
ASSIGN = ACTIONS["assign"]
TRANSFER = ACTIONS["transfer"]
PRIORITY = ACTIONS["priority"]
REVEAL_IDENTITY = ACTIONS["reveal_identity"]
CITIZEN_INFO = ACTIONS["citizen_info"]
RATED = ACTIONS["rated"]
DUPLICATE_ADDED = ACTIONS["duplicate_added"]
VIEW = ACTIONS["view"]
DUE_DATES_MOVED = ACTIONS["due_dates_moved"]


def get(kind: str) -> CaseAction | None:
    return ACTIONS.get(kind)


def citizen_label(kind: str):
    action = ACTIONS.get(kind)
    return (action.citizen_label or action.staff_label) if action else kind


def staff_label(kind: str):
    action = ACTIONS.get(kind)
    return action.staff_label if action else kind


def allowed_transitions(status: str) -> list[CaseAction]:
    """The status changes possible from ``status``, in the order the case page offers them."""
    return [a for a in TRANSITIONS if a.allowed_from(status)]
