"""Partners' API keys.

A key has 240 random bits, is shown once when made, and is kept only as its SHA-256 (a key that long
cannot be guessed, so a fast hash is enough: the same reasoning as for receipt keys). Each key names
the intake channel its filings go under, whether it may file at all (read-only or read-write), its own
rate limit, and when it was last used. A revoked key is refused at once, on every method.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from limits import parse_many
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import Channel
from ...models.open311 import ApiKey
from ..audit import By, change
from ..errors import DomainError
from .problems import FORBIDDEN, fail

KEY_BYTES = 30  # 240 bits, 40 characters of URL-safe base64
PREFIX_CHARS = 8
MAX_NAME_CHARS = 100
DEFAULT_RATE_LIMIT = "60 per minute"
# last_used_at is written at most this often, so that reading does not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def new_key() -> str:
    return secrets.token_urlsafe(KEY_BYTES)


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.strip().encode()).hexdigest()


@dataclass
class KeyInput:
    name: str
    channel_code: str
    can_write: bool
    rate_limit: str = DEFAULT_RATE_LIMIT


@dataclass(frozen=True)
class KeyActor:
    """Who an audit entry names for a filing through a key: the key's name, no staff account."""

    key_id: int
    name: str
    id = None  # no staff user

    @property
    def username(self) -> str:
        return f"api-key:{self.name}"


def actor_for(key: ApiKey) -> KeyActor:
    return KeyActor(key.id, key.name)


def check_rate_limit(text: str) -> str:
    """Flask-Limiter's notation ("60 per minute;1000 per day"); raises DomainError when it is not."""
    text = (text or "").strip()
    try:
        items = parse_many(text) if text else []
    except ValueError:
        items = []
    if not items or any(item.amount < 1 for item in items):
        raise DomainError(
            _l("Write the limit like “60 per minute” or “60 per minute;1000 per day”."), field="rate_limit"
        )
    return text


def _clean(session: Session, data: KeyInput, current: ApiKey | None) -> dict:
    name = " ".join((data.name or "").split())
    if not name:
        raise DomainError(_l("Name the key after the partner that uses it."), field="name")
    if len(name) > MAX_NAME_CHARS:
        raise DomainError(_l("Keep it under %(max)d characters.", max=MAX_NAME_CHARS), field="name")
    same = select(ApiKey.id).where(func.lower(ApiKey.name) == name.lower())
    if current is not None:
        same = same.where(ApiKey.id != current.id)
    if session.scalar(same) is not None:
        raise DomainError(_l("Another key already has this name."), field="name")
    channel = session.scalar(select(Channel).where(Channel.code == data.channel_code, Channel.active.is_(True)))
    if channel is None:
        raise DomainError(_l("Choose the channel from the list."), field="channel_code")
    return {
        "name": name,
        "channel_code": channel.code,
        "can_write": bool(data.can_write),
        "rate_limit": check_rate_limit(data.rate_limit),
    }


def create_key(session: Session, data: KeyInput, *, by: By = By(), now: datetime | None = None):
    """A new key, audited: returns (row, the key itself). The key is never stored nor can be shown again."""
    values = _clean(session, data, None)
    raw = new_key()
    key = ApiKey(
        **values,
        prefix=raw[:PREFIX_CHARS],
        key_hash=hash_key(raw),
        created_at=now or datetime.now(UTC),
        created_by_id=getattr(by.user, "id", None),
    )
    session.add(key)
    session.flush()
    change(session, by, "admin.api_key.create", target_type="api_key", target_id=key.id, now=now,
           details={**values, "prefix": key.prefix})
    return key, raw


def update_key(session: Session, key: ApiKey, data: KeyInput, *, by: By = By()) -> dict:
    """Rename or re-scope a key (the key itself stays), audited. Returns {field: [before, after]}."""
    if key.revoked:
        raise DomainError(_l("This key was revoked; make a new one instead."))
    values = _clean(session, data, key)
    changes = {}
    for name, value in values.items():
        if getattr(key, name) != value:
            changes[name] = [getattr(key, name), value]
            setattr(key, name, value)
    if changes:
        change(session, by, "admin.api_key.update", target_type="api_key", target_id=key.id, details=changes)
    return changes


def revoke_key(session: Session, key: ApiKey, *, by: By = By(), now: datetime | None = None) -> bool:
    """Refused from now on, audited. False when it was revoked already."""
    if key.revoked:
        return False
    key.revoked_at = now or datetime.now(UTC)
    change(session, by, "admin.api_key.revoke", target_type="api_key", target_id=key.id, now=now,
           details={"name": key.name, "prefix": key.prefix})
    return True


def find_key(session: Session, raw: str) -> ApiKey | None:
    raw = (raw or "").strip()
    if not raw or len(raw) > 200:
        return None
    digest = hash_key(raw)
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == digest))
    # The lookup is by hash already; compare again in constant time all the same.
    if key is None or not hmac.compare_digest(key.key_hash, digest):
        return None
    return key


def authenticate(session: Session, raw: str | None, *, required: bool = False, to_write: bool = False):
    """The key sent with a request, or None when none was sent and none is needed.

    Raises a 403 Open311Error for a missing key where one is needed, an unknown or revoked key (even
    where none is needed: a partner must learn at once that its key no longer works), or a read-only
    key used to file.
    """
    raw = (raw or "").strip()
    if not raw:
        if required:
            raise fail(FORBIDDEN, "api_key", _l("Send your api_key: filing a request needs one."))
        return None
    key = find_key(session, raw)
    if key is None or key.revoked:
        raise fail(FORBIDDEN, "api_key", _l("This api_key is not valid, or it was revoked."))
    if to_write and not key.can_write:
        raise fail(FORBIDDEN, "api_key", _l("This api_key may only read; ask for a key that may file requests."))
    return key


def mark_used(key: ApiKey, now: datetime | None = None) -> bool:
    """Note the use; True when last_used_at changed (at most once a minute)."""
    now = now or datetime.now(UTC)
    if key.last_used_at is not None and now - key.last_used_at < LAST_USED_RESOLUTION:
        return False
    key.last_used_at = now
    return True


def rate_limit_of(key: ApiKey | None, anonymous_limit: str) -> str:
    return key.rate_limit if key is not None else anonymous_limit
