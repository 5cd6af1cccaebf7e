"""Talking to the app over HTTP the way a browser does: real CSRF and submission tokens from the pages,
signing in (through the form, or straight into the session), and the staff case page's action forms."""

import re

from eservice.domain import actions

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
TOKEN_RE = re.compile(r'id="submission_token" name="submission_token" type="hidden" value="([^"]*)"')


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


def submission_token(html: str) -> str:
    match = TOKEN_RE.search(html)
    return match.group(1) if match else ""


def extract(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>([^<]+)<', html)
    assert match, f"no element #{element_id}"
    return match.group(1).strip()


def token_for(client, url: str = "/admin/") -> str:
    """A CSRF token valid for this client's session, from any page with a form."""
    page = client.get(url)
    html = page.get_data(as_text=True)
    if 'name="csrf_token"' not in html:
        html = client.get("/file/complaint").get_data(as_text=True)
    return csrf_token(html)


def post(client, url: str, data: dict | None = None, *, token_page: str | None = None, **kwargs):
    """POST a form with a real CSRF token taken from ``token_page`` (by default the page itself)."""
    form = dict(data or {})
    form.setdefault("csrf_token", token_for(client, token_page or url))
    return client.post(url, data=form, **kwargs)


def english(client):
    client.get("/lang/en")
    return client


# --- signing in ------------------------------------------------------------------------------------------


def sign_in(client, username, password=None, *, follow=False):
    """Through the real sign-in form (``password`` defaults to the factories' PASSWORD)."""
    from .factories import PASSWORD

    page = client.get("/staff/login")
    token = csrf_token(page.get_data(as_text=True))
    return client.post("/staff/login",
                       data={"csrf_token": token, "username": username, "password": password or PASSWORD},
                       follow_redirects=follow)


def log_in_session(client, user_id: int, *, lang: str | None = None):
    """Sign a client in as a user id without the sign-in form (that has its own tests), with the account's
    current session version (as signing in does)."""
    from eservice.auth import SESSION_VERSION_KEY
    from eservice.extensions import db
    from eservice.models import User

    with client.application.app_context():
        user = db.session.get(User, user_id)
        version = (user.session_version or 0) if user is not None else 0
        db.session.remove()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session[SESSION_VERSION_KEY] = version
        session["_fresh"] = True
        if lang:
            session["lang"] = lang
    return client


def signed_in_client(app, user_id: int, *, lang: str = "en"):
    """A new client already signed in as ``user_id``, reading ``lang``."""
    return log_in_session(app.test_client(), user_id, lang=lang)


# --- the staff case page's forms -------------------------------------------------------------------------

# The URL slug of each action (the endpoint is staff.action_<name>).
ACTION_SLUGS = {name: action.slug for name, action in actions.STAFF_ACTIONS.items()}


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
