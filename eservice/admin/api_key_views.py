"""Administration of the Open311 API keys (issue 13): make one (shown once), rename or re-scope it, revoke it.
Thin views over :mod:`eservice.domain.open311.keys`; every change is in the audit log."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from ..auth import roles_required
from ..database import begin_write
from ..domain.errors import DomainError
from ..domain.open311 import keys
from ..extensions import db
from ..i18n import current_locale
from ..models import Case, Channel
from ..models.open311 import ApiKey
from . import bp
from .common import record_change, show_error
from .forms import ApiKeyForm


def _form(key: ApiKey | None = None) -> ApiKeyForm:
    form = ApiKeyForm(obj=key)
    locale = current_locale()
    channels = db.session.scalars(
        select(Channel).where(Channel.active.is_(True)).order_by(Channel.sort_order, Channel.id)).all()
    form.channel_code.choices = [SelectChoice("", _("— choose —"))] + [
        SelectChoice(c.code, c.name(locale)) for c in channels]
    if not form.is_submitted():
        if key is not None:
            form.can_write.data = "write" if key.can_write else "read"
        elif "referral" in {c.code for c in channels}:
            form.channel_code.data = "referral"  # a province's centre or another agency, most often
    return form


def _input(form: ApiKeyForm) -> keys.KeyInput:
    return keys.KeyInput(name=form.name.data or "", channel_code=form.channel_code.data or "",
                         can_write=form.can_write.data == "write", rate_limit=form.rate_limit.data or "")


def _key_or_404(key_id: int) -> ApiKey:
    key = db.session.get(ApiKey, key_id)
    if key is None:
        abort(404)
    return key


@bp.route("/api-keys")
@roles_required("admin")
def api_keys():
    rows = db.session.scalars(select(ApiKey).order_by(ApiKey.revoked_at.isnot(None), ApiKey.name)).all()
    filed = dict(db.session.execute(
        select(Case.api_key_id, func.count()).where(Case.api_key_id.isnot(None)).group_by(Case.api_key_id)).all())
    return render_template("admin/api_keys.html", keys=rows, filed=filed)


@bp.route("/api-keys/new", methods=["GET", "POST"])
@roles_required("admin")
def api_key_new():
    form = _form()
    if form.validate_on_submit():
        try:
            begin_write(db.session)
            key, raw = keys.create_key(db.session, _input(form), created_by=current_user._get_current_object())
            record_change("admin.api_key.create", target_type="api_key", target_id=key.id, details={
                "name": key.name, "prefix": key.prefix, "channel": key.channel_code, "can_write": key.can_write,
                "rate_limit": key.rate_limit})
            db.session.commit()
            # Shown on this answer only (no redirect: the key never goes into the session or an address).
            return render_template("admin/api_key_created.html", key=key, raw_key=raw)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
    return render_template("admin/api_key_form.html", form=form, key=None), 422 if form.is_submitted() else 200


@bp.route("/api-keys/<int:key_id>", methods=["GET", "POST"])
@roles_required("admin")
def api_key_edit(key_id):
    key = _key_or_404(key_id)
    form = _form(key)
    if form.validate_on_submit():
        try:
            begin_write(db.session)
            key = _key_or_404(key_id)
            changes = keys.update_key(db.session, key, _input(form))
            if changes:
                record_change("admin.api_key.update", target_type="api_key", target_id=key.id, details=changes)
            db.session.commit()
            flash(_("Key saved.") if changes else _("Nothing was changed."), "success")
            return redirect(url_for("admin.api_keys"))
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
    key = _key_or_404(key_id)
    return render_template("admin/api_key_form.html", form=form, key=key), 422 if form.is_submitted() else 200


@bp.route("/api-keys/<int:key_id>/revoke", methods=["POST"])
@roles_required("admin")
def api_key_revoke(key_id):
    # CSRFProtect has checked the token of this POST, as of every other.
    begin_write(db.session)
    key = _key_or_404(key_id)
    if keys.revoke_key(key):
        record_change("admin.api_key.revoke", target_type="api_key", target_id=key.id,
                      details={"name": key.name, "prefix": key.prefix})
        db.session.commit()
        flash(_("The key of %(name)s was revoked: it is refused from now on.", name=key.name), "success")
    else:
        db.session.rollback()
    return redirect(url_for("admin.api_keys"))
