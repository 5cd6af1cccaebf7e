"""Errors of the API in the spec's format, whatever raised them (a rule, routing, a limit, a crash)."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from ..domain.open311.problems import Open311Error, Problem
from ..input_guard import UnstorableText
from .render import error_body, requested_format, respond

HTTP_MESSAGES = {
    400: _l("The request is not valid."),
    403: _l("This api_key is not valid, or it was revoked."),
    404: _l("There is nothing at this address; see discovery.xml or openapi.json."),
    405: _l("This method is not allowed at this address."),
    429: _l("Too many requests for this api_key or address; wait a moment and try again."),
    500: _l("Something went wrong on our side; the request was not saved. Try again later."),
}


def render_problems(error: Open311Error, fmt: str | None = None):
    return respond(fmt or requested_format(), "errors", error_body(error.problems), status=error.status)


def render_http_error(error: HTTPException | Exception):
    """An HTTP error (or an unexpected exception) raised on an Open311 address, as an Open311 error."""
    code = error.code if isinstance(error, HTTPException) and error.code else 500
    message, field = HTTP_MESSAGES.get(code), ""
    if isinstance(error, UnstorableText):  # the same answer as the API's own check of a POST body
        message, field = _l("Remove the control characters from this text."), error.where
    if code == 413:
        message = _l("The request is too large: a request is a short form of at most %(kb)d KB.",
                     kb=current_app.config["OPEN311_MAX_BODY_BYTES"] // 1024)
    if message is None:
        message = getattr(error, "description", "") or HTTP_MESSAGES[400]
    response = respond(requested_format(), "errors", error_body([Problem(code, field, message)]), status=code)
    if isinstance(error, HTTPException):
        for name, value in error.get_headers():
            if name.lower() in ("allow", "retry-after"):
                response.headers[name] = value
    return response
