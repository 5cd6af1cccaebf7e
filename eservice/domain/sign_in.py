"""Staff sign-in: password check, lockout after repeated failures, password change. Every attempt,
good or bad, goes to the audit log with the address it came from.

Lockout is per account (``User.failed_logins``, ``User.locked_until``); the sign-in route is also
rate-limited per address by Flask-Limiter, so guessing across many accounts is slow too.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import User
from . import audit
from .accounts import MIN_PASSWORD_LENGTH, check_password, set_password
from .errors import DomainError

DEFAULT_MAX_FAILURES = 5
DEFAULT_LOCK_MINUTES = 15

_dummy_hash: str | None = None


def _spend_the_same_time(password: str) -> None:
    """Check the password against a throw-away hash, so an unknown name answers as slowly as a known one."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = generate_password_hash("not a real password", method="scrypt")
    check_password_hash(_dummy_hash, password)


@dataclass
class SignInResult:
    user: User | None
    locked_until: datetime | None = None
    previous_login_at: datetime | None = None  # shown to the user: a sign-in they did not make stands out

    @property
    def ok(self) -> bool:
        return self.user is not None and self.locked_until is None


def authenticate(session: Session, username: str, password: str, *, ip: str = "",
                 max_failures: int = DEFAULT_MAX_FAILURES, lock_minutes: int = DEFAULT_LOCK_MINUTES,
                 now: datetime | None = None) -> SignInResult:
    """Check a sign-in in the caller's write transaction (the caller commits, success or not)."""
    now = now or datetime.now(UTC)
    username = (username or "").strip()
    user = session.scalar(select(User).where(func.lower(User.username) == username.lower())) if username else None

    def failed(reason: str, actor=None, **details):
        audit.record(session, "login.failed", actor=actor, ip_address=ip, target_type="user",
                     target_id=actor.id if actor else "", details={"username": username[:80], "reason": reason,
                                                                  **details}, now=now)

    if user is None:
        _spend_the_same_time(password or "")
        failed("unknown_user")
        return SignInResult(None)
    if user.locked_until is not None and user.locked_until > now:
        _spend_the_same_time(password or "")
        failed("locked", user)
        return SignInResult(user, locked_until=user.locked_until)
    if not check_password(user, password or ""):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= max_failures:
            user.locked_until = now + timedelta(minutes=lock_minutes)
            user.failed_logins = 0
            failed("bad_password", user)
            audit.record(session, "login.locked", actor=user, ip_address=ip, target_type="user", target_id=user.id,
                         details={"until": user.locked_until.isoformat(), "minutes": lock_minutes}, now=now)
            return SignInResult(user, locked_until=user.locked_until)
        failed("bad_password", user, failures=user.failed_logins)
        return SignInResult(None)
    if not user.active:
        failed("inactive", user)
        return SignInResult(None)
    previous = user.last_login_at
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record(session, "login.success", actor=user, ip_address=ip, target_type="user", target_id=user.id,
                 now=now)
    return SignInResult(user, previous_login_at=previous)


def record_sign_out(session: Session, user: User, *, ip: str = "", now: datetime | None = None) -> None:
    audit.record(session, "logout", actor=user, ip_address=ip, target_type="user", target_id=user.id, now=now)


def change_password(session: Session, user: User, current: str, new: str, *, ip: str = "",
                    now: datetime | None = None) -> None:
    if not check_password(user, current or ""):
        raise DomainError(_l("Your current password is not correct."), field="current")
    if len(new or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), field="new")
    if new == current:
        raise DomainError(_l("Choose a password different from the current one."), field="new")
    if new.strip().lower() == user.username.lower():
        raise DomainError(_l("Do not use your user name as your password."), field="new")
    set_password(user, new)
    audit.record(session, "user.password_change", actor=user, ip_address=ip, target_type="user",
                 target_id=user.id, now=now)
