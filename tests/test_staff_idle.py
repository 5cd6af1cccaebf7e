"""A staff session left idle ends by itself."""

import time


def test_recent_activity_keeps_the_session(app, client, make_user, login_as):
    user_id = make_user("somsak", roles=("officer",), divisions=("engineering",))
    login_as(user_id)
    assert client.get("/staff/").status_code == 200
    with client.session_transaction() as session:
        session["staff_seen"] = int(time.time()) - 60 * 29
    assert client.get("/staff/").status_code == 200
    with client.session_transaction() as session:
        assert int(time.time()) - session["staff_seen"] < 5  # each request moves the clock on


def test_idle_session_is_signed_out_and_sent_to_sign_in(app, client, make_user, login_as):
    user_id = make_user("somsak", roles=("officer",), divisions=("engineering",))
    login_as(user_id)
    client.get("/lang/en")
    with client.session_transaction() as session:
        session["staff_seen"] = int(time.time()) - 60 * 31
    response = client.get("/staff/")
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "signed out after 30 minutes without activity" in page
    # Signed out for real: the workspace asks for a sign-in again.
    again = client.get("/staff/")
    assert again.status_code == 302 and "/staff/login" in again.headers["Location"]


def test_the_limit_is_configurable(make_app, make_user, login_as):
    app = make_app(STAFF_IDLE_MINUTES=5)
    client = app.test_client()
    user_id = make_user("somsak", roles=("officer",), divisions=("engineering",))
    login_as(user_id, client)
    with client.session_transaction() as session:
        session["staff_seen"] = int(time.time()) - 60 * 6
    assert client.get("/staff/").status_code == 302
