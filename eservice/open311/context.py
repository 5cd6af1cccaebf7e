"""The request as the API sees it: the body-size limit, the api_key sent, and the rate limit it gets.

These run before the view — Flask-Limiter asks for the limit and its key in its own before-request
hook — so each is safe to call first and does its work once per request.
"""

from flask import current_app, g, request

from ..domain.open311 import keys
from ..extensions import db

FORM_TYPE = "application/x-www-form-urlencoded"


def prepare() -> None:
    """Cap the body before anything reads it: a 50 MB POST is refused with 413 unread."""
    if not g.get("open311_prepared"):
        g.open311_prepared = True
        request.max_content_length = current_app.config["OPEN311_MAX_BODY_BYTES"]


def sent_api_key() -> str:
    """``api_key`` from the query string, or from a form-encoded POST body (as the spec's example)."""
    prepare()
    raw = request.args.get("api_key", "")
    if not raw and request.method == "POST" and request.mimetype == FORM_TYPE:
        raw = request.form.get("api_key", "")
    return raw.strip()


def known_key():
    """The valid key sent, or None (no key, an unknown one or a revoked one: the view refuses those)."""
    if "open311_key" not in g:
        key = keys.find_key(db.session, sent_api_key())
        g.open311_key = key if key is not None and not key.revoked else None
    return g.open311_key


def rate_limit_key() -> str:
    key = known_key()
    return f"open311-key:{key.id}" if key is not None else f"open311-address:{request.remote_addr or ''}"


def rate_limit_value() -> str:
    return keys.rate_limit_of(known_key(), current_app.config["OPEN311_RATE_LIMIT"])
