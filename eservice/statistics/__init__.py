"""Channel-usage statistics (/admin/stats) and the public OIT statistics (/stats)."""

from flask import Blueprint, Flask

bp = Blueprint("statistics", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
