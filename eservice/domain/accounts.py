"""Staff accounts: creation and passwords (scrypt through Werkzeug)."""

from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import Division, User
from . import roles as staff_roles

MIN_PASSWORD_LENGTH = 10


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    return None


def set_password(user: User, password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise ValueError(problem)
    user.password_hash = generate_password_hash(password, method="scrypt")


def check_password(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


def create_user(session: Session, username: str, password: str, *, roles=staff_roles.DEFAULT,
                divisions: list[Division] = (), display_name: str = "", email: str = "") -> User:
    unknown = staff_roles.unknown(roles)
    if unknown:
        raise ValueError(f"Unknown roles: {', '.join(sorted(unknown))}")
    user = User(username=username.strip(), roles=" ".join(sorted({str(r) for r in roles})),
                display_name=display_name or username, email=email, divisions=list(divisions))
    set_password(user, password)
    session.add(user)
    session.flush()
    return user
