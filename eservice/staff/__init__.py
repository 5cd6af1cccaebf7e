"""The officer workspace (/staff): sign in, queue, cases and their actions."""

from flask import Blueprint, Flask

bp = Blueprint("staff", __name__, url_prefix="/staff")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
