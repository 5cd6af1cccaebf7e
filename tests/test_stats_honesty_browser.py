"""/stats and /admin/stats in a real browser, with the honesty rules visible: the current fiscal year so
far (months not reached empty), and a year before go-live known only from paper records. Screenshots at a
phone's and a desktop's width, to look at."""

from datetime import date

import pytest

from eservice.domain import paper_totals, stats
from eservice.domain.accounts import create_user
from eservice.domain.audit import By
from eservice.domain.organisation import current as current_organisation
from eservice.extensions import db
from eservice.statistics.demo_data import generate

from .conftest import screenshot

pytestmark = pytest.mark.browser
TODAY = date(2026, 12, 2)


@pytest.fixture
def honest_server(live_server, monkeypatch):
    base_url, app = live_server
    monkeypatch.setattr(stats, "bangkok_today", lambda now=None: TODAY)
    with app.app_context():
        current_organisation(db.session).in_use_since = date(2025, 10, 1)  # FY2569
        generate(db.session, 1500, first_fy=2569, last_fy=2570, seed=2570, today=TODAY)
        for case_type, channel, cases in (("complaint", "phone", 61), ("complaint", "walk_in", 35),
                                          ("inquiry", "letter", 12), ("corruption", "letter", 2)):
            paper_totals.save(db.session, paper_totals.PaperInput(2568, case_type, channel, cases), by=By())
        create_user(db.session, "executive1", "correct horse battery", roles=("executive",), divisions=[])
        db.session.commit()
    return base_url


@pytest.mark.parametrize("width", [390, 1280])
def test_public_stats_so_far_and_from_paper(honest_server, page_factory, width):
    page = page_factory(width, 900)
    page.goto(honest_server + "/stats")
    assert page.locator("#fy").input_value() == "2570"  # the current year first; 2571 offered too
    assert page.locator("#fy option[value='2571']").count() == 1
    heading = page.inner_text("#period-heading")
    assert "ถึงวันที่ 2 ธ.ค. 2569" in heading
    assert page.locator("#coverage-notes").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"stats-honesty-public-2570-{width}")
    page.select_option("#fy", "2568")
    page.click(".year-form button[type=submit]")
    page.wait_for_url("**fy=2568**")
    assert "จากบันทึกกระดาษ" in page.inner_text("#general")
    screenshot(page, f"stats-honesty-public-2568-{width}")


def test_admin_stats_so_far(honest_server, page_factory):
    page = page_factory(1280, 900)
    page.goto(honest_server + "/staff/login")
    page.fill("#username", "executive1")
    page.fill("#password", "correct horse battery")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.goto(honest_server + "/admin/stats?period=fy&fy=2570")
    assert "ช่วงเวลาเดียวกันของปีก่อน (1 ต.ค. 2568 – 2 ธ.ค. 2568)" in page.inner_text("#table-summary")
    screenshot(page, "stats-honesty-admin-2570-1280")
