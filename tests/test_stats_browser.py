"""The statistics pages in a real browser at a phone's and a desktop's width, with screenshots to look at."""

from datetime import date

import pytest

from eservice.domain.accounts import create_user
from eservice.extensions import db
from eservice.statistics.demo_data import generate

from .conftest import screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def stats_server(live_server):
    base_url, app = live_server
    with app.app_context():
        generate(db.session, 4000, first_fy=2566, last_fy=2569, seed=2568, today=date(2026, 11, 27))
        create_user(db.session, "executive1", "correct horse battery", roles=("executive",), divisions=[])
        db.session.commit()
    return base_url


def _sign_in(page, base_url):
    page.goto(base_url + "/staff/login")
    page.fill("#username", "executive1")
    page.fill("#password", "correct horse battery")
    page.click("main button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots_of_the_statistics_page(stats_server, page_factory, width):
    page = page_factory(width, 900)
    _sign_in(page, stats_server)
    page.goto(stats_server + "/admin/stats?period=fy&fy=2569")
    assert page.locator("#table-channel_type table").is_visible()
    assert page.locator("#chart-channels_over_months .chart-row").count() == 12
    # Nothing sticks out sideways on a phone: wide tables scroll inside their own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.locator("[data-print]").first.is_visible()  # the script ran under the CSP
    screenshot(page, f"stats-admin-{width}")

    page.select_option("#period", "quarter")
    page.select_option("#quarter", "2")
    page.click(".stats-period-form button[type=submit]")
    page.wait_for_url("**quarter=2**")
    assert "2569" in page.inner_text("#period-heading")


@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots_of_the_public_statistics(stats_server, page_factory, width):
    page = page_factory(width, 900)
    page.goto(stats_server + "/")
    page.click("a[href='/stats']")
    page.select_option("#fy", "2569")
    page.click(".year-form button[type=submit]")
    page.wait_for_url("**fy=2569**")
    assert page.locator("#general table").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"stats-public-{width}")
    page.emulate_media(media="print")
    screenshot(page, f"stats-public-print-{width}")
