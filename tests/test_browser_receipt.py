"""In a real browser: the receipt survives a reload, the back button and a double tap, and downloads as a
picture; an attached photo survives a refused form; Enter in a one-line field sends nothing; the rate limit
gives the form back with the text. Screenshots at 390 and 1280 px under screenshots/."""

import uuid

import pytest
from sqlalchemy import func, select

from .conftest import screenshot
from .factories import make_jpeg

pytestmark = pytest.mark.browser


def _count_cases(app) -> int:
    from eservice.extensions import db
    from eservice.models import Case

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Case))


def _fill(page, description="ถนนหน้าบ้านเลขที่ 12 เป็นหลุมลึก รถจักรยานยนต์ล้มบ่อย"):
    page.select_option("#service_code", "road")
    page.fill("#description", description)
    page.check("#anonymous")
    page.check("#consent")


@pytest.mark.parametrize("width", [390, 1280])
def test_the_receipt_survives_reload_back_and_a_double_tap_and_downloads(live_server, page_factory, width):
    base, app = live_server
    page = page_factory(width, 900)
    page.goto(base + "/file/complaint")
    _fill(page)
    # A double tap: two clicks before the first answer arrives.
    page.dblclick("button.send-button")
    page.wait_for_selector("#receipt-key")
    code, key = page.inner_text("#tracking-code").strip(), page.inner_text("#receipt-key").strip()
    assert _count_cases(app) == 1
    assert page.url.endswith(f"/receipt/{code}")  # an address of its own: POST, redirect, GET
    screenshot(page, f"receipt-{width}")

    page.reload()
    assert page.inner_text("#receipt-key").strip() == key

    page.go_back()  # to the form: a fresh one, pointing back to the receipt
    page.wait_for_selector("form.intake-form")
    assert page.locator(f"a[href='/receipt/{code}']").count() == 1
    page.go_forward()
    page.wait_for_selector("#receipt-key")
    assert page.inner_text("#receipt-key").strip() == key

    # Copy buttons appear with JavaScript.
    assert page.locator(".js-copy").first.is_visible()

    with page.expect_download() as info:
        page.click(f"a[href='/receipt/{code}/receipt.png']")
    download = info.value
    assert download.suggested_filename == f"receipt-{code}.png"
    with open(download.path(), "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"

    page.click(".kept-form button[type=submit]")
    page.wait_for_url(f"**/track/{code}")
    page.goto(base + f"/receipt/{code}")
    assert key not in page.content()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_photo_is_kept_across_a_refused_form_and_enter_sends_nothing(live_server, page_factory, width, tmp_path):
    base, app = live_server
    photo = tmp_path / "หลุมถนน.jpg"
    photo.write_bytes(make_jpeg(size=(320, 240)))
    page = page_factory(width, 900)
    page.goto(base + "/file/complaint")
    # Enter in a one-line field does not send a half-filled form.
    page.fill("#address_string", "หน้าวัด")
    page.press("#address_string", "Enter")
    page.wait_for_timeout(500)
    assert page.locator("#error-summary").count() == 0 and _count_cases(app) == 0

    page.set_input_files("#media", str(photo))
    page.check("#anonymous")
    page.check("#consent")
    page.click("button.send-button")  # no category, no description: refused
    page.wait_for_selector("#error-summary")
    assert page.locator(".kept-files li").count() == 1
    assert "หลุมถนน.jpg" in page.inner_text(".kept-files")
    assert page.input_value("#address_string") == "หน้าวัด"
    screenshot(page, f"form-kept-photo-{width}")

    _fill(page)
    page.click("button.send-button")
    page.wait_for_selector("#receipt-key")
    assert "หลุมถนน.jpg" in page.inner_text("main")


@pytest.mark.parametrize("width", [390, 1280])
def test_the_limit_page_keeps_the_text_and_says_when(make_app, page_factory, width):
    import threading

    from werkzeug.serving import make_server

    app = make_app(RATELIMIT_ENABLED=True, FILING_RATE_LIMIT="1 per hour",
                   RATELIMIT_KEY_PREFIX=f"browser-{uuid.uuid4().hex}")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        page = page_factory(width, 900)
        page.goto(base + "/file/complaint")
        _fill(page, "เรื่องแรก")
        page.click("button.send-button")
        page.wait_for_selector("#receipt-key")
        page.goto(base + "/file/complaint")
        _fill(page, "ไฟถนนดับทั้งซอย 7 มาสามคืนแล้ว")
        page.click("button.send-button")
        page.wait_for_selector("#limit-reached")
        assert page.input_value("#description") == "ไฟถนนดับทั้งซอย 7 มาสามคืนแล้ว"
        assert " น." in page.inner_text("#limit-reached")
        screenshot(page, f"form-limit-{width}")
    finally:
        server.shutdown()
        thread.join(timeout=5)
