"""Friendly error pages in the page's language, never a stack trace.

Machine interfaces register their own error format for their addresses (:func:`register_api_errors`):
no HTML page ever answers there, whatever the error.
"""

from collections.abc import Callable

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .input_guard import UnstorableText

API_ERRORS = "api_error_renderers"


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/healthz"))


def register_api_errors(app: Flask, path_prefix: str, render: Callable) -> None:
    """Errors on addresses under ``path_prefix`` are answered by ``render(error)`` instead of a page."""
    app.extensions.setdefault(API_ERRORS, []).append((path_prefix, render))


def _api_error(error):
    for prefix, render in current_app.extensions.get(API_ERRORS, []):
        if request.path.startswith(prefix):
            return render(error)
    return None


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _api_error(error) or (render_template("errors/csrf.html", reason=error.description), 400)

    @app.errorhandler(400)
    def bad_request(error):
        api = _api_error(error)
        if api is not None:
            return api
        if isinstance(error, UnstorableText):
            return render_template("errors/error.html", code=400, title=_("This text cannot be kept"),
                                   text=error.description), 400
        return render_template("errors/error.html", code=400), 400

    @app.errorhandler(403)
    def forbidden(error):
        return _api_error(error) or (render_template("errors/error.html", code=403), 403)

    @app.errorhandler(404)
    def not_found(error):
        if _wants_json():
            return {"error": "not found"}, 404
        return _api_error(error) or (render_template("errors/error.html", code=404), 404)

    @app.errorhandler(405)
    def method_not_allowed(error):
        return _api_error(error) or (render_template("errors/error.html", code=405), 405)

    @app.errorhandler(HTTPException)
    def other_http_error(error):
        # Codes without a page of their own (415, 431, ...): the API's format there, Flask's answer elsewhere.
        return _api_error(error) or error

    @app.errorhandler(413)
    def too_large(error):
        api = _api_error(error)
        if api is not None:
            return api
        per_file = current_app.config["MAX_ATTACHMENT_BYTES"] // (1024 * 1024)
        total = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return render_template("errors/too_large.html", per_file=per_file, total=total,
                               count=current_app.config["MAX_ATTACHMENTS"]), 413

    @app.errorhandler(429)
    def too_many(error):
        return _api_error(error) or (render_template("errors/error.html", code=429), 429)

    @app.errorhandler(500)
    def server_error(error):
        return _api_error(error) or (render_template("errors/error.html", code=500), 500)
