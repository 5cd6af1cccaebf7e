"""How many filings one address may make, counted by hand rather than by a decorator, so that only
filings that were saved count, and a citizen who reaches the limit gets their form back with what they
typed and the time they may send it, instead of a bare "too many requests" page.

Two counters per address: filings saved (``FILING_RATE_LIMIT``, generous enough for a shared mobile
address or the office's help-desk tablet), and every send of a filing form (``FILING_ATTEMPT_RATE_LIMIT``),
which only a robot reaches, and which bounds what refused forms can leave in the attachment keeping."""

from datetime import UTC, datetime

from flask import current_app
from limits import parse_many

from ..extensions import limiter
from ..web import client_ip

SAVED = "filing-saved"
SENT = "filing-sent"


def _items(config_key: str):
    return parse_many(current_app.config[config_key])


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED"))


def _who(scope: str) -> tuple[str, str, str]:
    return current_app.config.get("RATELIMIT_KEY_PREFIX", ""), scope, client_ip()


def _blocked_until(config_key: str, scope: str) -> datetime | None:
    latest = None
    for item in _items(config_key):
        if not limiter.limiter.test(item, *_who(scope)):
            reset = datetime.fromtimestamp(limiter.limiter.get_window_stats(item, *_who(scope)).reset_time, UTC)
            latest = max(latest, reset) if latest else reset
    return latest


def filing_blocked_until() -> datetime | None:
    """When this address may send a filing again, or None when it may now. Counts this send."""
    if not _enabled():
        return None
    blocked = _blocked_until("FILING_ATTEMPT_RATE_LIMIT", SENT) or _blocked_until("FILING_RATE_LIMIT", SAVED)
    for item in _items("FILING_ATTEMPT_RATE_LIMIT"):
        limiter.limiter.hit(item, *_who(SENT))
    return blocked


def count_saved_filing() -> None:
    if _enabled():
        for item in _items("FILING_RATE_LIMIT"):
            limiter.limiter.hit(item, *_who(SAVED))
