"""Helpers shared by the staff tests: sign in through the real form, read a case page's forms, act."""

import re

from sqlalchemy import select

from eservice.domain import actions
from eservice.extensions import db as _db
from eservice.models import AuditEntry, Case

from .conftest import csrf_token

PASSWORD = "correct horse battery"

# The URL slug of each action (the endpoint is staff.action_<name>), from the registry.
ACTION_SLUGS = {name: action.slug for name, action in actions.STAFF_ACTIONS.items()}


def sign_in(client, username, password=PASSWORD, *, follow=False):
    page = client.get("/staff/login")
    token = csrf_token(page.get_data(as_text=True))
    return client.post("/staff/login", data={"csrf_token": token, "username": username, "password": password},
                       follow_redirects=follow)


def english(client):
    client.get("/lang/en")
    return client


def version_of(html: str, action: str) -> str:
    match = re.search(rf'id="{action}-version" name="{action}-version" type="hidden" value="(\d+)"', html)
    assert match, f"no version field for {action} on the page"
    return match.group(1)


def act(client, code, action, *, version=None, expect=None, **fields):
    """Open the case page (real CSRF token and version), then send ``action`` with ``fields``."""
    page = client.get(f"/staff/cases/{code}")
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    data = {"csrf_token": csrf_token(html)}
    if version is None:
        # An action not offered on the page is still sent (to see it refused): every form carries the
        # same version, and the internal note is always there for those who may act.
        version = version_of(html, action) if f'id="{action}-version"' in html else version_of(html, "note")
    data[f"{action}-version"] = version
    for key, value in fields.items():
        if value is not None:
            data[f"{action}-{key}"] = value
    response = client.post(f"/staff/cases/{code}/{ACTION_SLUGS[action]}", data=data)
    if expect is not None:
        assert response.status_code == expect, (response.status_code, response.get_data(as_text=True)[:2000])
    return response


def load_case(app, code) -> Case:
    with app.app_context():
        case = _db.session.scalar(select(Case).where(Case.tracking_code == code))
        assert case is not None
        _ = case.events, case.reporter, case.division, case.attachments, case.duplicate_of
        _db.session.expunge_all()
        return case


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(_db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def audit_entries(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        rows = list(_db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))
        _db.session.expunge_all()
        return rows


def seed_case(app, *, case_type="complaint", category="road", description="ไฟถนนดับทั้งซอย", received_at=None,
              channel="web", subject_division=None, anonymous=True, first_name="", phone="", files=()) -> str:
    """Record a case straight through the domain (no HTTP), e.g. one received days ago."""
    from eservice.domain.filing import Intake, file_case
    from eservice.models import Category, Division

    with app.app_context():
        session = _db.session
        intake = Intake(
            case_type=case_type,
            description=description,
            category=session.scalar(select(Category).where(Category.code == category)) if category else None,
            subject_division=session.scalar(select(Division).where(Division.code == subject_division))
            if subject_division else None,
            channel_code=channel,
            received_at=received_at,
            anonymous=anonymous,
            first_name=first_name,
            phone=phone,
            files=list(files),
        )
        filed = file_case(session, intake, now=received_at)
        session.commit()
        return filed.case.tracking_code


_password_hash: str | None = None


def make_staff(app, username, roles=("officer",), divisions=(), display_name="") -> int:
    """A staff user whose password is PASSWORD. Like conftest's make_user, but the scrypt hash is made
    once per test run: the authorization tests create dozens of users."""
    global _password_hash
    from werkzeug.security import generate_password_hash

    from eservice.models import Division, User

    if _password_hash is None:
        _password_hash = generate_password_hash(PASSWORD, method="scrypt")
    with app.app_context():
        found = [_db.session.scalar(select(Division).where(Division.code == code)) for code in divisions]
        user = User(username=username, display_name=display_name or username, roles=" ".join(sorted(roles)),
                    password_hash=_password_hash, divisions=found)
        _db.session.add(user)
        _db.session.commit()
        return user.id


def signed_in_client(app, user_id: int, *, lang: str = "en"):
    """A client already signed in as ``user_id`` (the sign-in form has its own tests; this skips the
    deliberately slow password hash)."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
        session["lang"] = lang
    return client
