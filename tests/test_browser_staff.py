"""In a real browser: a citizen files, an officer finds the case, acknowledges, replies publicly and
resolves; the citizen's tracking page shows the reply and the rating form. Screenshots of the queue
and the case page at phone and desktop widths are saved under screenshots/ for people to look at."""

from datetime import UTC, datetime, timedelta

import pytest

from .conftest import screenshot
from .factories import PASSWORD, seed_case

pytestmark = pytest.mark.browser


def _officer(app):
    from eservice.domain.accounts import create_user
    from eservice.extensions import db
    from eservice.models import Division

    with app.app_context():
        engineering = db.session.query(Division).filter_by(code="engineering").one()
        create_user(db.session, "somchai", PASSWORD, roles=("officer", "head"), divisions=[engineering],
                    display_name="สมชาย ใจดี")
        db.session.commit()


def _background_cases(app):
    """A queue worth looking at: one overdue, one due soon, one waiting."""
    now = datetime.now(UTC)
    seed_case(app, category="street_light", description="ไฟฟ้าส่องสว่างหน้าวัดดับมาสามคืนแล้ว",
              received_at=now - timedelta(days=30), channel="phone")
    seed_case(app, category="drainage", description="ท่อระบายน้ำหน้าตลาดอุดตัน น้ำท่วมขังเวลาฝนตก",
              received_at=now - timedelta(days=1), channel="line")
    seed_case(app, category="water_supply", description="น้ำประปาหมู่ 5 ขุ่นมาก ใช้อาบไม่ได้",
              received_at=now - timedelta(days=3), channel="walk_in")


def _sign_in(page, base):
    page.goto(f"{base}/staff/login")
    page.fill("#username", "somchai")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/staff/")


def test_officer_handles_a_case_the_citizen_just_filed(live_server, page_factory):
    base, app = live_server
    _officer(app)
    _background_cases(app)

    # The citizen files on a phone.
    citizen = page_factory(390, 844)
    citizen.goto(f"{base}/file/complaint")
    citizen.select_option("#service_code", "road")
    citizen.fill("#description", "ถนนหน้าบ้านเลขที่ 12 หมู่ 3 เป็นหลุมลึก รถจักรยานยนต์ล้มบ่อย")
    citizen.check("#anonymous")
    citizen.check("#consent")
    citizen.click("form.intake-form button.send-button")
    code = citizen.inner_text("#tracking-code").strip()
    key = citizen.inner_text("#receipt-key").strip()
    assert code.startswith("BPT-")

    # The officer signs in at a desk, sees it in the queue and finds it by its code.
    office = page_factory(1280, 900)
    _sign_in(office, base)
    assert office.locator(f"a.case-link:has-text('{code}')").count() == 1
    assert office.locator(".case-row.state-overdue").count() >= 1  # the month-old case stands out
    screenshot(office, "staff-queue-1280")
    office.fill("#q", code)
    office.click(".search-box button")
    assert office.locator("a.case-link").count() == 1
    office.click(f"a.case-link:has-text('{code}')")
    office.wait_for_url(f"{base}/staff/cases/{code}")
    assert "ถนนหน้าบ้านเลขที่ 12" in office.inner_text(".description")
    screenshot(office, "staff-case-1280")

    # The same pages on a phone.
    phone = page_factory(390, 844)
    _sign_in(phone, base)
    screenshot(phone, "staff-queue-390")
    phone.goto(f"{base}/staff/cases/{code}")
    screenshot(phone, "staff-case-390")

    # Acknowledge.
    office.click("#action-acknowledge > summary")
    office.click("#action-acknowledge button[type=submit]")
    office.wait_for_selector(".flash-success")
    assert office.locator(".case-badges .status-acknowledged").count() == 1

    # A public reply must be confirmed: without the tick it is refused and nothing is sent.
    office.fill("#reply-note", "เจ้าหน้าที่กองช่างจะออกตรวจสอบภายในวันพรุ่งนี้ค่ะ")
    office.click(".reply-box button[type=submit]")
    office.wait_for_selector(".reply-box .field-errors")
    assert office.input_value("#reply-note").startswith("เจ้าหน้าที่กองช่าง")  # what was typed is kept
    office.check("#reply-confirm")
    office.click(".reply-box button[type=submit]")
    office.wait_for_selector(".flash-success")
    assert office.locator(".staff-timeline .event-public_reply").count() == 1

    # Resolve with a summary.
    office.click("#action-resolve > summary")
    office.fill("#resolve-note", "ซ่อมผิวถนนเรียบร้อยแล้ว")
    office.click("#action-resolve button[type=submit]")
    office.wait_for_selector(".flash-success")
    assert office.locator(".case-badges .status-resolved").count() == 1
    screenshot(office, "staff-case-resolved-1280")

    # The citizen follows up with the code and key: the reply and the rating form are there.
    citizen.goto(f"{base}/track")
    citizen.fill("#code", code)
    citizen.fill("#key", key)
    citizen.click("form[action='/track'] button[type=submit]")
    citizen.wait_for_url(f"{base}/track/{code}")
    timeline = citizen.inner_text(".timeline")
    assert "เจ้าหน้าที่กองช่างจะออกตรวจสอบภายในวันพรุ่งนี้ค่ะ" in timeline
    assert "ซ่อมผิวถนนเรียบร้อยแล้ว" in timeline
    assert citizen.locator("#rate form.rating-form").count() == 1
    screenshot(citizen, "citizen-after-staff-reply-390")
