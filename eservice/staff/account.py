"""Signing in and out, changing one's password."""


from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..auth import SESSION_VERSION_KEY
from ..database import begin_write
from ..domain import policy, sign_in
from ..domain.thai import format_datetime
from ..extensions import db, limiter
from ..i18n import current_locale
from ..models import User
from ..web import client_ip, safe_next, saving
from . import bp
from .forms import ChangePasswordForm, EmptyForm, LoginForm


def _login_limit():
    return current_app.config["STAFF_LOGIN_RATE_LIMIT"]


def _home_for(user) -> str:
    if policy.can_use_workspace(user):
        return url_for("staff.queue")
    if policy.can_administer(user):
        return url_for("admin.index")
    return url_for("staff.password")


def _start_session(user) -> None:
    """Sign ``user`` in on this browser, with the session version the user loader checks."""
    login_user(user)
    session[SESSION_VERSION_KEY] = user.session_version or 0


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("staff/login.html", form=form), 422 if form.is_submitted() else 200
    begin_write(db.session)
    result = sign_in.authenticate(db.session, form.username.data, form.password.data, ip=client_ip(),
                                  limits=sign_in.Limits.from_config(current_app.config))
    db.session.commit()
    if result.slowed_until is not None:
        # The same words whether the name exists or not, and whichever count made it wait.
        form.password.errors = [
            _("Too many unsuccessful sign-ins: please wait until %(time)s and try again.",
              time=format_datetime(result.slowed_until, current_locale()))
        ]
        return render_template("staff/login.html", form=form), 429
    if not result.ok:
        # One message for every failure: it must not tell whether the name exists.
        form.password.errors = [_("The user name or password is not correct.")]
        return render_template("staff/login.html", form=form), 422
    user = result.user
    # A new session on sign-in (keeping only the chosen language): nothing from before carries over.
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    _start_session(user)
    flash(_("Welcome, %(name)s.", name=user.display_name or user.username), "success")
    if result.previous_login_at is not None:
        flash(_("Your previous sign-in: %(time)s. If that was not you, change your password and tell an "
                "administrator.", time=format_datetime(result.previous_login_at, current_locale())), "info")
    return redirect(safe_next(request.args.get("next")) or _home_for(user))


def _end_browser_session() -> None:
    """Sign this browser out and start an empty session (keeping only the chosen language)."""
    language = session.get("lang")
    logout_user()
    session.clear()
    if language:
        session["lang"] = language


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    begin_write(db.session)
    sign_in.record_sign_out(db.session, db.session.get(User, current_user.id), ip=client_ip())
    db.session.commit()
    _end_browser_session()
    flash(_("You have signed out."), "success")
    return redirect(url_for("staff.login"))


@bp.route("/sessions/end", methods=["POST"])
@login_required
def sign_out_everywhere():
    """Every browser signed in as this user, this one included, is signed out (a lost phone, a shared PC)."""
    begin_write(db.session)
    sign_in.sign_out_everywhere(db.session, db.session.get(User, current_user.id), ip=client_ip())
    db.session.commit()
    _end_browser_session()
    flash(_("You have been signed out everywhere. Sign in again to go on here."), "success")
    return redirect(url_for("staff.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with saving(form, done=_("Your password has been changed. Any other place you were signed in has been "
                                 "signed out.")) as saved:
            user = db.session.get(User, current_user.id)
            sign_in.change_password(db.session, user, form.current.data, form.new.data, ip=client_ip())
        if saved:
            # The new password ended every session; this one goes on with the new version.
            session[SESSION_VERSION_KEY] = db.session.get(User, current_user.id).session_version
            return redirect(_home_for(current_user))
    return render_template("staff/password.html", form=form, sessions_form=EmptyForm()), \
        422 if form.is_submitted() else 200
