"""Canned replies of the divisions: heads edit their division's, administrators everyone's."""

from flask import abort, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..auth import permission_required
from ..domain import canned_replies, policy
from ..domain.errors import DomainError
from ..extensions import db
from ..i18n import current_locale
from ..input_guard import bounded_int
from ..models import Division
from ..models.canned import CannedReply
from ..web import client_ip, saving
from . import bp
from .forms import CannedReplyForm, as_choices


def _divisions():
    return policy.canned_divisions(db.session, current_user)


def _form(reply: CannedReply | None = None) -> CannedReplyForm:
    form = CannedReplyForm(obj=reply) if reply is not None else CannedReplyForm()
    locale = current_locale()
    form.division.choices = as_choices([("", _l("— choose —"))] + [(str(d.id), d.name(locale)) for d in _divisions()])
    form.division.validate_choice = False  # the domain refuses a division the user may not edit
    if reply is not None and not form.is_submitted():
        form.division.data = str(reply.division_id)
    return form


def _reply_or_404(reply_id: int) -> CannedReply:
    reply = db.session.get(CannedReply, reply_id)
    if reply is None or not policy.can_manage_canned(current_user, reply.division):
        abort(404)
    return reply


def _chosen_division(form) -> Division | None:
    value = form.division.data or ""
    division_id = bounded_int(value)
    return db.session.get(Division, division_id) if division_id else None


def _save(form, reply_id: int | None):
    with saving(form, done=_l("The canned reply is saved.")) as saved:
        division = _chosen_division(form)
        if division is None:
            raise DomainError(_l("Choose the division."), field="division")
        if reply_id is None:
            canned_replies.create(db.session, current_user, division, form.title.data, form.body.data,
                                  active=form.active.data, ip=client_ip())
        else:
            reply = _reply_or_404(reply_id)
            canned_replies.update(db.session, current_user, reply, division, form.title.data, form.body.data,
                                  active=form.active.data, ip=client_ip())
    return bool(saved)


@bp.route("/canned")
@permission_required(policy.can_open_canned_replies)
def canned_list():
    divisions = _divisions()
    replies = db.session.scalars(
        select(CannedReply)
        .where(CannedReply.division_id.in_([d.id for d in divisions]))
        .order_by(CannedReply.division_id, CannedReply.sort_order, CannedReply.title)
    ).all()
    by_division = {d.id: [r for r in replies if r.division_id == d.id] for d in divisions}
    return render_template("staff/canned_list.html", divisions=divisions, by_division=by_division,
                           variables=canned_replies.VARIABLES)


@bp.route("/canned/new", methods=["GET", "POST"])
@permission_required(policy.can_open_canned_replies)
def canned_new():
    form = _form()
    if form.validate_on_submit() and _save(form, None):
        return redirect(url_for("staff.canned_list"))
    return render_template("staff/canned_form.html", form=form, reply=None,
                           variables=canned_replies.VARIABLES), 422 if form.is_submitted() else 200


@bp.route("/canned/<int:reply_id>", methods=["GET", "POST"])
@permission_required(policy.can_open_canned_replies)
def canned_edit(reply_id):
    reply = _reply_or_404(reply_id)
    form = _form(reply)
    if form.validate_on_submit() and _save(form, reply_id):
        return redirect(url_for("staff.canned_list"))
    reply = _reply_or_404(reply_id)
    return render_template("staff/canned_form.html", form=form, reply=reply,
                           variables=canned_replies.VARIABLES), 422 if form.is_submitted() else 200


@bp.route("/canned/<int:reply_id>/delete", methods=["POST"])
@permission_required(policy.can_open_canned_replies)
def canned_delete(reply_id):
    with saving(done=_l("The canned reply is deleted.")):
        canned_replies.delete(db.session, current_user, _reply_or_404(reply_id), ip=client_ip())
    return redirect(url_for("staff.canned_list"))
