"""The officer workspace (/staff): sign in, queue, cases and their actions."""

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

bp = Blueprint("staff", __name__, url_prefix="/staff")


def init_app(app: Flask) -> None:
    from ..extensions import login_manager
    from . import account, canned_views, cli, membership_views, views  # noqa: F401  registers the routes

    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    app.register_blueprint(bp)
    cli.init_app(app)
