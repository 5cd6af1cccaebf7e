"""Who is signed in (staff only; citizens never sign in)."""

from flask import Flask

from .extensions import db, login_manager


def init_app(app: Flask) -> None:
    login_manager.login_view = "staff.login"

    @login_manager.user_loader
    def load_user(user_id: str):
        from .models import User

        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.active else None
