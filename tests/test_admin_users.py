"""Staff accounts managed by administrators: roles, divisions, passwords, and the rules that keep an
administrator from locking themselves out."""

import pytest
from sqlalchemy import func, select

from eservice.domain.accounts import check_password
from eservice.extensions import db
from eservice.models import Division, User

from .factories import audit_count, last_audit
from .web import english, post


@pytest.fixture
def admin_id(make_user):
    return make_user("root", roles=("admin",))


@pytest.fixture
def admin(client, admin_id, login_as):
    login_as(admin_id)
    return english(client)


def user(app, username) -> User:
    with app.app_context():
        found = db.session.scalar(select(User).where(User.username == username))
        if found is None:
            return None
        found.division_codes = sorted(d.code for d in found.divisions)
        db.session.expunge(found)
        return found


def division_ids(app, *codes) -> list[str]:
    with app.app_context():
        return [str(db.session.scalar(select(Division.id).where(Division.code == c))) for c in codes]


def users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def new_user_form(app, **overrides):
    data = {"username": "somchai", "display_name": "สมชาย ใจดี", "email": "somchai@borplathong.go.th",
            "roles": ["officer"], "division_ids": division_ids(app, "engineering"), "locale": "th", "active": "y",
            "password": "a long enough password"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_an_admin_creates_an_officer_who_can_sign_in(app, admin, client):
    response = post(admin, "/admin/users/new", new_user_form(app))
    assert response.status_code == 302
    created = user(app, "somchai")
    assert created.roles == "officer" and created.division_codes == ["engineering"]
    assert check_password(created, "a long enough password")
    entry = last_audit(app, "admin.user.create")
    assert entry.details == {"username": "somchai", "roles": "officer", "divisions": ["engineering"], "active": True}
    assert "a long enough password" not in str(entry.details)  # never the password


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"username": "root"}, "The user name root is taken."),
        ({"username": "ROOT"}, "The user name ROOT is taken."),
        ({"username": "สมชาย"}, "A user name is 2 to 80 English letters"),
        ({"password": "short"}, "Use at least 10 characters."),
        ({"roles": None}, "Give the user at least one role."),
        ({"roles": ["wizard"]}, "is not a valid choice for this field"),
        ({"division_ids": None}, "choose at least one division"),
        ({"email": "not-an-email"}, "Enter an email address"),
    ],
)
def test_bad_accounts_are_refused(app, admin, overrides, message):
    before, entries = users(app), audit_count(app)
    response = post(admin, "/admin/users/new", new_user_form(app, **overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert users(app) == before and audit_count(app) == entries


def test_an_executive_needs_no_division(app, admin):
    response = post(admin, "/admin/users/new", new_user_form(app, username="mayor", roles=["executive"],
                                                             division_ids=None))
    assert response.status_code == 302
    assert user(app, "mayor").roles == "executive"


def test_roles_and_divisions_change_with_an_audit_entry(app, admin, make_user):
    officer_id = make_user("somsri", roles=("officer",), divisions=("engineering",))
    response = post(admin, f"/admin/users/{officer_id}", {
        "display_name": "สมศรี", "email": "", "roles": ["officer", "head"],
        "division_ids": division_ids(app, "engineering", "health"), "locale": "en", "active": "y"})
    assert response.status_code == 302
    changed = user(app, "somsri")
    assert changed.roles == "head officer" and changed.division_codes == ["engineering", "health"]
    assert changed.locale == "en"
    details = last_audit(app, "admin.user.update").details
    assert details["roles"] == ["officer", "head officer"]
    assert details["divisions"] == [["engineering"], ["engineering", "health"]]


def test_an_admin_cannot_remove_their_own_admin_role_or_deactivate_themselves(app, admin, admin_id):
    response = post(admin, f"/admin/users/{admin_id}", {"display_name": "root", "roles": ["executive"],
                                                        "locale": "th", "active": "y"})
    assert response.status_code == 422
    assert "You cannot remove your own administrator role" in response.get_data(as_text=True)
    assert user(app, "root").roles == "admin"
    response = post(admin, f"/admin/users/{admin_id}", {"display_name": "root", "roles": ["admin"], "locale": "th"})
    assert response.status_code == 422
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert user(app, "root").active


def test_another_admin_may_be_demoted(app, admin, make_user):
    other = make_user("root2", roles=("admin",))
    response = post(admin, f"/admin/users/{other}", {"display_name": "root2", "roles": ["executive"], "locale": "th",
                                                     "active": "y"})
    assert response.status_code == 302
    assert user(app, "root2").roles == "executive"


def test_password_reset_ends_the_sessions_and_is_audited(app, admin, make_user):
    officer_id = make_user("somsak", roles=("officer",), divisions=("health",))
    response = post(admin, f"/admin/users/{officer_id}/password", {"pw-password": "brand new password"},
                    token_page=f"/admin/users/{officer_id}")
    assert response.status_code == 302
    changed = user(app, "somsak")
    assert check_password(changed, "brand new password") and changed.session_version == 1
    assert last_audit(app, "admin.user.password").target_id == str(officer_id)
    response = post(admin, f"/admin/users/{officer_id}/password", {"pw-password": "short"},
                    token_page=f"/admin/users/{officer_id}")
    assert response.status_code == 422 and "Use at least 10 characters." in response.get_data(as_text=True)
    assert check_password(user(app, "somsak"), "brand new password")
