"""Administration (/admin): settings, reference data, users, audit log, measures report."""

from flask import Blueprint, Flask

bp = Blueprint("admin", __name__, url_prefix="/admin")


def init_app(app: Flask) -> None:
    # The modules register their routes on bp.
    from . import api_key_views, measures_views, paper_views, summary_views, views  # noqa: F401
    from .cli import report_command
    from .logo import logo_bp

    app.register_blueprint(bp)
    app.register_blueprint(logo_bp)
    app.cli.add_command(report_command)
