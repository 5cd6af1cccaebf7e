"""Bad input on the filing form: a clear message beside each field, the typed values kept, nothing saved."""

import re
from io import BytesIO

import pytest
from sqlalchemy import func, select

from eservice.models import Attachment, Case, CaseEvent, TrackingSequence

from .factories import MINIMAL_PDF, make_jpeg
from .web import csrf_token, submission_token


def _count(app, model):
    with app.app_context():
        return app.extensions["sqlalchemy"].session.scalar(select(func.count()).select_from(model))


def _nothing_saved(app):
    assert _count(app, Case) == 0
    assert _count(app, CaseEvent) == 0
    assert _count(app, Attachment) == 0
    with app.app_context():
        # No tracking number was consumed either.
        assert (app.extensions["sqlalchemy"].session.scalar(select(func.max(TrackingSequence.last_number))) or 0) == 0


def _post(client, case_type="complaint", lang="en", files=None, **fields):
    client.get(f"/lang/{lang}")
    html = client.get(f"/file/{case_type}").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(html),
        "submission_token": submission_token(html),
        "service_code": "road",
        "description": "A deep pothole in front of house 12",
        "consent": "y",
        "anonymous": "y",
    }
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    if files is not None:
        data["media"] = files
    return client.post(f"/file/{case_type}", data=data, content_type="multipart/form-data", follow_redirects=True)


def _field_errors(html: str, field_id: str) -> list[str]:
    match = re.search(rf'<ul class="field-errors" id="{field_id}-error">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", match.group(1), re.S) if match else []


@pytest.mark.parametrize(
    ("fields", "field_id", "expected"),
    [
        ({"description": ""}, "description", "Describe the matter"),
        ({"description": "   "}, "description", "Describe the matter"),
        ({"description": "ก" * 20000}, "description", "20000 characters long; the limit is 5000"),
        ({"service_code": ""}, "service_code", "Choose a category"),
        ({"service_code": "bribery"}, "service_code", "Not a valid choice"),
        ({"consent": None}, "consent", "personal data notice"),
        ({"anonymous": None, "first_name": ""}, "first_name", "Give your first name"),
        ({"anonymous": None, "first_name": "Somchai", "national_id": "11017002307081"}, "national_id",
         "exactly 13 digits; you entered 14"),
        ({"anonymous": None, "first_name": "Somchai", "national_id": "1101700230705"}, "national_id",
         "last digit does not match"),
        ({"anonymous": None, "first_name": "Somchai", "phone": "12345"}, "phone", "Thai phone number"),
        ({"anonymous": None, "first_name": "Somchai", "phone": "0212345678"}, "phone", "Thai phone number"),
        ({"anonymous": None, "first_name": "Somchai", "email": "somchai@"}, "email", "email address like"),
        ({"village": "9999"}, "village", "Not a valid choice"),
        ({"lat": "95"}, "lat", "between -90 and 90"),
    ],
)
def test_each_bad_field_has_its_message_and_nothing_is_saved(app, client, fields, field_id, expected):
    response = _post(client, **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    errors = " ".join(_field_errors(html, field_id))
    assert expected in errors, errors or html[:2000]
    assert 'id="error-summary"' in html
    assert 'aria-invalid="true"' in html
    _nothing_saved(app)


def test_honeypot_filled_by_a_bot_files_nothing(app, client):
    response = _post(client, website="http://spam.example")
    assert response.status_code == 422
    assert "Leave this field empty" in response.get_data(as_text=True)
    _nothing_saved(app)


def test_typed_values_stay_in_the_form(client):
    response = _post(client, anonymous=None, first_name="สมศรี", phone="12", description="ไฟดับหน้าวัด")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="สมศรี"' in html
    assert 'value="12"' in html
    assert "ไฟดับหน้าวัด</textarea>" in html


def test_messages_come_in_thai_by_default(app, client):
    response = _post(client, lang="th", description="")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    errors = " ".join(_field_errors(html, "description"))
    assert errors and re.search(r"[\u0E00-\u0E7F]", errors), errors


def test_wrong_file_type_is_refused_by_content_not_name(app, client):
    fake = (BytesIO(b"MZ\x90\x00 this is really a program"), "photo.jpg")
    response = _post(client, files=[fake])
    assert response.status_code == 422
    errors = " ".join(_field_errors(response.get_data(as_text=True), "media"))
    assert "photo.jpg is not a photo (JPEG, PNG, WebP) or a PDF file" in errors
    _nothing_saved(app)


def test_real_photo_with_a_wrong_name_is_accepted_and_renamed(app, client):
    response = _post(client, files=[(BytesIO(make_jpeg()), "document.pdf")])
    assert response.status_code == 200
    with app.app_context():
        attachment = app.extensions["sqlalchemy"].session.scalar(select(Attachment))
        assert attachment.content_type == "image/jpeg"
        assert attachment.filename == "document.jpg"


def test_photo_location_data_is_removed(app, client):
    from PIL import Image

    original = make_jpeg(with_gps=True)
    assert Image.open(BytesIO(original)).getexif().get_ifd(0x8825)  # the test photo does carry GPS
    response = _post(client, files=[(BytesIO(original), "pothole.jpg")])
    assert response.status_code == 200
    with app.app_context():
        stored = app.extensions["sqlalchemy"].session.scalar(select(Attachment)).data
    exif = Image.open(BytesIO(stored)).getexif()
    assert not exif.get_ifd(0x8825)
    assert 0x010F not in exif  # camera make gone too


def test_pdf_is_accepted(app, client):
    response = _post(client, files=[(BytesIO(MINIMAL_PDF), "letter.pdf")])
    assert response.status_code == 200
    with app.app_context():
        attachment = app.extensions["sqlalchemy"].session.scalar(select(Attachment))
        assert attachment.content_type == "application/pdf"


def test_truncated_pdf_is_refused(app, client):
    response = _post(client, files=[(BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\n"), "cut.pdf")])
    assert response.status_code == 422
    assert "not a complete PDF" in response.get_data(as_text=True)
    _nothing_saved(app)


def test_more_than_five_files_is_refused(app, client):
    files = [(BytesIO(make_jpeg()), f"p{i}.jpg") for i in range(6)]
    response = _post(client, files=files)
    assert response.status_code == 422
    assert "Attach at most 5 files; you chose 6" in response.get_data(as_text=True)
    _nothing_saved(app)


def test_one_bad_file_among_good_ones_saves_nothing(app, client):
    files = [(BytesIO(make_jpeg()), "good.jpg"), (BytesIO(b"not an image at all"), "bad.png")]
    response = _post(client, files=files)
    assert response.status_code == 422
    _nothing_saved(app)


def test_file_over_the_per_file_limit_has_its_message(make_app):
    app = make_app(MAX_ATTACHMENT_BYTES=20_000)
    client = app.test_client()
    big = make_jpeg(size=(1200, 1200))
    assert len(big) > 20_000
    response = _post(client, files=[(BytesIO(big), "big.jpg")])
    assert response.status_code == 422
    assert "big.jpg is larger than" in response.get_data(as_text=True)
    _nothing_saved(app)


def test_oversized_request_gets_a_413_page_that_says_the_limit(make_app):
    app = make_app(MAX_CONTENT_LENGTH=200_000)
    client = app.test_client()
    response = _post(client, files=[(BytesIO(b"\xff\xd8\xff" + b"0" * 300_000), "huge.jpg")])
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "10 MB" in html
    _nothing_saved(app)


def test_unknown_case_type_is_404(client):
    assert client.get("/file/lottery").status_code == 404


def test_csrf_missing_token_gets_friendly_400(app, client):
    html = client.get("/file/complaint").get_data(as_text=True)
    data = {"service_code": "road", "description": "x", "consent": "y", "submission_token": submission_token(html)}
    response = client.post("/file/complaint", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<form" not in page or "csrf" not in page.lower() or "Traceback" not in page
    assert "Traceback" not in page
    assert 'class="button"' in page  # a way back
    _nothing_saved(app)


def test_csrf_expired_token_gets_friendly_400(make_app):
    app = make_app(WTF_CSRF_TIME_LIMIT=1)
    client = app.test_client()
    import time

    html = client.get("/file/complaint").get_data(as_text=True)
    time.sleep(2.1)
    data = {
        "csrf_token": csrf_token(html),
        "submission_token": submission_token(html),
        "service_code": "road",
        "description": "x",
        "consent": "y",
        "anonymous": "y",
    }
    response = client.post("/file/complaint", data=data)
    assert response.status_code == 400
    _nothing_saved(app)


def test_names_people_typed_are_escaped_in_messages(app, client):
    hostile = '<img src=x onerror="alert(1)">.jpg'
    response = _post(client, files=[(BytesIO(b"not an image"), hostile)])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<img src=x" not in html
    assert "&lt;img src=x" in html
