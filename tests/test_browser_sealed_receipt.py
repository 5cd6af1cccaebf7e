"""In a real browser: an officer records a walk-in corruption report. The receipt key is not on the
officer's screen, and it is on the printed copy for the reporter (issue 9)."""

import pytest

from .factories import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_the_sealed_receipt_key_is_printed_not_shown(live_server, page_factory):
    base, app = live_server
    make_user(app, "somchai", divisions=("engineering",), password=PASSWORD)
    page = page_factory(1280, 900, locale="en-US")
    page.goto(f"{base}/lang/en")
    page.goto(f"{base}/staff/login")
    page.fill("#username", "somchai")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/staff/")

    page.goto(f"{base}/staff/record/corruption")
    page.select_option("#channel", "walk_in")
    page.select_option("#service_code", "bribery")
    page.fill("#description", "ผู้ยื่นเรื่องมาแจ้งด้วยตนเองที่สำนักงาน")
    if page.locator("#consent").count():
        page.check("#consent")
    page.click("form.record-form button[type=submit], form button[type=submit] >> nth=-1")
    page.wait_for_selector("#key-print-only")

    key = page.locator("#receipt-key")
    assert key.count() == 1
    assert not key.is_visible()  # not on the officer's screen
    assert not page.locator("#tracking-code").is_visible()
    assert page.locator("#key-print-only").is_visible()
    page.emulate_media(media="print")
    assert key.is_visible()  # on the reporter's printed copy
    assert len(key.inner_text().strip()) >= 8
    assert not page.locator("#key-print-only").is_visible()
