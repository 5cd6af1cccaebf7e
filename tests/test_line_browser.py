"""In a real browser: an administrator finds how to connect LINE at /admin/line, and sees the webhook URL,
the last webhook and the queues. Screenshots at phone and desktop widths go to screenshots/."""

import threading

import pytest
from werkzeug.serving import make_server

from .conftest import screenshot
from .line_support import Line, line_config

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.mark.parametrize("width", [390, 1280])
def test_admin_sees_how_to_connect_line(make_app, platform, page_factory, width):
    from eservice.domain.accounts import create_user
    from eservice.extensions import db

    app = make_app(**line_config(platform))
    with app.app_context():
        create_user(db.session, "admin1", PASSWORD, roles=("admin",), display_name="ผู้ดูแลระบบ")
        db.session.commit()
    Line(app, platform).post()  # the console's "Verify"
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        page = page_factory(width, 900)
        page.goto(f"{base}/staff/login")
        page.fill("#username", "admin1")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.goto(f"{base}/admin/")
        page.click("a[href='/admin/line']")
        page.wait_for_load_state()
        assert page.inner_text("#line-webhook-url") == "https://eservice.example.go.th/line/webhook"
        assert "เชื่อมต่อแล้ว" in page.inner_text("#line-configured")
        assert "ยังไม่เคย" not in page.inner_text("#line-last-webhook")
        screenshot(page, f"admin-line-{width}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    finally:
        server.shutdown()
        thread.join(timeout=5)
