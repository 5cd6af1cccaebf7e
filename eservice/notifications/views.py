"""Pages: the administrators' view of the outbox (failed mails, retry) and a head's digest choice."""

import functools
import re

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField

from ..auth import permission_required
from ..domain import policy
from ..extensions import db
from ..models.outbox import OUTBOX_STATUSES, OutboxMessage
from ..web import acting, saving
from . import bp
from .delivery import retry

FAILED_SHOWN = 200


class RetryForm(FlaskForm):
    """Only the CSRF token: the buttons post to the row's address."""


class DigestForm(FlaskForm):
    wants_daily_digest = BooleanField(_l("Send me a daily summary of my divisions' open, due-soon and overdue cases"))


def mask_address(address: str) -> str:
    """``s•••@example.com``: enough to tell a typing mistake in the domain, not enough to read off."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


_ADDRESS_LIKE = re.compile(r"[^\s<>\"'@,;:()\[\]]+@[^\s<>\"'@,;:()\[\]]+")


def _without(text: str, part: str, replacement: str) -> str:
    if not part:
        return text
    return re.sub(re.escape(part), lambda _m: replacement, text, flags=re.IGNORECASE)


def sealed_error(message: OutboxMessage) -> str:
    """The server's answer about a mail to a sealed reporter, with no part of any address left in it: not
    the address, nor its name part or its domain, nor anything else that looks like an address."""
    hidden = _("(hidden)")
    error = _ADDRESS_LIKE.sub(hidden, message.last_error or "")
    local, _sep, domain = (message.recipient or "").partition("@")
    for part in (message.recipient, local if len(local) >= 3 else "", domain):
        error = _without(error, part, hidden)
    return error


def shown_subject(message: OutboxMessage, full: bool) -> str:
    if message.sealed and not full:
        return _("A mail to the reporter of a confidential report")
    return message.subject or message.kind


def shown_recipient(message: OutboxMessage) -> str:
    if message.sealed:
        return _("(hidden: confidential report)")
    if message.channel == "line":
        # A LINE user id is personal data that lets anyone message the person: never shown.
        return _("a LINE user (hidden)")
    if message.audience == "citizen":
        return mask_address(message.recipient)
    return message.recipient


def shown_error(message: OutboxMessage, full: bool = True) -> str:
    """The server's answer, without the citizen's address in it; about a sealed reporter, without any part
    of theirs, and nothing at all for a reader outside the integrity unit (``full`` false)."""
    if message.sealed:
        return sealed_error(message) if full else _("(hidden: confidential report)")
    error = message.last_error or ""
    if message.audience == "citizen" and message.recipient:
        replacement = _("(hidden)") if message.sealed or message.channel == "line" else mask_address(message.recipient)
        lowered, target = error.lower(), message.recipient.lower()
        while target in lowered:
            start = lowered.index(target)
            error = error[:start] + replacement + error[start + len(target):]
            lowered = error.lower()
    return error


@bp.route("/admin/outbox")
@permission_required(policy.can_administer)
def outbox():
    counts = dict(
        db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
    )
    # Who may read which mails to sealed reporters failed, and why (the policy): else they are masked.
    full = policy.can_see_sealed_outbox_details(current_user)
    failed = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == "failed")
        .order_by(OutboxMessage.failed_at.desc(), OutboxMessage.id.desc())
        .limit(FAILED_SHOWN)
    ).all()
    return render_template(
        "notifications/outbox.html",
        counts={status: counts.get(status, 0) for status in OUTBOX_STATUSES},
        failed=failed,
        shown_recipient=shown_recipient,
        shown_error=functools.partial(shown_error, full=full),
        shown_subject=functools.partial(shown_subject, full=full),
        full=full,
        form=RetryForm(),
    )


@bp.route("/admin/outbox/<int:message_id>/retry", methods=["POST"])
@permission_required(policy.can_administer)
def retry_message(message_id):
    if not RetryForm().validate_on_submit():
        abort(400)
    with saving():
        db.session.get(OutboxMessage, message_id) or abort(404)
        count = retry(db.session, [message_id], by=acting())
    if count:
        flash(_("The mail is queued again and will be sent shortly."), "success")
    else:
        flash(_("That mail is no longer in the failed state; nothing was changed."), "error")
    return redirect(url_for("notifications.outbox"))


@bp.route("/admin/outbox/retry-failed", methods=["POST"])
@permission_required(policy.can_administer)
def retry_all():
    if not RetryForm().validate_on_submit():
        abort(400)
    with saving() as saved:
        saved.say(_("%(n)d failed mails are queued again.", n=retry(db.session, by=acting())))
    return redirect(url_for("notifications.outbox"))


@bp.route("/notifications/digest", methods=["GET", "POST"])
@permission_required(policy.can_choose_digest)
def digest_preference():
    form = DigestForm(wants_daily_digest=current_user.wants_daily_digest)
    if form.validate_on_submit():
        wanted = bool(form.wants_daily_digest.data)
        with saving(form, done=_("You will receive the daily summary.") if wanted
                    else _("You will no longer receive the daily summary.")):
            user = db.session.get(type(current_user._get_current_object()), current_user.id)
            user.wants_daily_digest = wanted
        return redirect(url_for("notifications.digest_preference"))
    return render_template("notifications/digest.html", form=form, has_email=bool(current_user.email))
