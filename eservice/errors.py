"""Friendly error pages in the page's language, never a stack trace."""

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/healthz"))


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/csrf.html", reason=error.description), 400

    @app.errorhandler(400)
    def bad_request(error):
        return render_template("errors/error.html", code=400), 400

    @app.errorhandler(403)
    def forbidden(error):
        return render_template("errors/error.html", code=403), 403

    @app.errorhandler(404)
    def not_found(error):
        if _wants_json():
            return {"error": "not found"}, 404
        return render_template("errors/error.html", code=404), 404

    @app.errorhandler(405)
    def method_not_allowed(error):
        return render_template("errors/error.html", code=405), 405

    @app.errorhandler(413)
    def too_large(error):
        per_file = current_app.config["MAX_ATTACHMENT_BYTES"] // (1024 * 1024)
        total = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return render_template("errors/too_large.html", per_file=per_file, total=total,
                               count=current_app.config["MAX_ATTACHMENTS"]), 413

    @app.errorhandler(429)
    def too_many(error):
        return render_template("errors/error.html", code=429), 429

    @app.errorhandler(500)
    def server_error(error):
        return render_template("errors/error.html", code=500), 500
