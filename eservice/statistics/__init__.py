"""Channel-usage statistics (/admin/stats) and the public OIT statistics (/stats)."""

from flask import Blueprint, Flask

bp = Blueprint("statistics", __name__)


def init_app(app: Flask) -> None:
    from . import cli, summary_views, views  # noqa: F401  (views register their routes on bp)

    app.register_blueprint(bp)
    cli.init_app(app)
