"""What the process can tell about how it is deployed, said once at start-up.

Flask-Limiter's ``memory://`` storage keeps the counts in each process: under gunicorn with four workers a
"10 per minute" limit lets 40 through, silently. With more than one worker the limits need a shared store
(``RATELIMIT_STORAGE_URI=redis://...``, as the README's production line has it); without one we say so.
"""

import logging
import os
import shlex
import sys

from flask import Flask

log = logging.getLogger(__name__)


def gunicorn_workers(argv: list[str], environ) -> int:
    """The number of gunicorn workers this process belongs to, from its command line, ``GUNICORN_CMD_ARGS`` or
    ``WEB_CONCURRENCY`` (gunicorn's own order); 0 when the process is not gunicorn. A count set only in a
    gunicorn config file cannot be seen from here and counts as 1."""
    if not argv or "gunicorn" not in os.path.basename(argv[0]):
        return 0
    for args in (argv[1:], shlex.split(environ.get("GUNICORN_CMD_ARGS", ""))):
        for index, arg in enumerate(args):
            value = None
            if arg in ("-w", "--workers") and index + 1 < len(args):
                value = args[index + 1]
            elif arg.startswith("--workers="):
                value = arg.split("=", 1)[1]
            elif arg.startswith("-w") and len(arg) > 2:
                value = arg[2:]
            if value is not None and value.isdecimal():
                return int(value)
    concurrency = environ.get("WEB_CONCURRENCY", "")
    return int(concurrency) if concurrency.isdecimal() else 1


def warn_about_rate_limits(app: Flask, argv: list[str] | None = None, environ=None) -> bool:
    """Log a warning when the rate limits are kept in memory by more than one worker. True if it warned."""
    workers = gunicorn_workers(sys.argv if argv is None else argv, os.environ if environ is None else environ)
    storage = str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if workers > 1 and storage.startswith("memory://") and app.config.get("RATELIMIT_ENABLED", True):
        log.warning(
            "Rate limits are kept in memory by each of %d gunicorn workers, so every limit is in effect %d times "
            "higher. Set RATELIMIT_STORAGE_URI=redis://... (or REDIS_URL) so that the workers share them.",
            workers, workers)
        return True
    return False
