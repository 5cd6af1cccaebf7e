"""Notifications: the transactional outbox, Flask-Mail delivery, reminders and escalation."""

from flask import Blueprint, Flask

bp = Blueprint("notifications", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
