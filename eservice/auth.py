"""Who is signed in (staff only; citizens never sign in) and the permission decorators.

What each role may do with a case lives in :mod:`eservice.domain.policy`; these decorators only
guard whole pages by role.
"""

from functools import wraps

from flask import Flask, abort
from flask_login import current_user, login_required

from .extensions import db, login_manager

__all__ = ["init_app", "login_required", "roles_required"]


def roles_required(*roles: str):
    """Signed in and holding at least one of ``roles``; otherwise the sign-in page or 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles  # read by the authorization-matrix tests
        return wrapped

    return decorator


def init_app(app: Flask) -> None:
    login_manager.login_view = "staff.login"

    @login_manager.user_loader
    def load_user(user_id: str):
        from .models import User

        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.active else None
