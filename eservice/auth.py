"""Who is signed in (staff only; citizens never sign in) and the permission decorator.

What each role may do lives in :mod:`eservice.domain.policy`; a page names the policy question that
guards it (``@permission_required(policy.can_administer)``) and never a role.
"""

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from .extensions import db, login_manager

__all__ = ["init_app", "login_required", "permission_required"]


def permission_required(allowed: Callable[[Any], bool]):
    """Signed in and ``allowed(user)`` (a predicate of :mod:`eservice.domain.policy`); otherwise the
    sign-in page or 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not allowed(current_user._get_current_object()):
                abort(403)
            return view(*args, **kwargs)

        wrapped.permission = allowed  # read by the authorization-matrix tests
        return wrapped

    return decorator


IDLE_KEY = "staff_seen"
# The account's session version when this session signed in (see User.session_version).
SESSION_VERSION_KEY = "staff_sv"


def sign_out_when_idle():
    """A staff session left idle (a shared office computer, a lost phone) ends by itself: after
    STAFF_IDLE_MINUTES without a request the next one signs the user out and asks them to sign in again."""
    if request.endpoint == "static":
        return None
    if not current_user.is_authenticated:
        session.pop(IDLE_KEY, None)
        return None
    now = int(time.time())
    last = session.get(IDLE_KEY)
    limit = int(current_app.config["STAFF_IDLE_MINUTES"]) * 60
    if isinstance(last, int) and now - last > limit:
        logout_user()
        session.pop(IDLE_KEY, None)
        flash(_("You were signed out after %(n)d minutes without activity. Please sign in again.",
                n=limit // 60), "info")
        target = request.full_path if request.method == "GET" else None
        return redirect(url_for("staff.login", next=target))
    session[IDLE_KEY] = now
    return None


def init_app(app: Flask) -> None:
    login_manager.login_view = "staff.login"
    app.before_request(sign_out_when_idle)

    @login_manager.user_loader
    def load_user(user_id: str):
        from .models import User

        user = db.session.get(User, int(user_id)) if user_id.isdecimal() and len(user_id) < 19 else None
        if user is None or not user.active:
            return None
        # Sign-out, a password change, an administrator's reset and "sign out everywhere" move the account's
        # version on: every session (and every copy of its cookie) signed in before is refused from then on.
        signed_in_with = session.get(SESSION_VERSION_KEY, 0)
        if not isinstance(signed_in_with, int) or signed_in_with != (user.session_version or 0):
            return None
        return user
