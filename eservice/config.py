"""Default configuration. Overridden by ``instance/config.py``, then by the environment."""

import os

MB = 1024 * 1024


class Defaults:
    SECRET_KEY = "dev-only-change-me"  # noqa: S105  replaced by instance/config.py or SECRET_KEY
    SQLALCHEMY_DATABASE_URI = None  # set in create_app: SQLite file in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}

    # Where the municipality's reference data comes from (divisions, categories, villages, ...).
    REFERENCE_DATA = os.path.join(os.path.dirname(__file__), "reference_data", "borplathong.toml")

    BABEL_DEFAULT_LOCALE = "th"
    BABEL_DEFAULT_TIMEZONE = "Asia/Bangkok"
    LANGUAGES = ("th", "en")

    # Attachments: photos or PDF, checked from their content.
    MAX_ATTACHMENTS = 5
    MAX_ATTACHMENT_BYTES = 10 * MB
    # Whole request: every attachment at its limit plus room for the form itself.
    MAX_CONTENT_LENGTH = MAX_ATTACHMENTS * MAX_ATTACHMENT_BYTES + 1 * MB
    MAX_DESCRIPTION_CHARS = 5000

    # A citizen may ask to reopen a resolved case for this many days after it was resolved.
    REOPEN_WITHIN_DAYS = 30

    # Flask-Limiter: memory by default; set RATELIMIT_STORAGE_URI=redis://... on real deployments.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    FILING_RATE_LIMIT = "10 per hour;3 per minute"
    TRACKING_RATE_LIMIT = "30 per hour;10 per minute"

    WTF_CSRF_TIME_LIMIT = 4 * 3600  # a long form on a phone may take a while

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"

    MAIL_DEFAULT_SENDER = "e-service@localhost"
