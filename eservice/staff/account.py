"""Signing in and out, changing one's password."""


from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..database import begin_write
from ..domain import policy, sign_in
from ..domain.thai import format_datetime
from ..extensions import db, limiter
from ..i18n import current_locale
from ..web import client_ip, safe_next, saving
from . import bp
from .forms import ChangePasswordForm, LoginForm


def _login_limit():
    return current_app.config["STAFF_LOGIN_RATE_LIMIT"]


def _home_for(user) -> str:
    if policy.can_use_workspace(user):
        return url_for("staff.queue")
    if policy.can_administer(user):
        return url_for("admin.index")
    return url_for("staff.password")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("staff/login.html", form=form), 422 if form.is_submitted() else 200
    begin_write(db.session)
    result = sign_in.authenticate(
        db.session, form.username.data, form.password.data, ip=client_ip(),
        max_failures=current_app.config["LOGIN_MAX_FAILURES"],
        lock_minutes=current_app.config["LOGIN_LOCK_MINUTES"],
    )
    db.session.commit()
    if result.locked_until is not None:
        form.password.errors = [
            _("Too many wrong passwords: sign-in to this account is paused until %(time)s. Ask an administrator "
              "if you need in sooner.", time=format_datetime(result.locked_until, current_locale()))
        ]
        return render_template("staff/login.html", form=form), 422
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
    login_user(user)
    flash(_("Welcome, %(name)s.", name=user.display_name or user.username), "success")
    if result.previous_login_at is not None:
        flash(_("Your previous sign-in: %(time)s. If that was not you, change your password and tell an "
                "administrator.", time=format_datetime(result.previous_login_at, current_locale())), "info")
    return redirect(safe_next(request.args.get("next")) or _home_for(user))


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    begin_write(db.session)
    sign_in.record_sign_out(db.session, current_user, ip=client_ip())
    db.session.commit()
    language = session.get("lang")
    logout_user()
    session.clear()
    if language:
        session["lang"] = language
    flash(_("You have signed out."), "success")
    return redirect(url_for("staff.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with saving(form, done=_("Your password has been changed.")) as saved:
            sign_in.change_password(db.session, current_user, form.current.data, form.new.data, ip=client_ip())
        if saved:
            return redirect(_home_for(current_user))
    return render_template("staff/password.html", form=form), 422 if form.is_submitted() else 200
