"""Staff sign-in: password check, slowing down repeated failures, password change, ending sessions. Every
attempt, good or bad, goes to the audit log with the address it came from.

No account is ever locked for everyone (anyone could then lock out any officer by typing their name).
Instead failures are counted in three ways (``SignInThrottle``), each keyed by the name *as typed*, so a
name that exists and one that does not answer exactly alike:

- one name from one address (``pair``): after ``max_failures`` it waits ``delay``, doubling with each
  further failure, up to ``max_delay``;
- one address, any names (``address``): the same after ``address_failures`` — one address cannot go on
  guessing (and so slowing) every account;
- one name, any addresses (``account``): the same after ``account_failures``, except from an address the
  account signed in from recently (the audit log knows): the officer at their own desk still gets in.

While a wait runs, the password is not even checked. Failures older than ``forget_after`` no longer count.
The sign-in route is also rate-limited per address by Flask-Limiter.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import AuditEntry, SignInThrottle, User
from . import audit
from .accounts import MIN_PASSWORD_LENGTH, check_password, set_password
from .errors import DomainError

_dummy_hash: str | None = None


def _spend_the_same_time(password: str) -> None:
    """Check the password against a throw-away hash, so an unknown name answers as slowly as a known one."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = generate_password_hash("not a real password", method="scrypt")
    check_password_hash(_dummy_hash, password)


@dataclass(frozen=True)
class Limits:
    max_failures: int = 5  # one name from one address
    address_failures: int = 30  # one address, any names
    account_failures: int = 20  # one name, any addresses (not counted against a known address)
    delay: timedelta = timedelta(seconds=30)  # the first wait; doubled with each further failure
    max_delay: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(hours=24)
    known_address_for: timedelta = timedelta(days=90)

    @classmethod
    def from_config(cls, config) -> "Limits":
        return cls(
            max_failures=int(config["LOGIN_MAX_FAILURES"]),
            address_failures=int(config["LOGIN_ADDRESS_MAX_FAILURES"]),
            account_failures=int(config["LOGIN_ACCOUNT_MAX_FAILURES"]),
            delay=timedelta(seconds=float(config["LOGIN_DELAY_SECONDS"])),
            max_delay=timedelta(minutes=float(config["LOGIN_LOCK_MINUTES"])),
            forget_after=timedelta(hours=float(config["LOGIN_FORGET_HOURS"])),
            known_address_for=timedelta(days=float(config["LOGIN_KNOWN_ADDRESS_DAYS"])),
        )

    def wait_after(self, failures: int, free: int) -> timedelta | None:
        """How long to wait after the ``failures``-th failure, when ``free`` are allowed without a wait."""
        if failures < free:
            return None
        return min(self.delay * 2 ** min(failures - free, 30), self.max_delay)


@dataclass
class SignInResult:
    user: User | None
    # Set when this name (or this address) must wait: the same for a name that exists and one that does not.
    slowed_until: datetime | None = None
    previous_login_at: datetime | None = None  # shown to the user: a sign-in they did not make stands out

    @property
    def ok(self) -> bool:
        return self.user is not None and self.slowed_until is None


@dataclass
class _Keys:
    name: str
    ip: str
    known_address: bool
    keys: dict[str, str] = field(default_factory=dict)  # scope -> key

    @classmethod
    def of(cls, name: str, ip: str, known_address: bool) -> "_Keys":
        keys = {"pair": _key("pair", name.lower(), ip), "address": _key("address", ip)}
        if not known_address:
            keys["account"] = _account_key(name)
        return cls(name, ip, known_address, keys)


def _key(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _account_key(name: str) -> str:
    return _key("account", name.lower())


def _free(scope: str, limits: Limits) -> int:
    return {"pair": limits.max_failures, "address": limits.address_failures,
            "account": limits.account_failures}[scope]


def _throttles(session: Session, keys: _Keys, *, lock: bool = False) -> dict[str, SignInThrottle]:
    query = select(SignInThrottle).where(SignInThrottle.key.in_(list(keys.keys.values())))
    if lock:
        query = query.with_for_update()
    by_key = {row.key: row for row in session.scalars(query)}
    return {scope: by_key[key] for scope, key in keys.keys.items() if key in by_key}


def _slowed_until(session: Session, keys: _Keys, limits: Limits, now: datetime) -> datetime | None:
    waits = [row.blocked_until for row in _throttles(session, keys).values()
             if row.blocked_until is not None and row.blocked_until > now
             and row.last_failure_at is not None and row.last_failure_at > now - limits.forget_after]
    return max(waits) if waits else None


def _count_failure(session: Session, keys: _Keys, limits: Limits, now: datetime) -> dict[str, datetime]:
    """Count one failure in every scope; returns the scopes that now wait, with until when."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(delete(SignInThrottle).where(SignInThrottle.last_failure_at < now - limits.forget_after))
    for scope, key in keys.keys.items():
        session.execute(insert(SignInThrottle).values(key=key, scope=scope, failures=0)
                        .on_conflict_do_nothing(index_elements=["key"]))
    started = {}
    for scope, row in _throttles(session, keys, lock=True).items():
        if row.last_failure_at is None or row.last_failure_at <= now - limits.forget_after:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        wait = limits.wait_after(row.failures, _free(scope, limits))
        if wait is not None:
            row.blocked_until = now + wait
            started[scope] = row.blocked_until
    session.flush()
    return started


def _is_known_address(session: Session, user: User | None, ip: str, limits: Limits, now: datetime) -> bool:
    """The account signed in from this address recently: the per-name count does not hold it back."""
    if user is None or not ip:
        return False
    found = session.scalar(
        select(AuditEntry.id).where(
            AuditEntry.action == "login.success", AuditEntry.actor_id == user.id, AuditEntry.ip_address == ip,
            AuditEntry.created_at >= now - limits.known_address_for).limit(1))
    return found is not None


def authenticate(session: Session, username: str, password: str, *, ip: str = "",
                 limits: Limits | None = None, now: datetime | None = None) -> SignInResult:
    """Check a sign-in in the caller's write transaction (the caller commits, success or not)."""
    now = now or datetime.now(UTC)
    limits = limits or Limits()
    username = (username or "").strip()
    user = session.scalar(select(User).where(func.lower(User.username) == username.lower())) if username else None
    keys = _Keys.of(username, ip or "", _is_known_address(session, user, ip, limits, now))

    def failed(reason: str, **details):
        audit.record(session, "login.failed", actor=user, ip_address=ip, target_type="user",
                     target_id=user.id if user else "", details={"username": username[:80], "reason": reason,
                                                                  **details}, now=now)

    slowed = _slowed_until(session, keys, limits, now)
    if slowed is not None:
        _spend_the_same_time(password or "")
        failed("slowed", until=slowed.isoformat())
        return SignInResult(None, slowed_until=slowed)

    if user is None:
        _spend_the_same_time(password or "")
        reason = "unknown_user"
    elif not check_password(user, password or ""):
        reason = "bad_password"
    elif not user.active:
        reason = "inactive"
    else:
        reason = ""
    if reason:
        failed(reason)
        for scope, until in _count_failure(session, keys, limits, now).items():
            audit.record(session, "login.slowed", actor=user, ip_address=ip, target_type="user",
                         target_id=user.id if user else "",
                         details={"username": username[:80], "scope": scope, "until": until.isoformat()}, now=now)
        return SignInResult(None)

    if user is None:  # unreachable (an unknown name fails above); a check, not an assert, survives -O
        return SignInResult(None)
    # The name signed in from here: its failures from here, and its count across addresses, start again.
    session.execute(delete(SignInThrottle).where(
        SignInThrottle.key.in_([keys.keys["pair"], _account_key(username)])))
    previous = user.last_login_at
    user.last_login_at = now
    audit.record(session, "login.success", actor=user, ip_address=ip, target_type="user", target_id=user.id,
                 now=now)
    return SignInResult(user, previous_login_at=previous)


def clear_slowdowns(session: Session, user: User) -> None:
    """An administrator's password reset: the account's name waits no longer, from anywhere (the counts of
    one name from one address go too; those of whole addresses stay)."""
    session.execute(delete(SignInThrottle).where(SignInThrottle.key == _account_key(user.username)))
    # Pair keys cannot be listed by name (they are hashes with the address); their waits are short anyway.


def record_sign_out(session: Session, user: User, *, ip: str = "", now: datetime | None = None) -> None:
    """Signing out ends this session and every copy of its cookie (the session version moves on)."""
    end_sessions(user)
    audit.record(session, "logout", actor=user, ip_address=ip, target_type="user", target_id=user.id, now=now)


def end_sessions(user: User) -> None:
    """Every session signed in before this stops working at its next request (eservice.auth)."""
    user.session_version = (user.session_version or 0) + 1


def sign_out_everywhere(session: Session, user: User, *, ip: str = "", now: datetime | None = None) -> None:
    end_sessions(user)
    audit.record(session, "logout.everywhere", actor=user, ip_address=ip, target_type="user", target_id=user.id,
                 now=now)


def change_password(session: Session, user: User, current: str, new: str, *, ip: str = "",
                    now: datetime | None = None) -> None:
    """A new password ends every other session of the account (the caller re-signs the current one in)."""
    if not check_password(user, current or ""):
        raise DomainError(_l("Your current password is not correct."), field="current")
    if len(new or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), field="new")
    if new == current:
        raise DomainError(_l("Choose a password different from the current one."), field="new")
    if new.strip().lower() == user.username.lower():
        raise DomainError(_l("Do not use your user name as your password."), field="new")
    set_password(user, new)
    end_sessions(user)
    audit.record(session, "user.password_change", actor=user, ip_address=ip, target_type="user",
                 target_id=user.id, now=now)
