"""A citizen in a real browser: file a complaint with a photo, keep the code and key, track it."""

import pytest

from .conftest import screenshot
from .factories import make_jpeg

pytestmark = pytest.mark.browser


def test_citizen_files_with_a_photo_and_tracks_the_case(live_server, page_factory, tmp_path):
    base_url, _app = live_server
    photo = tmp_path / "หลุมถนน.jpg"
    photo.write_bytes(make_jpeg(with_gps=True, size=(640, 480)))

    page = page_factory(390, 844)
    page.goto(base_url + "/")
    page.get_by_role("link", name="ร้องเรียน/ร้องทุกข์").first.click() if page.get_by_role(
        "link", name="ร้องเรียน/ร้องทุกข์"
    ).count() else page.click("a[href='/file/complaint']")
    assert page.url.endswith("/file/complaint")

    page.select_option("#service_code", "road")
    page.fill("#description", "ถนนหน้าบ้านเลขที่ 12 เป็นหลุมลึก รถจักรยานยนต์ล้มบ่อย")
    page.select_option("#village", label="หมู่ที่ 3")
    page.fill("#address_string", "หน้าวัดบ่อปลาทอง")
    page.set_input_files("#media", str(photo))
    page.check("#anonymous")
    page.check("#consent")
    page.click("button.send-button")

    page.wait_for_selector("#tracking-code")
    code = page.inner_text("#tracking-code").strip()
    key = page.inner_text("#receipt-key").strip()
    assert code.startswith("BPT-25") and len(key) == 19
    assert "หลุมถนน.jpg" in page.content()

    # Another device: track with the code and key.
    other = page_factory(1280, 900)
    other.goto(base_url + "/track")
    other.fill("#code", code)
    other.fill("#key", key)
    other.click("form[action='/track'] button[type=submit]")
    other.wait_for_url(f"**/track/{code}")
    body = other.inner_text("main")
    assert "หน้าวัดบ่อปลาทอง" in body or "ถนนหน้าบ้านเลขที่ 12" in body
    assert "หลุมถนน.jpg" in body
    # The photo opens, as an image.
    with other.expect_response(lambda r: "/files/" in r.url) as info:
        other.click("a[href*='/files/']")
    assert info.value.headers["content-type"] == "image/jpeg"

    # The code alone shows the status only.
    stranger = page_factory(390, 844)
    stranger.goto(base_url + f"/track?code={code}")
    text = stranger.inner_text("main")
    assert code in text and "ถนนหน้าบ้านเลขที่ 12" not in text


@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots_of_the_citizen_pages(live_server, page_factory, width):
    base_url, _app = live_server
    page = page_factory(width, 900)
    page.goto(base_url + "/")
    screenshot(page, f"public-home-{width}")

    page.goto(base_url + "/file/complaint")
    page.uncheck("#anonymous")
    page.fill("#phone", "12345")
    page.fill("#national_id", "1101700230705")
    page.click("button.send-button")
    page.wait_for_selector("#error-summary")
    # Keyboard and screen-reader users land on the summary of what to fix.
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.get_attribute("#phone", "aria-invalid") == "true"
    assert "phone-error" in page.get_attribute("#phone", "aria-describedby")
    screenshot(page, f"public-form-errors-{width}")

    page.goto(base_url + "/file/corruption")
    screenshot(page, f"public-corruption-form-{width}")

    page.goto(base_url + "/file/complaint")
    page.select_option("#service_code", "garbage")
    page.fill("#description", "ขยะไม่ได้เก็บมาสองสัปดาห์ ส่งกลิ่นเหม็น")
    page.fill("#first_name", "สมศรี")
    page.fill("#phone", "081 234 5678")
    page.check("#consent")
    page.click("button.send-button")
    page.wait_for_selector("#receipt-key")
    screenshot(page, f"public-receipt-{width}")
    # Thai renders in Sarabun, the vendored font, not a fallback.
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert font.startswith('"Sarabun"') or font.startswith("Sarabun")
    assert page.evaluate("document.fonts.check('16px Sarabun', 'ได้รับ')")
