"""axe-core over every public, staff and admin page at phone (390 px) and desktop (1280 px) widths: zero
violations. axe (tests/vendor/axe-core, MPL-2.0) is evaluated in the page through the DevTools protocol, so
the strict Content-Security-Policy stays on while it runs."""

import pathlib
from datetime import UTC, datetime, timedelta

import pytest

from .factories import PASSWORD, make_jpeg, seed_case

pytestmark = pytest.mark.browser

AXE = (pathlib.Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
WIDTHS = (390, 1280)

PUBLIC_PAGES = ["/", "/file/complaint", "/file/suggestion", "/file/inquiry", "/file/objection", "/file/corruption",
                "/file/gift", "/track", "/stats", "/privacy", "/no-such-page"]
STAFF_PAGES = ["/staff/", "/staff/record", "/staff/record/complaint", "/staff/record/corruption", "/staff/canned",
               "/staff/canned/new", "/staff/password", "/notifications/digest", "/staff/integrity/membership"]
ADMIN_PAGES = ["/admin/", "/admin/audit", "/admin/canned-replies", "/admin/categories", "/admin/categories/new",
               "/admin/channels", "/admin/channels/new", "/admin/divisions", "/admin/divisions/new",
               "/admin/holidays", "/admin/ita", "/admin/ita/edit", "/admin/measures", "/admin/measures/new",
               "/admin/outbox", "/admin/report", "/admin/settings", "/admin/stats", "/admin/texts", "/admin/users",
               "/admin/users/new", "/admin/villages", "/admin/villages/new"]


def violations(page) -> list[str]:
    """axe's violations on the page as it stands, one line each (rule, impact, first element)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => v.id + ' (' + v.impact + '): ' + v.nodes.length + ' × '
                                       + v.nodes[0].target.join(' '));
    }""")
    return found


def _everything_user(app):
    """One account that reaches every staff and admin page: administrator, head, integrity unit."""
    from eservice.domain.accounts import create_user
    from eservice.extensions import db
    from eservice.models import Division

    with app.app_context():
        divisions = db.session.query(Division).filter(Division.code.in_(("engineering", "integrity"))).all()
        create_user(db.session, "admin", PASSWORD, roles=("admin", "head", "integrity", "officer"),
                    divisions=divisions, display_name="ผู้ดูแลระบบ")
        # A change to the integrity unit waiting for a decision, so that its page shows the table and buttons.
        from eservice.models import RoleRequest

        newcomer = create_user(db.session, "newcomer", PASSWORD, roles=("executive",), display_name="ผู้มาใหม่")
        db.session.add(RoleRequest(user_id=newcomer.id, role="integrity", grant=True))
        db.session.commit()


def _sign_in(page, base):
    page.goto(f"{base}/staff/login")
    page.fill("#username", "admin")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/staff/")


def _sweep(page, base, paths) -> dict[str, list[str]]:
    problems = {}
    for path in paths:
        page.goto(base + path)
        found = violations(page)
        if found:
            problems[path] = found
    return problems


@pytest.mark.parametrize("width", WIDTHS)
def test_public_pages_have_no_axe_violations(live_server, page_factory, width, tmp_path):
    base, app = live_server
    page = page_factory(width, 900)
    problems = _sweep(page, base, PUBLIC_PAGES)

    # A filing with a refused field and a kept photo, its receipt, the tracking pages.
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(make_jpeg())
    page.goto(base + "/file/complaint")
    page.set_input_files("#media", str(photo))
    page.check("#anonymous")
    page.check("#consent")
    page.click("button.send-button")
    page.wait_for_selector("#error-summary")
    problems.update({"/file/complaint (refused, photo kept)": violations(page)})
    page.select_option("#service_code", "road")
    page.fill("#description", "ถนนเป็นหลุม")
    page.click("button.send-button")
    page.wait_for_selector("#receipt-key")
    code = page.inner_text("#tracking-code").strip()
    problems.update({"/receipt/<code>": violations(page)})
    problems.update(_sweep(page, base, [f"/track/{code}", f"/track?code={code}", "/track"]))
    assert {path: found for path, found in problems.items() if found} == {}


@pytest.mark.parametrize("width", WIDTHS)
def test_staff_and_admin_pages_have_no_axe_violations(live_server, page_factory, width):
    base, app = live_server
    _everything_user(app)
    now = datetime.now(UTC)
    general = seed_case(app, category="street_light", description="ไฟฟ้าส่องสว่างหน้าวัดดับ",
                        received_at=now - timedelta(days=3), channel="phone")
    confidential = seed_case(app, case_type="corruption", category="bribery",
                             description="เจ้าหน้าที่เรียกรับเงิน", received_at=now - timedelta(days=1))
    page = page_factory(width, 900)
    _sign_in(page, base)
    cases = [f"/staff/cases/{general}", f"/staff/cases/{confidential}"]
    problems = _sweep(page, base, STAFF_PAGES + ADMIN_PAGES + cases)
    assert problems == {}
