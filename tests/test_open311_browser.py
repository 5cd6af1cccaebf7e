"""In a real browser: an administrator makes a partner's key (shown once), sees it listed and revokes it;
an officer opens a case the partner filed and sees its media link. Screenshots at phone and desktop widths
go to screenshots/ for people to look at."""

import re

import pytest

from .conftest import screenshot
from .factories import PASSWORD
from .open311_support import BASE

pytestmark = pytest.mark.browser


def _users(app):
    from eservice.domain.accounts import create_user
    from eservice.extensions import db
    from eservice.models import Division

    with app.app_context():
        engineering = db.session.query(Division).filter_by(code="engineering").one()
        create_user(db.session, "root", PASSWORD, roles=("admin",), divisions=[])
        create_user(db.session, "somchai", PASSWORD, roles=("officer",), divisions=[engineering])
        db.session.commit()


def _sign_in(page, base, username):
    page.goto(f"{base}/staff/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_key_is_made_shown_once_used_and_revoked(live_server, page_factory, width):
    import requests

    base, app = live_server
    _users(app)
    page = page_factory(width)
    _sign_in(page, base, "root")
    page.goto(f"{base}/admin/")
    page.click("a[href='/admin/api-keys']")
    page.click("a[href='/admin/api-keys/new']")
    page.fill("#name", "ศูนย์ดำรงธรรมจังหวัดนครราชสีมา")
    page.click("form.admin-form button[type=submit]")
    key = page.inner_text("#api-key").strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{40}", key)
    screenshot(page, f"open311-key-created-{width}")

    filed = requests.post(f"{base}{BASE}/requests.json", timeout=10, data={
        "api_key": key, "service_code": "road", "attribute[case_type]": "complaint", "lat": "14.63", "long": "102.95",
        "description": "ถนนหน้าวัดเป็นหลุม", "media_url": "https://photos.example.org/1.jpg"})
    assert filed.status_code == 200
    code = filed.json()[0]["service_request_id"]

    page.goto(f"{base}/admin/api-keys")
    assert key not in page.content() and key[:8] in page.content()
    screenshot(page, f"open311-keys-{width}")
    page.click("button:has-text('Revoke'), button:has-text('เพิกถอน')")
    page.wait_for_load_state()
    assert requests.get(f"{base}{BASE}/services.json", params={"api_key": key}, timeout=10).status_code == 403

    officer = page_factory(width)
    _sign_in(officer, base, "somchai")
    officer.goto(f"{base}/staff/cases/{code}")
    link = officer.locator("a.media-link")
    assert link.get_attribute("href") == "https://photos.example.org/1.jpg"
    assert link.get_attribute("rel") == "noopener noreferrer nofollow"
    screenshot(officer, f"open311-staff-case-{width}")
