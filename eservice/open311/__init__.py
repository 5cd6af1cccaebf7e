"""Open311 GeoReport v2 at ``/open311/v2/`` (issue 13): the machine interface for partner systems.

Thin views over :mod:`eservice.domain.open311`. Every answer from these addresses — errors, 404, 405,
413, 429 and 500 included — is in the spec's XML or JSON, never an HTML page.
"""

from flask import Blueprint, Flask

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
PATH_PREFIX = "/open311/"


def init_app(app: Flask) -> None:
    from ..errors import register_api_errors
    from ..extensions import csrf
    from . import views
    from .errors import render_http_error

    app.config.setdefault("OPEN311_JURISDICTION_ID", "")  # empty: the organisation's website domain
    app.config.setdefault("OPEN311_ENDPOINT_TYPE", "production")  # or "test" (discovery)
    app.config.setdefault("OPEN311_RATE_LIMIT", "60 per minute")  # requests without an api_key, per address
    # A POST is a short form (4,000 Thai characters urlencoded are about 36 KB), never a file.
    app.config.setdefault("OPEN311_MAX_BODY_BYTES", 128 * 1024)
    # Partners authenticate with their api_key; only the API's POST is exempt from CSRF, nothing else.
    csrf.exempt(views.post_requests)
    app.register_blueprint(bp)
    register_api_errors(app, PATH_PREFIX, render_http_error)
