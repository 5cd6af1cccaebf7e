"""In a real browser: an administrator signs in, finds the failed mails at /admin/outbox with the
server's answer, and retries one. Screenshots at phone and desktop widths go to screenshots/."""

from datetime import UTC, datetime

import pytest

from .conftest import screenshot
from .factories import citizen_case

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


def _failed_mails(app):
    """Two failed mails as the worker leaves them: a bounced citizen and an unreachable officer."""
    from sqlalchemy import update

    from eservice.domain.accounts import create_user
    from eservice.extensions import db
    from eservice.models import Division
    from eservice.models.outbox import OutboxMessage

    with app.app_context():
        engineering = db.session.query(Division).filter_by(code="engineering").one()
        create_user(db.session, "admin1", PASSWORD, roles=("admin",), display_name="ผู้ดูแลระบบ")
        create_user(db.session, "somsak", PASSWORD, roles=("officer",), divisions=[engineering],
                    email="somsak@borplathong.go.th", display_name="สมศักดิ์ รักงาน")
        db.session.commit()
    citizen_case(app, email="somchai.jaidee@example.com")
    with app.app_context():
        now = datetime.now(UTC)
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.kind == "receipt").values(
                status="failed", attempts=1, failed_at=now, subject="[BPT-2568-00001] ได้รับเรื่องของท่านแล้ว",
                last_error="550 5.1.1 <somchai.jaidee@example.com>: Recipient address rejected: User unknown"))
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.kind == "new_case").values(
                status="failed", attempts=12, failed_at=now,
                last_error="mail server 127.0.0.1:25 unavailable: [Errno 111] Connection refused"))
        db.session.commit()


@pytest.mark.parametrize("width", [390, 1280])
def test_admin_reviews_and_retries_failed_mail(live_server, page_factory, width):
    base, app = live_server
    _failed_mails(app)
    page = page_factory(width, 900)
    page.goto(f"{base}/staff/login")
    page.fill("#username", "admin1")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{base}/admin/outbox")
    assert page.inner_text("#count-failed").strip() == "2"
    table = page.inner_text("#failed-mails")
    assert "Recipient address rejected" in table and "Connection refused" in table
    assert "somchai.jaidee@example.com" not in page.content()  # the citizen's address is masked
    assert "somsak@borplathong.go.th" in table
    screenshot(page, f"admin-outbox-{width}")
    # The page fits the phone: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    page.locator("#failed-mails tbody tr").first.get_by_role("button").click()
    page.wait_for_load_state()
    assert page.inner_text("#count-failed").strip() == "1"
    assert page.inner_text("#count-pending").strip() == "1"
    screenshot(page, f"admin-outbox-after-retry-{width}")


def test_a_head_turns_the_daily_digest_on(live_server, page_factory):
    from eservice.domain.accounts import create_user
    from eservice.extensions import db
    from eservice.models import Division, User

    base, app = live_server
    with app.app_context():
        engineering = db.session.query(Division).filter_by(code="engineering").one()
        create_user(db.session, "wichai", PASSWORD, roles=("officer", "head"), divisions=[engineering],
                    email="wichai@borplathong.go.th", display_name="วิชัย")
        db.session.commit()
    page = page_factory(390, 844)
    page.goto(f"{base}/staff/login")
    page.fill("#username", "wichai")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{base}/notifications/digest")
    page.check("#wants_daily_digest")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.is_checked("#wants_daily_digest")
    screenshot(page, "digest-preference-390")
    with app.app_context():
        assert db.session.query(User).filter_by(username="wichai").one().wants_daily_digest is True
