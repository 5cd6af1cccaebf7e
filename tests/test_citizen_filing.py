"""The citizen's filing never loses a report: one case for a double tap and every answer is the receipt or
"already filed" (public and staff forms, 40 identical sends at once); the receipt comes back on reload and
downloads as a picture; attachments survive a refused form; the rate limit counts saved filings only and
gives the form back; a database that cannot be written says plainly that nothing was saved."""

import io
import re
import threading
import uuid
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from eservice.domain import tracking
from eservice.domain.thai import bangkok_today
from eservice.extensions import db
from eservice.models import Attachment, Case
from eservice.models.pending import PendingUpload

from .conftest import PG_URL
from .factories import make_jpeg, make_user
from .web import csrf_token, extract, signed_in_client, submission_token

CONCURRENT_SENDS = 40


def _form(client, case_type="complaint", **fields):
    html = client.get(f"/file/{case_type}").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(html),
        "submission_token": submission_token(html),
        "service_code": "road",
        "description": "ถนนหน้าบ้านเลขที่ 12 เป็นหลุมลึก",
        "consent": "y",
        "anonymous": "y",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def _count(app, model=Case) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _send_at_once(clients, url, data_for) -> list:
    """Each client sends its form at the same moment; returns the responses (or the exceptions)."""
    results: list = [None] * len(clients)
    start = threading.Barrier(len(clients))

    def send(i):
        start.wait()
        try:
            results[i] = clients[i].post(url, data=data_for(i))
        except BaseException as error:  # reported by the assertions
            results[i] = error

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return results


def _same_browser(app, client, count):
    """``count`` clients that carry ``client``'s cookies: one browser sending the same form many times."""
    clones = []
    for _ in range(count):
        clone = app.test_client()
        for cookie in client._cookies.values():
            clone.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
        clones.append(clone)
    return clones


# --- a double tap ---------------------------------------------------------------------------------


def test_forty_identical_sends_at_once_file_one_case_and_all_see_its_receipt(app, client):
    data = _form(client)
    taps = _same_browser(app, client, CONCURRENT_SENDS)
    responses = _send_at_once(taps, "/file/complaint", lambda i: data)
    statuses = [getattr(r, "status_code", r) for r in responses]
    assert all(status == 303 for status in statuses), statuses
    assert _count(app) == 1
    locations = {r.headers["Location"] for r in responses}
    assert len(locations) == 1  # every tap lands on the same receipt
    location = locations.pop()
    shown = [tap.get(location).get_data(as_text=True) for tap in taps]  # whichever answer the browser kept
    with app.app_context():
        case = db.session.scalar(select(Case))
    for receipt in shown:
        assert extract(receipt, "tracking-code") == case.tracking_code
        assert tracking.key_matches(extract(receipt, "receipt-key"), case.receipt_key_hash)


def test_a_resent_form_from_another_browser_learns_only_the_code(app, client):
    data = _form(client)
    assert client.post("/file/complaint", data=data).status_code == 303
    stranger = app.test_client()
    page = stranger.get("/file/complaint").get_data(as_text=True)
    # Another browser that somehow holds the form's token (but a wrong one changes the key): it cannot be
    # shown a key that does not match, so it gets "already filed" with the code only.
    response = stranger.post("/file/complaint", data=dict(data, csrf_token=csrf_token(page),
                                                              submission_token=data["submission_token"]))
    assert response.status_code == 303  # the same token derives the same key: the form's holder is the filer
    assert _count(app) == 1


def test_forty_identical_staff_recordings_at_once_record_one_case(app):
    officer = signed_in_client(app, make_user(app, "somchai", roles=("officer",), divisions=("engineering",)))
    html = officer.get("/staff/record/complaint").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(html), "submission_token": submission_token(html), "channel": "phone",
        "received_on": (bangkok_today() - timedelta(days=1)).isoformat(), "service_code": "street_light",
        "description": "ชาวบ้านโทรมาแจ้งว่าไฟดับ", "consent": "y", "anonymous": "y",
    }
    responses = _send_at_once(_same_browser(app, officer, CONCURRENT_SENDS), "/staff/record/complaint",
                              lambda i: data)
    statuses = [getattr(r, "status_code", r) for r in responses]
    assert all(status == 200 for status in statuses), statuses
    pages = [r.get_data(as_text=True) for r in responses]
    receipts = [p for p in pages if 'id="receipt-key"' in p]
    assert len(receipts) == 1  # the key once, to the first answer; the others say "already recorded"
    assert _count(app) == 1
    code = extract(receipts[0], "tracking-code")
    assert all(code in p for p in pages)


# --- the receipt page and the receipt picture -------------------------------------------------------


def test_the_receipt_comes_back_on_reload_until_the_key_is_kept(app, client):
    response = client.post("/file/complaint", data=_form(client))
    receipt_url = response.headers["Location"]
    first = client.get(receipt_url).get_data(as_text=True)
    again = client.get(receipt_url).get_data(as_text=True)
    key = extract(first, "receipt-key")
    assert extract(again, "receipt-key") == key
    code = extract(first, "tracking-code")
    # The filing form, opened again, points back to the receipt.
    assert f'href="{receipt_url}"' in client.get("/file/complaint").get_data(as_text=True)
    kept = client.post(f"/receipt/{code}/kept", data={"csrf_token": csrf_token(first)})
    assert kept.status_code == 302 and kept.headers["Location"].endswith(f"/track/{code}")
    after = client.get(receipt_url)
    assert after.status_code == 302 and key not in after.get_data(as_text=True)
    # Another browser never sees the receipt of this filing.
    stranger = app.test_client().get(receipt_url)
    assert stranger.status_code == 302 and "/track?code=" in stranger.headers["Location"]


def test_the_receipt_shows_for_a_set_time_only(make_app):
    app = make_app(RECEIPT_SHOWN_MINUTES=0)
    client = app.test_client()
    response = client.post("/file/complaint", data=_form(client))
    assert client.get(response.headers["Location"]).status_code == 302


def test_the_receipt_picture_downloads_as_a_png_with_thai_drawn(app, client):
    response = client.post("/file/complaint", data=_form(client))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    code = extract(page, "tracking-code")
    picture = client.get(f"/receipt/{code}/receipt.png")
    assert picture.status_code == 200
    assert picture.mimetype == "image/png"
    disposition = picture.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"receipt-{code}.png" in disposition
    assert "no-store" in picture.headers["Cache-Control"]
    data = picture.get_data()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(io.BytesIO(data)) as image:
        assert image.width == 1080 and 900 < image.height < 3000
        dark = sum(1 for pixel in image.convert("L").get_flattened_data() if pixel < 128)
        assert dark > 5000  # text was drawn, not a blank page
    # Nobody else can download it.
    assert app.test_client().get(f"/receipt/{code}/receipt.png").status_code == 404


def test_the_receipt_font_draws_thai_letters_not_boxes(app):
    from PIL import ImageFont

    from eservice.public.receipts import _font

    with app.app_context():
        font = _font(app.static_folder, False, 40)
    masks = {ch: bytes(font.getmask(ch)) for ch in "กขค"}
    missing = bytes(font.getmask("\u0e7f"))  # not a Thai letter: drawn with the font's "missing" glyph
    assert len(set(masks.values())) == 3
    assert missing not in masks.values()
    assert isinstance(font, ImageFont.FreeTypeFont)


def test_tracking_lists_the_cases_this_device_filed(app, client):
    codes = []
    for description in ("ไฟดับหน้าวัด", "ท่อน้ำแตก"):
        response = client.post("/file/complaint", data=_form(client, description=description))
        codes.append(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get("/track").get_data(as_text=True)
    for code in codes:
        assert f'href="/track/{code}"' in page
    assert 'href="/track/' not in app.test_client().get("/track").get_data(as_text=True)


# --- attachments kept across a refused form -----------------------------------------------------------


def test_an_attached_photo_survives_a_refused_form_and_is_filed_with_the_case(app, client):
    data = _form(client, description="")
    refused = client.post("/file/complaint", data=dict(data, media=[(io.BytesIO(make_jpeg()), "หลุม.jpg")]),
                          content_type="multipart/form-data")
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "หลุม.jpg" in html and 'name="remove_upload"' in html
    assert _count(app, PendingUpload) == 1
    sent = client.post("/file/complaint", data=dict(data, description="ถนนเป็นหลุม"),
                       content_type="multipart/form-data")
    assert sent.status_code == 303
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert [a.filename for a in case.attachments] == ["หลุม.jpg"]
    assert _count(app, PendingUpload) == 0


def test_a_kept_attachment_can_be_removed_and_only_by_its_form(app, client):
    data = _form(client, description="")
    client.post("/file/complaint", data=dict(data, media=[(io.BytesIO(make_jpeg()), "a.jpg")]),
                content_type="multipart/form-data")
    with app.app_context():
        kept_id = db.session.scalar(select(PendingUpload.id))
    other = _form(client, description="")
    client.post("/file/complaint", data=dict(other, remove_upload=str(kept_id)))
    assert _count(app, PendingUpload) == 1  # another form's token cannot remove it
    removed = client.post("/file/complaint", data=dict(data, remove_upload=str(kept_id)))
    assert removed.status_code == 200
    assert 'class="field-errors"' not in removed.get_data(as_text=True)  # removing is not an error
    assert _count(app, PendingUpload) == 0
    assert client.post("/file/complaint", data=dict(data, description="ok")).status_code == 303
    assert _count(app, Attachment) == 0


def test_kept_attachments_expire_after_an_hour(app):
    from datetime import UTC, datetime

    from eservice.database import begin_write
    from eservice.domain import pending_uploads
    from eservice.domain.uploads import CleanFile

    now = datetime.now(UTC)
    with app.app_context():
        begin_write(db.session)
        pending_uploads.keep(db.session, "t1", [CleanFile("a.jpg", "image/jpeg", b"x")], 5,
                             now=now - timedelta(minutes=61))
        db.session.commit()
        assert pending_uploads.listed(db.session, "t1", now) == []
        begin_write(db.session)
        pending_uploads.keep(db.session, "t2", [], 5, now=now)  # any keeping sweeps the old ones
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(PendingUpload)) == 0


def test_enter_in_a_one_line_field_cannot_send_the_form(client):
    html = client.get("/file/complaint").get_data(as_text=True)
    form = html[html.index('<form method="post"'):]
    first_button = re.search(r"<button[^>]*>", form).group(0)
    # The form's default button (the first) is disabled: implicit submission does nothing.
    assert 'type="submit"' in first_button and "disabled" in first_button


# --- the rate limit -----------------------------------------------------------------------------------


@pytest.mark.parametrize("storage", ["memory://", "redis://127.0.0.1:6379/6"])
def test_the_rate_limit_counts_saved_filings_and_gives_the_form_back(make_app, storage):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=storage, FILING_RATE_LIMIT="2 per minute",
                   RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}")
    client = app.test_client()
    for _ in range(3):  # refused forms do not count
        assert client.post("/file/complaint", data=_form(client, description="")).status_code == 422
    assert client.post("/file/complaint", data=_form(client)).status_code == 303
    assert client.post("/file/complaint", data=_form(client)).status_code == 303
    client.get("/lang/en")
    third = client.post("/file/complaint", data=_form(client, description="ไฟถนนดับทั้งซอย 7"))
    assert third.status_code == 429
    html = third.get_data(as_text=True)
    assert "ไฟถนนดับทั้งซอย 7" in html  # what was typed is kept
    assert re.search(r"send it again after \d\d:\d\d", html)
    assert _count(app) == 2
    # Another address is not affected.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    assert other.post("/file/complaint", data=_form(other)).status_code == 303
    assert _count(app) == 3


def test_the_limit_page_says_the_time_in_thai(make_app):
    app = make_app(RATELIMIT_ENABLED=True, FILING_RATE_LIMIT="1 per minute",
                   RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}")
    client = app.test_client()
    assert client.post("/file/complaint", data=_form(client)).status_code == 303
    html = client.post("/file/complaint", data=_form(client)).get_data(as_text=True)
    assert re.search(r"\d\d\.\d\d น\.", html)


def test_the_default_limit_allows_a_busy_hour_from_one_address(app):
    from limits import parse_many

    per_hour = [item for item in parse_many(app.config["FILING_RATE_LIMIT"]) if item.GRANULARITY.name == "hour"]
    assert per_hour and per_hour[0].amount >= 30


# --- a database that cannot be written ---------------------------------------------------------------


def _read_only_app(make_app, tmp_path):
    make_app()  # makes the database with its reference data
    if PG_URL:
        return make_app(SQLALCHEMY_ENGINE_OPTIONS={
            "connect_args": {"options": "-c default_transaction_read_only=on"}})
    return make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///file:{tmp_path / 'test.db'}?mode=ro&uri=true")


def test_a_filing_on_a_read_only_database_says_it_was_not_saved_and_keeps_the_text(make_app, tmp_path):
    app = _read_only_app(make_app, tmp_path)
    client = app.test_client()
    response = client.post("/file/complaint", data=_form(client, description="น้ำท่วมขังหน้าโรงเรียน"))
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert 'id="not-saved"' in html and "ไม่ได้บันทึก" in html
    assert "น้ำท่วมขังหน้าโรงเรียน" in html
    assert "Traceback" not in html


def test_a_staff_recording_on_a_read_only_database_says_it_was_not_saved(make_app, tmp_path):
    writable = make_app()
    user_id = make_user(writable, "somchai", roles=("officer",), divisions=("engineering",))
    app = _read_only_app(make_app, tmp_path)
    officer = app.test_client()
    with officer.session_transaction() as session:
        session["_user_id"] = str(user_id)
    html = officer.get("/staff/record/complaint").get_data(as_text=True)
    response = officer.post("/staff/record/complaint", data={
        "csrf_token": csrf_token(html), "submission_token": submission_token(html), "channel": "phone",
        "received_on": bangkok_today().isoformat(), "service_code": "street_light",
        "description": "ไฟดับหน้าวัด", "consent": "y", "anonymous": "y",
    })
    assert response.status_code == 503
    assert "ไฟดับหน้าวัด" in response.get_data(as_text=True)
