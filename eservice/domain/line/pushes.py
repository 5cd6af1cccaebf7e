"""Which case events reach a LINE user (the action registry's ``line_push``), and in what words.

A case filed in chat carries its reporter's LINE user id. Every public event the office causes on it
(acknowledged, a public reply, a request for information, resolved, reopened, closed, and the other
status changes) becomes a push, queued by :mod:`eservice.domain.notify` in the transaction of the change,
like a mail. Events the citizen caused in chat are not pushed back to them: the chat has already
answered. The words are made when the worker first sends the push (:func:`render`), in the person's
chat language, and kept, so a retry sends the same message.
"""

from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Case, CaseEvent
from ...models.line import LineChat
from .. import actions, workflow
from ..statuses import Status
from ..thai import format_date
from . import messages as m
from .chat import case_buttons

# An outbox row whose messages were made when it was queued (the chat's answers, an expiry notice). Rows
# about a case event carry the event's kind (the action registry's ``line_push`` says which are pushed).
READY_KIND = "line_message"
PUSH_KINDS = actions.LINE_PUSH_EVENTS


def push_kind(event: CaseEvent) -> str | None:
    action = actions.get(event.kind)
    if action is None or not action.line_push or not event.public or event.actor_kind == actions.Actor.CITIZEN:
        return None
    return action.kind


def recipient(session: Session, case: Case) -> tuple[str, str] | None:
    """(LINE user id, language) of the person who filed the case in chat; None for any other case."""
    reporter = case.reporter
    if case.confidential or reporter is None or not reporter.line_user_id:
        return None
    locale = session.scalar(select(LineChat.locale).where(LineChat.line_user_id == reporter.line_user_id))
    return reporter.line_user_id, locale or case.locale


def render(kind: str, case: Case, event: CaseEvent | None, locale: str, *, track_url: str, reopen_days: int,
           now: datetime) -> list[dict]:
    """The LINE messages for a case event."""
    action = actions.get(kind)
    with force_locale(locale):
        code = case.tracking_code
        note = (event.note if event is not None else "") or ""
        quoted = ("\n\n“" + m.short(note, 2000) + "”") if note else ""
        due = format_date(case.resolve_due, locale)
        buttons = [m.postback(_("My cases"), {"a": "mycases"})]
        rating = "\n\n" + _("How would you rate our service? Choose 1 to 5 stars.")
        if action is actions.ACKNOWLEDGE:
            body = _("Case %(code)s: the division has acknowledged your case. The office will answer by %(date)s.",
                     code=code, date=due) + quoted
        elif action is actions.PUBLIC_REPLY:
            body = _("Case %(code)s: a reply from the office:", code=code) + quoted
        elif action is actions.REQUEST_INFO:
            body = _("Case %(code)s: the office needs more information from you:", code=code) + quoted + "\n\n" + \
                _("Send your answer here as a message or photos.")
        elif action is actions.RESOLVE:
            body = _("Case %(code)s has been resolved.", code=code) + quoted + rating
            buttons = case_buttons(case, reopen_days, now) + buttons
        elif action is actions.REOPEN:
            body = _("Case %(code)s has been reopened. The office will answer by %(date)s.", code=code, date=due)
        elif action is actions.CLOSE:
            body = _("Case %(code)s is now closed.", code=code) + quoted
            if workflow.can_rate(case):
                body += rating
                buttons = case_buttons(case, reopen_days, now) + buttons
        else:
            # The status the event led to: by the time the push is made the case may have moved on.
            status = Status(event.status_to if event is not None and event.status_to else case.status)
            body = _("Case %(code)s is now: %(status)s", code=code, status=status.label) + quoted
        body += "\n\n" + _("Follow the case: %(link)s", link=track_url)
        return [m.text(body, buttons)]
