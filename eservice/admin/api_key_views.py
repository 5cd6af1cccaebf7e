"""Administration of the Open311 API keys (issue 13): make one (shown once), rename or re-scope it, revoke it.
Thin views over :mod:`eservice.domain.open311.keys`, which audits every change."""

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from ..auth import permission_required
from ..domain import policy
from ..domain.open311 import keys
from ..extensions import db
from ..i18n import current_locale
from ..models import Case, Channel
from ..models.open311 import ApiKey
from ..web import acting, saving
from . import bp
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
@permission_required(policy.can_administer)
def api_keys():
    rows = db.session.scalars(select(ApiKey).order_by(ApiKey.revoked_at.isnot(None), ApiKey.name)).all()
    filed = dict(db.session.execute(
        select(Case.api_key_id, func.count()).where(Case.api_key_id.isnot(None)).group_by(Case.api_key_id)).all())
    return render_template("admin/api_keys.html", keys=rows, filed=filed)


@bp.route("/api-keys/new", methods=["GET", "POST"])
@permission_required(policy.can_administer)
def api_key_new():
    form = _form()
    if form.validate_on_submit():
        with saving(form) as saved:
            key, raw = keys.create_key(db.session, _input(form), by=acting())
        if saved:
            # Shown in this answer only (no redirect: the key never goes into the session or an address).
            return render_template("admin/api_key_created.html", key=key, raw_key=raw)
    return render_template("admin/api_key_form.html", form=form, key=None), 422 if form.is_submitted() else 200


@bp.route("/api-keys/<int:key_id>", methods=["GET", "POST"])
@permission_required(policy.can_administer)
def api_key_edit(key_id):
    form = _form(_key_or_404(key_id))
    if form.validate_on_submit():
        with saving(form, done=_("Key saved.")) as saved:
            if not keys.update_key(db.session, _key_or_404(key_id), _input(form), by=acting()):
                saved.say(_("Nothing was changed."))
        if saved:
            return redirect(url_for("admin.api_keys"))
    return render_template("admin/api_key_form.html", form=form, key=_key_or_404(key_id)), \
        422 if form.is_submitted() else 200


@bp.route("/api-keys/<int:key_id>/revoke", methods=["POST"])
@permission_required(policy.can_administer)
def api_key_revoke(key_id):
    # CSRFProtect has checked the token of this POST, as of every other.
    name = _key_or_404(key_id).name
    with saving(done=_("The key of %(name)s was revoked: it is refused from now on.", name=name)) as saved:
        if not keys.revoke_key(db.session, _key_or_404(key_id), by=acting()):
            saved.say(None)
    return redirect(url_for("admin.api_keys"))
