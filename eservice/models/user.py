"""Staff accounts. Citizens never have one."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.roles import Role
from ..extensions import db
from .base import Model, UTCDateTime, utcnow
from .reference import Division

user_divisions = Table(
    "user_division",
    db.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("division_id", ForeignKey("division.id", ondelete="CASCADE"), primary_key=True),
)

class User(UserMixin, Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    # Space-separated values of eservice.domain.roles.Role; eservice.domain.policy says what each may do.
    roles: Mapped[str] = mapped_column(String(100), default=Role.OFFICER.value)
    locale: Mapped[str] = mapped_column(String(5), default="th")
    # A division head may opt in to a daily mail of open, due-soon and overdue cases (issue 5).
    wants_daily_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Counted up to end every session of the account at once (sign-out, a password change, an
    # administrator's reset, "sign out everywhere"); a session carries the value it was signed in with and
    # is refused once it differs (eservice.auth's user loader).
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Shown to the user after signing in, so that a sign-in they did not make stands out (issue 3).
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    divisions: Mapped[list[Division]] = relationship(secondary=user_divisions)

    @property
    def role_set(self) -> set[str]:
        return set(self.roles.split())

    def has_role(self, *roles: str) -> bool:
        """Holds one of ``roles``. Only eservice.domain.policy asks this; everything else asks the policy."""
        return bool(self.role_set.intersection(str(r) for r in roles))

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active


class SignInThrottle(Model):
    """Failed sign-ins counted per typed user name, per address, and per name from one address
    (eservice.domain.sign_in). Keyed by a hash, so that a password typed into the name field is not stored;
    the same for a name that exists and one that does not."""

    __tablename__ = "sign_in_throttle"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(10))  # account | address | pair
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RoleRequest(Model):
    """A change to the integrity unit's membership that an administrator asked for and a member of the unit
    confirms or declines (eservice.domain.integrity_membership)."""

    __tablename__ = "role_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    grant: Mapped[bool] = mapped_column(Boolean)  # True: give the role; False: take it away
    # pending | confirmed | declined | withdrawn
    state: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
