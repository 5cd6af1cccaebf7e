"""Default configuration. Overridden by ``instance/config.py``, then by the environment."""

import os

MB = 1024 * 1024


class Defaults:
    # Replaced by instance/config.py or SECRET_KEY, else by a random key kept in the instance folder (create_app).
    SECRET_KEY = "dev-only-change-me"  # noqa: S105  # nosec B105  # never used outside tests
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
    # Photos larger than this many pixels (width × height) are refused from their header, before decoding: a
    # small PNG can announce gigabytes of pixels. bench/upload_worst_case.py measures a worker at this limit.
    MAX_IMAGE_PIXELS = 40_000_000
    # Whole request: every attachment at its limit plus room for the form itself.
    MAX_CONTENT_LENGTH = MAX_ATTACHMENTS * MAX_ATTACHMENT_BYTES + 1 * MB
    MAX_DESCRIPTION_CHARS = 5000

    # Reference data shown on pages (organisation, form choices) is kept per process this many seconds; a change
    # made in the same process shows at once (eservice/reference_cache.py).
    REFERENCE_CACHE_SECONDS = 30

    # A citizen may ask to reopen a resolved case for this many days after it was resolved.
    REOPEN_WITHIN_DAYS = 30

    # Flask-Limiter: memory by default; set RATELIMIT_STORAGE_URI=redis://... on real deployments.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Filings saved per address: a shared mobile-network address or the office's help-desk tablet has busy
    # hours. Only saved filings count; a citizen at the limit gets the form back with the time to send it.
    FILING_RATE_LIMIT = "30 per hour"
    # Every send of a filing form, refused or not: only a robot gets here.
    FILING_ATTEMPT_RATE_LIMIT = "120 per hour;20 per minute"
    # Information added to a case by its key holder (counted when saved).
    INFORMATION_RATE_LIMIT = "30 per hour"
    # After filing, the receipt (with the key) is shown again in the same browser for this long, unless the
    # citizen says they have kept the key.
    RECEIPT_SHOWN_MINUTES = 120
    TRACKING_RATE_LIMIT = "30 per hour;10 per minute"

    WTF_CSRF_TIME_LIMIT = 4 * 3600  # a long form on a phone may take a while

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Behind a TLS-terminating proxy, how many proxies to believe about the client's address and scheme
    # (X-Forwarded-For / -Proto). Without it every sign-in is audited and rate-limited as the proxy's address,
    # and the session cookie cannot tell that the page was served over HTTPS.
    TRUSTED_PROXIES = 0

    # --- Staff sign-in and the officer workspace ---------------------------------------------------
    STAFF_LOGIN_RATE_LIMIT = "10 per minute;60 per hour"
    # Wrong sign-ins are slowed down, never an account locked for everyone (eservice.domain.sign_in): after
    # this many failures of one name from one address, that name from that address waits, first
    # LOGIN_DELAY_SECONDS, doubling with each further failure up to LOGIN_LOCK_MINUTES...
    LOGIN_MAX_FAILURES = 5
    LOGIN_DELAY_SECONDS = 30
    LOGIN_LOCK_MINUTES = 15
    # ...after this many from one address (any names), the address waits the same way...
    LOGIN_ADDRESS_MAX_FAILURES = 30
    # ...and after this many of one name (any addresses), that name waits, except from an address it has
    # signed in from before (so the officer at their own desk still gets in).
    LOGIN_ACCOUNT_MAX_FAILURES = 20
    LOGIN_FORGET_HOURS = 24  # failures older than this no longer count
    LOGIN_KNOWN_ADDRESS_DAYS = 90  # an address the account signed in from within this many days is known
    STAFF_QUEUE_PER_PAGE = 25
    STAFF_IDLE_MINUTES = 30  # a staff session without a request for this long ends by itself

    MAIL_DEFAULT_SENDER = "e-service@localhost"

    # --- Notifications (issue 5: eservice/notifications, eservice/domain/notify.py) -----------------
    # Links in mails point here: set it to the address citizens reach the service at.
    PUBLIC_BASE_URL = "http://localhost:5000"
    # Seconds any one SMTP step may take; a slow server fails that attempt (retried), never the worker.
    MAIL_TIMEOUT = 30
    # Right-hand side of each mail's Message-ID; empty means the domain of MAIL_DEFAULT_SENDER.
    MAIL_MESSAGE_ID_DOMAIN = ""
    OUTBOX_BATCH_SIZE = 50  # mails claimed by a worker at a time
    OUTBOX_MAX_ATTEMPTS = 12  # then the mail is "failed" and shown at /admin/outbox
    OUTBOX_RETRY_BASE_SECONDS = 120  # delay after the first failure, doubled after each further one...
    OUTBOX_RETRY_MAX_SECONDS = 6 * 3600  # ...up to this (12 tries span about a day)
    OUTBOX_CLAIM_SECONDS = 600  # a worker that died holding mails gives them up after this long
    WORKER_POLL_SECONDS = 5  # the worker looks for new mail this often
    SLA_CHECK_INTERVAL_SECONDS = 900  # the worker runs sla-check this often
    CALENDAR_CHECK_INTERVAL_SECONDS = 3600  # the worker loads any missing year of days off this often
    DIGEST_HOUR = 7  # Bangkok hour from which heads who opted in get their daily digest (working days)

    # --- LINE Official Account (issue 12: eservice/line, eservice/domain/line) ------------------------
    # From the LINE Developers console (Messaging API channel). Without a secret /line/webhook is 404.
    LINE_CHANNEL_SECRET = ""  # nosec B105  # empty: LINE is off until the deployment gives its secret
    LINE_CHANNEL_ACCESS_TOKEN = ""  # nosec B105  # empty: as above
    LINE_API_BASE_URL = "https://api.line.me"
    LINE_DATA_API_BASE_URL = "https://api-data.line.me"
    LINE_TIMEOUT_SECONDS = 10  # any one call to LINE; a slow LINE fails that try (retried), never the worker
    LINE_WEBHOOK_MAX_BYTES = 1 * MB  # LINE's webhook bodies are a few kB
    LINE_DRAFT_MINUTES = 30  # an unfinished report in chat expires after this long without a word
    LINE_REPLY_TOKEN_SECONDS = 50  # use the reply token only this soon after the event (LINE: about a minute)
    LINE_EVENT_MAX_ATTEMPTS = 8  # an event that cannot be processed (e.g. its photo unreachable) is then given up
    LINE_EVENT_RETRY_BASE_SECONDS = 15  # doubled after each failed try of an event
    # Process events in a thread of the web process right after the webhook answers (the worker also does).
    LINE_PROCESS_IN_WEB = True
