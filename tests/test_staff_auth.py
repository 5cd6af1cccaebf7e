"""Staff sign-in: the form, one message for every failure, lockout, rate limit, cookie flags, sign-out,
changing the password, and where one lands afterwards."""


from sqlalchemy import select

from eservice.extensions import db
from eservice.models import User

from .factories import PASSWORD, audit_entries, make_user
from .web import csrf_token, english, sign_in

NEW_PASSWORD = "a whole new sentence"


def _user(app, name) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == name))
        db.session.expunge(user)
        return user


def test_pages_need_sign_in(app, client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=")
    assert client.get("/staff/login").status_code == 200


def test_sign_in_and_land_on_the_queue(app, client):
    make_user(app, "somchai", divisions=("engineering",))
    response = sign_in(client, "somchai")
    assert response.status_code == 302 and response.headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert client.get("/staff/login").headers["Location"] == "/staff/"  # already signed in
    assert _user(app, "somchai").last_login_at is not None


def test_user_name_is_not_case_sensitive(app, client):
    make_user(app, "Somchai", divisions=("engineering",))
    assert sign_in(client, "somchai").status_code == 302


def test_the_same_message_for_an_unknown_name_and_a_wrong_password(app, client):
    make_user(app, "somchai", divisions=("engineering",))
    english(client)
    unknown = sign_in(client, "nobody")
    wrong = sign_in(client, "somchai", "not the password")
    assert unknown.status_code == wrong.status_code == 422
    message = "The user name or password is not correct."
    assert message in unknown.get_data(as_text=True) and message in wrong.get_data(as_text=True)
    assert 'value="nobody"' in unknown.get_data(as_text=True)  # the name typed is kept...
    assert "not the password" not in wrong.get_data(as_text=True)  # ...the password never
    reasons = [e.details["reason"] for e in audit_entries(app, "login.failed")]
    assert reasons == ["unknown_user", "bad_password"]


def test_empty_fields_are_refused_with_a_message(app, client):
    english(client)
    page = client.get("/staff/login").get_data(as_text=True)
    response = client.post("/staff/login", data={"csrf_token": csrf_token(page), "username": "", "password": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Enter your user name." in html and "Enter your password." in html


def test_inactive_accounts_cannot_sign_in(app, client):
    user_id = make_user(app, "left", divisions=("engineering",))
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    assert sign_in(client, "left").status_code == 422
    assert audit_entries(app, "login.failed")[0].details["reason"] == "inactive"


def test_sign_in_is_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, STAFF_LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    codes = [sign_in(client, f"guess{n}", "guess").status_code for n in range(4)]
    assert codes == [422, 422, 422, 429]


def test_session_cookie_flags(app):
    make_user(app, "somchai", divisions=("engineering",))
    plain = app.test_client()
    cookie = sign_in(plain, "somchai").headers.getlist("Set-Cookie")[-1]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = app.test_client()
    page = secure.get("/staff/login", base_url="https://localhost")
    response = secure.post("/staff/login", base_url="https://localhost",
                           data={"csrf_token": csrf_token(page.get_data(as_text=True)), "username": "somchai",
                                 "password": PASSWORD}, headers={"Referer": "https://localhost/staff/login"})
    assert response.status_code == 302
    cookie = response.headers.getlist("Set-Cookie")[-1]
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_sign_out_needs_a_post_with_a_token(app, client):
    make_user(app, "somchai", divisions=("engineering",))
    sign_in(client, "somchai")
    assert client.get("/staff/logout").status_code == 405
    assert client.post("/staff/logout").status_code == 400  # no CSRF token
    page = client.get("/staff/").get_data(as_text=True)
    response = client.post("/staff/logout", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302 and response.headers["Location"] == "/staff/login"
    assert client.get("/staff/").status_code == 302  # signed out
    assert [e.actor_name for e in audit_entries(app, "logout")] == ["somchai"]


def test_next_is_followed_only_within_the_site(app, client):
    make_user(app, "somchai", divisions=("engineering",))
    page = client.get("/staff/login").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "username": "somchai", "password": PASSWORD}
    evil = client.post("/staff/login?next=https://evil.example/", data=data)
    assert evil.headers["Location"] == "/staff/"
    other = app.test_client()
    page = other.get("/staff/login").get_data(as_text=True)
    data["csrf_token"] = csrf_token(page)
    good = other.post("/staff/login?next=/staff/password", data=data)
    assert good.headers["Location"] == "/staff/password"


def test_the_previous_sign_in_is_shown(app, client):
    make_user(app, "somchai", divisions=("engineering",))
    english(client)
    first = sign_in(client, "somchai", follow=True).get_data(as_text=True)
    assert "Your previous sign-in" not in first
    again = app.test_client()
    english(again)
    assert "Your previous sign-in" in sign_in(again, "somchai", follow=True).get_data(as_text=True)


def test_an_administrator_without_case_roles_is_not_sent_to_the_queue(app, client):
    make_user(app, "root", roles=("admin",))
    response = sign_in(client, "root")
    assert response.headers["Location"] in ("/admin/", "/staff/password")
    assert client.get("/staff/").status_code == 403


def _change(client, current, new, confirm=None):
    page = client.get("/staff/password").get_data(as_text=True)
    return client.post("/staff/password", data={"csrf_token": csrf_token(page), "current": current, "new": new,
                                                 "confirm": new if confirm is None else confirm})


def test_change_password(app, client):
    make_user(app, "somchai", divisions=("engineering",))
    english(client)
    sign_in(client, "somchai")
    wrong = _change(client, "not my password", NEW_PASSWORD)
    assert wrong.status_code == 422 and "Your current password is not correct." in wrong.get_data(as_text=True)
    short = _change(client, PASSWORD, "short")
    assert short.status_code == 422 and "Use at least 10 characters." in short.get_data(as_text=True)
    mismatch = _change(client, PASSWORD, NEW_PASSWORD, "something else entirely")
    assert mismatch.status_code == 422 and "The two new passwords are not the same." in mismatch.get_data(as_text=True)
    same = _change(client, PASSWORD, PASSWORD)
    assert same.status_code == 422
    assert audit_entries(app, "user.password_change") == []

    assert _change(client, PASSWORD, NEW_PASSWORD).status_code == 302
    assert len(audit_entries(app, "user.password_change")) == 1
    assert sign_in(app.test_client(), "somchai").status_code == 422  # the old one no longer works
    assert sign_in(app.test_client(), "somchai", NEW_PASSWORD).status_code == 302


def test_behind_a_trusted_proxy_the_real_address_and_scheme_count(make_app):
    app = make_app(TRUSTED_PROXIES=1)
    make_user(app, "somchai", divisions=("engineering",))
    client = app.test_client()
    # Over HTTPS, Flask-WTF also wants a same-site Referer.
    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "Referer": "https://localhost/staff/login"}
    page = client.get("/staff/login", headers=headers)
    response = client.post("/staff/login", headers=headers, data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "username": "somchai", "password": PASSWORD})
    assert response.status_code == 302
    assert "Secure" in response.headers.getlist("Set-Cookie")[-1]
    assert audit_entries(app, "login.success")[0].ip_address == "203.0.113.7"


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(app, client):
    make_user(app, "somchai", divisions=("engineering",))
    headers = {"X-Forwarded-For": "203.0.113.7"}
    page = client.get("/staff/login", headers=headers)
    client.post("/staff/login", headers=headers, data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "username": "somchai", "password": PASSWORD})
    assert audit_entries(app, "login.success")[0].ip_address == "127.0.0.1"
