"""In a real browser: an administrator sees the warning while next year's days off are not loaded, loads them
from the Holidays page, takes a day out and adds the Cabinet's special day; an officer reads on a case's
timeline why its due dates moved. Screenshots at phone and desktop widths go to screenshots/."""

from datetime import date, timedelta

import pytest

from eservice.domain.thai import bangkok_today

from .conftest import screenshot
from .factories import PASSWORD, make_user, new_case
from .test_days_off import at_bangkok, unload

pytestmark = pytest.mark.browser


def _sign_in(page, base, username):
    page.goto(f"{base}/staff/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("width", [390, 1280])
def test_an_administrator_loads_a_missing_year_and_an_officer_reads_why_dates_moved(live_server, page_factory,
                                                                                     width):
    base, app = live_server
    make_user(app, "root", roles=("admin",))
    make_user(app, "somchai", divisions=("engineering",))
    ahead = (bangkok_today() + timedelta(days=179)).year
    unload(app, ahead)
    case = new_case(app, now=at_bangkok(date(ahead, 4, 8)))

    admin = page_factory(width)
    _sign_in(admin, base, "root")
    admin.goto(f"{base}/admin/holidays?year={ahead}")
    banner = admin.locator(".calendar-gap [role=alert]")
    assert banner.is_visible() and str(ahead + 543) in banner.inner_text()
    screenshot(admin, f"days-off-missing-{width}")
    admin.fill("#sync-year", str(ahead + 543))
    admin.click("form[action$='/holidays/sync'] button[type=submit]")
    admin.wait_for_load_state()
    assert admin.locator(".calendar-gap").count() == 0
    assert "เลื่อนวันครบกำหนดของเรื่องที่ยังไม่เสร็จ 1 เรื่อง" in admin.content()
    assert "วันสงกรานต์" in admin.content()
    screenshot(admin, f"days-off-loaded-{width}")

    officer = page_factory(width)
    _sign_in(officer, base, "somchai")
    officer.goto(f"{base}/staff/cases/{case.code}")
    event = officer.locator(".event-due_dates_moved")
    assert event.is_visible()
    assert "เลื่อนวันครบกำหนดเนื่องจากวันหยุดราชการเปลี่ยน" in event.inner_text()
    assert f"13 เม.ย. {ahead + 543} เป็นวันหยุดราชการแล้ว: วันสงกรานต์" in event.inner_text()
    screenshot(officer, f"days-off-case-event-{width}")
