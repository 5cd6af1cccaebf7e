"""Sessions can be ended: a copied staff cookie stops working after sign-out, a password change, an
administrator's reset and "sign out everywhere" (issue 9, item 7). The session version is checked on every
request by the user loader."""

from sqlalchemy import select

from eservice.extensions import db
from eservice.models import User

from .factories import PASSWORD, audit_entries, make_user
from .web import csrf_token, english, post, sign_in

NEW_PASSWORD = "a whole new sentence"


def copy_of(app, client):
    """Another browser holding the very same session cookie (stolen, or left on a shared computer)."""
    name = app.config["SESSION_COOKIE_NAME"]
    other = app.test_client()
    other.set_cookie(name, client.get_cookie(name).value)
    return other


def signed_in(client) -> bool:
    return client.get("/staff/").status_code == 200


def _officer(app):
    make_user(app, "somchai", divisions=("engineering",))
    client = english(app.test_client())
    assert sign_in(client, "somchai").status_code == 302
    return client


def test_a_copied_cookie_works_until_the_session_is_ended(app):
    client = _officer(app)
    thief = copy_of(app, client)
    assert signed_in(client) and signed_in(thief)


def test_signing_out_ends_every_copy_of_the_cookie(app):
    client = _officer(app)
    thief = copy_of(app, client)
    page = client.get("/staff/").get_data(as_text=True)
    assert client.post("/staff/logout", data={"csrf_token": csrf_token(page)}).status_code == 302
    assert not signed_in(thief)
    assert thief.get("/staff/").headers["Location"].startswith("/staff/login")


def test_a_password_change_ends_the_other_sessions_but_not_this_one(app):
    client = _officer(app)
    thief = copy_of(app, client)
    elsewhere = english(app.test_client())
    sign_in(elsewhere, "somchai")
    page = client.get("/staff/password").get_data(as_text=True)
    response = client.post("/staff/password", data={"csrf_token": csrf_token(page), "current": PASSWORD,
                                                     "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert signed_in(client)  # the one who changed it goes on
    assert not signed_in(thief) and not signed_in(elsewhere)


def test_an_administrators_reset_ends_every_session_of_the_account(app, login_as):
    client = _officer(app)
    thief = copy_of(app, client)
    admin = english(app.test_client())
    login_as(make_user(app, "root", roles=("admin",)), admin)
    officer_id = _id(app, "somchai")
    response = post(admin, f"/admin/users/{officer_id}/password", {"pw-password": NEW_PASSWORD},
                    token_page=f"/admin/users/{officer_id}")
    assert response.status_code == 302
    assert not signed_in(client) and not signed_in(thief)
    assert sign_in(client, "somchai", NEW_PASSWORD).status_code == 302 and signed_in(client)


def test_sign_out_everywhere_from_the_account_page(app):
    client = _officer(app)
    thief = copy_of(app, client)
    elsewhere = english(app.test_client())
    sign_in(elsewhere, "somchai")
    page = client.get("/staff/password").get_data(as_text=True)
    assert 'id="sign-out-everywhere"' in page
    response = client.post("/staff/sessions/end", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302 and response.headers["Location"] == "/staff/login"
    assert not signed_in(client) and not signed_in(thief) and not signed_in(elsewhere)
    assert [e.actor_name for e in audit_entries(app, "logout.everywhere")] == ["somchai"]
    assert sign_in(client, "somchai").status_code == 302 and signed_in(client)  # signing in again works


def test_sign_out_everywhere_needs_a_token_and_a_session(app):
    client = _officer(app)
    assert client.post("/staff/sessions/end").status_code == 400
    assert signed_in(client)
    anonymous = app.test_client()
    assert anonymous.post("/staff/sessions/end").status_code in (302, 400)


def test_a_session_with_a_forged_version_is_refused(app):
    client = _officer(app)
    with client.session_transaction() as session:
        session["staff_sv"] = "1"
    assert not signed_in(client)


def _id(app, name):
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == name))
