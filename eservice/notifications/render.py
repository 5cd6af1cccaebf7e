"""Turning an outbox row into a mail: subject, text and HTML in the recipient's language.

Rendered by the worker on the first try and kept on the row, so a retry sends the same mail. The
templates are ``templates/email/<kind>.txt`` and ``.html``; they are rendered with the Jinja
environment directly (no request, no context processors) under :func:`flask_babel.force_locale`.

What a template is given is decided here, and for a sealed (corruption or gift) case that is not the
case: the templates for those cases cannot show content because they never receive any.
"""

import re
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ..domain import actions, case_types, statuses
from ..domain.notify import header_safe
from ..domain.organisation import current as current_organisation
from ..domain.thai import format_date
from ..extensions import db
from ..models import Organisation, User
from ..models.outbox import OutboxMessage
from ..outbox import external_url, track_url

_BLANK_LINES = re.compile(r"\n{3,}")

SUBJECTS = {
    "receipt": _l("[%(code)s] Your case has been received"),
    "acknowledged": _l("[%(code)s] Your case has been acknowledged"),
    "info_requested": _l("[%(code)s] The office needs more information from you"),
    "reply": _l("[%(code)s] A reply from the office"),
    "resolved": _l("[%(code)s] Your case has been resolved"),
    "reopened": _l("[%(code)s] Your case has been reopened"),
    "status_changed": _l("[%(code)s] Your case is now: %(status)s"),
    "sealed_update": _l("[%(code)s] There is news on your submission"),
    "new_case": _l("[%(code)s] New case for %(division)s"),
    "assigned": _l("[%(code)s] A case has been assigned to you"),
    "transferred_in": _l("[%(code)s] A case has been transferred to %(division)s"),
    "citizen_answered": _l("[%(code)s] The citizen has added information"),
    "case_reopened": _l("[%(code)s] A case has been reopened"),
    "reminder": _l("[%(code)s] One working day left: due %(date)s"),
    "escalation": _l("[%(code)s] Overdue since %(date)s"),
    "digest": _l("Daily summary of cases, %(date)s"),
    "integrity_notice": _l("A report awaits the integrity unit"),
    "integrity_membership": _l("A change to the integrity unit's membership"),
}

MEMBERSHIP_TEXT = {
    ("requested", True): _l("%(by)s asks for %(member)s to join the integrity unit. A member of the unit other "
                            "than %(member)s must confirm or decline it."),
    ("requested", False): _l("%(by)s asks for %(member)s to leave the integrity unit. A member of the unit other "
                             "than %(member)s must confirm or decline it."),
    ("confirmed", True): _l("%(by)s confirmed it: %(member)s has joined the integrity unit (asked for by "
                            "%(requested_by)s)."),
    ("confirmed", False): _l("%(by)s confirmed it: %(member)s has left the integrity unit (asked for by "
                             "%(requested_by)s)."),
    ("declined", True): _l("%(by)s declined the request of %(requested_by)s for %(member)s to join the "
                           "integrity unit."),
    ("declined", False): _l("%(by)s declined the request of %(requested_by)s for %(member)s to leave the "
                            "integrity unit."),
    ("created", None): _l("%(member)s was made a member of the integrity unit on the server's command line."),
    ("deactivated", None): _l("%(by)s switched off the account of %(member)s, a member of the integrity unit."),
    ("reactivated", None): _l("%(by)s switched the account of %(member)s, a member of the integrity unit, on "
                              "again."),
}

INTEGRITY_REASON_TEXT = {
    "new_report": _l("A new report has been filed."),
    "assigned": _l("A report has been assigned to you."),
    "transferred_in": _l("A report has been passed to the integrity unit."),
    "citizen_answered": _l("The reporter has added information to a report."),
    "reopened": _l("A report has been reopened."),
    "reminder": _l("A report is one working day from its due date."),
    "overdue": _l("A report is past its due date."),
}

@dataclass
class Rendered:
    subject: str
    text: str
    html: str


def organisation() -> Organisation | None:
    return current_organisation(db.session)


def staff_case_url(case) -> str:
    """The case in the officer workspace; the queue if that page is not there."""
    return external_url("staff.case", "/staff", code=case.tracking_code)


def staff_queue_url() -> str:
    return external_url("staff.queue", "/staff")


def _status_label(status: str | None) -> str:
    return str(statuses.label(status or ""))


def context_for(message: OutboxMessage) -> tuple[dict, dict]:
    """(template context, subject parameters): the context every mail has, then its kind's builder.
    Sealed cases give the templates no case at all."""
    ctx: dict = {
        "org": organisation(),
        "locale": message.locale,
        "kind": message.kind,
        "recipient_name": message.recipient_name if message.audience == "staff" else "",
        "data": message.data or {},
        "staff_queue_url": staff_queue_url(),
    }
    params: dict = {"code": "", "status": "", "division": "", "date": ""}
    BUILDERS.get(message.kind, _case_mail)(message, ctx, params)
    return ctx, params


# --- one builder per kind of mail (the default: _case_mail) ------------------------------------------


def _integrity_notice(message: OutboxMessage, ctx: dict, params: dict) -> None:
    reason = ctx["data"].get("reason")
    ctx["reason_text"] = INTEGRITY_REASON_TEXT.get(reason, INTEGRITY_REASON_TEXT["new_report"])


def _integrity_membership(message: OutboxMessage, ctx: dict, params: dict) -> None:
    data = ctx["data"]
    change = data.get("change")
    text = MEMBERSHIP_TEXT.get((change, data.get("grant") if change in ("requested", "confirmed", "declined")
                                else None))
    if text is None:
        raise ValueError(f"an integrity_membership mail with an unknown change {change!r}")
    ctx["change_text"] = str(text) % {"by": data.get("by") or "—", "member": data.get("member") or "—",
                                      "requested_by": data.get("requested_by") or "—"}
    ctx["membership_url"] = external_url("staff.integrity_requests", "/staff/integrity/membership")
    ctx["pending"] = change == "requested"


def _digest(message: OutboxMessage, ctx: dict, params: dict) -> None:
    data = ctx["data"]
    ctx["day"] = _as_date(data.get("day"))
    ctx["digest_settings_url"] = external_url("notifications.digest_preference", "/notifications/digest")
    ctx["sections"] = [_digest_section(section, message.locale) for section in data.get("divisions", [])]
    params["date"] = _format_date(data.get("day"), message.locale)


def _case_code(message: OutboxMessage, ctx: dict, params: dict):
    case = message.case
    if case is None:
        raise ValueError(f"a {message.kind} mail needs its case")
    params["code"] = ctx["code"] = case.tracking_code
    ctx["track_url"] = track_url(case.tracking_code)
    return case


def _code_and_dates(message: OutboxMessage, ctx: dict, params: dict) -> None:
    """The receipt (any case) and every mail about a sealed case: the code, dates and a link. Nothing else."""
    case = _case_code(message, ctx, params)
    ctx.update(received_at=case.received_at, ack_due=case.ack_due, resolve_due=case.resolve_due)


def _case_mail(message: OutboxMessage, ctx: dict, params: dict) -> None:
    """What a mail about a general case may say. Neither the case nor the event goes to a template, only the
    fields below: what the citizen wrote (case.description, their notes) and who they are cannot be printed
    by any template."""
    case = _case_code(message, ctx, params)
    if case.confidential:
        # notify never queues these for a sealed case; if a row ever says otherwise, send nothing.
        raise ValueError(f"a {message.kind} mail would show a sealed case; only receipt, sealed_update and "
                         "integrity_notice may be sent about one")
    event, locale = message.event, message.locale
    public_note = event.note if (event is not None and event.public and event.actor_kind != "citizen") else ""
    ctx.update(
        note=public_note,
        case_status=case.status,
        awaiting_acknowledgement=case.status == statuses.AWAITING_ACKNOWLEDGEMENT,
        by_citizen=event is not None and event.actor_kind == "citizen",
        case_type=case_types.CASE_TYPES[case.case_type].label if case.case_type in case_types.CASE_TYPES else "",
        category=case.category.name(locale) if case.category else "",
        division=case.division.name(locale) if case.division else "",
        status=_status_label(event.status_to if event is not None and event.status_to else case.status),
        resolve_due=case.resolve_due,
        ack_due=case.ack_due,
        received_at=case.received_at,
        staff_url=staff_case_url(case) if message.audience == "staff" else "",
    )
    params["status"] = ctx["status"]
    params["division"] = ctx["division"]
    if message.audience == "staff":
        # Staff mails name the case but carry nothing the citizen wrote and nothing about who they are:
        # that stays behind the sign-in.
        ctx["note"] = ""
        is_transfer = event is not None and event.kind == actions.TRANSFER.kind
        ctx["transfer_note"] = (event.note or (event.data or {}).get("reason", "")) if is_transfer else ""
        actor = db.session.get(User, event.actor_id) if event is not None and event.actor_id else None
        ctx["actor_name"] = (actor.display_name or actor.username) if actor is not None else ""


def _status_changed(message: OutboxMessage, ctx: dict, params: dict) -> None:
    _case_mail(message, ctx, params)
    case, event = message.case, message.event
    if event is not None and event.kind == actions.MARK_DUPLICATE.kind:
        original = case.duplicate_of.tracking_code if case.duplicate_of is not None else ""
        ctx["duplicate_of"] = original or (event.data or {}).get("original", "")
    if event is not None and event.kind == actions.REJECT.kind:
        ctx["referred_to"] = (event.data or {}).get("referred_to", "")


def _reopened(message: OutboxMessage, ctx: dict, params: dict) -> None:
    _case_mail(message, ctx, params)
    if ctx["by_citizen"] and message.audience != "staff":
        ctx["note"] = message.event.note  # the reopening they asked for, in their own words, back to themselves


def _resolved(message: OutboxMessage, ctx: dict, params: dict) -> None:
    _case_mail(message, ctx, params)
    ctx["reopen_days"] = current_app.config["REOPEN_WITHIN_DAYS"]


def _deadline(message: OutboxMessage, ctx: dict, params: dict) -> None:
    """A reminder or an escalation."""
    _case_mail(message, ctx, params)
    case, data = message.case, ctx["data"]
    ctx["stage"] = data.get("stage", "resolve")
    ctx["due_on"] = _as_date(data.get("due_on"))
    params["date"] = _format_date(data.get("due_on"), message.locale)
    assignee = db.session.get(User, case.assigned_to_id) if case.assigned_to_id else None
    ctx["assignee_name"] = (assignee.display_name or assignee.username) if assignee is not None else ""


BUILDERS = {
    "integrity_notice": _integrity_notice,
    "integrity_membership": _integrity_membership,
    "digest": _digest,
    "receipt": _code_and_dates,
    "sealed_update": _code_and_dates,
    "status_changed": _status_changed,
    "reopened": _reopened,
    "resolved": _resolved,
    "reminder": _deadline,
    "escalation": _deadline,
}


def _as_date(value) -> date | None:
    if not value:
        return None
    return date.fromisoformat(value) if isinstance(value, str) else value


def _format_date(value, locale: str) -> str:
    value = _as_date(value)
    return format_date(value, locale) if value else ""


def _digest_section(section: dict, locale: str) -> dict:
    """A division of the digest snapshot, in the reader's language, with real dates."""
    def items(key):
        return [
            {**item, "due_on": _as_date(item.get("due_on")), "category": item.get(f"category_{locale}") or
             item.get("category_th", "")}
            for item in section.get(key, [])
        ]

    return {
        **section,
        "name": section.get(f"name_{locale}") or section.get("name_th", ""),
        "overdue": items("overdue"),
        "due_soon": items("due_soon"),
    }


def render(message: OutboxMessage) -> Rendered:
    env = current_app.jinja_env
    with force_locale(message.locale):
        ctx, params = context_for(message)
        subject = header_safe(str(SUBJECTS[message.kind]) % params, limit=250)
        text = env.get_template(f"email/{message.kind}.txt").render(ctx)
        html = env.get_template(f"email/{message.kind}.html").render(ctx)
    text = _BLANK_LINES.sub("\n\n", "\n".join(line.rstrip() for line in text.splitlines())).strip() + "\n"
    return Rendered(subject=subject, text=text, html=html)
