"""Uploads on the open internet (issue 9): pixel bombs refused from their header, metadata that names a person
stripped from photos and PDFs, scripted or encrypted PDFs refused, in the citizen's language, wherever a file
arrives (public forms, added information, the staff recording form, LINE photos)."""

import re
import struct
import zlib
from io import BytesIO

import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import func, select

from eservice.domain import uploads
from eservice.domain.errors import DomainError
from eservice.domain.uploads import clean_upload
from eservice.extensions import db
from eservice.models import Attachment, Case, CaseEvent, TrackingSequence
from eservice.models.line import LineDraftPhoto

from .factories import MINIMAL_PDF, make_jpeg, make_pdf
from .line_support import user_id
from .test_line_chat import english as line_english
from .test_staff_intake import _officer
from .web import csrf_token, english, post, submission_token

MB = 1024 * 1024
THAI = re.compile(r"[\u0E00-\u0E7F]")


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header announces ``width`` × ``height`` pixels, with almost no data: the cheapest bomb. Only
    its header is ever read if the check comes before decoding."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    idat = zlib.compress(b"\0" * 1000)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


BOMB = png_header_only(12000, 14000)  # the issue's 168-megapixel PNG


def _nothing_saved(app):
    with app.app_context():
        for model in (Case, CaseEvent, Attachment):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0
        assert (db.session.scalar(select(func.max(TrackingSequence.last_number))) or 0) == 0


def _file(client, files, case_type="complaint", lang="en"):
    client.get(f"/lang/{lang}")
    html = client.get(f"/file/{case_type}").get_data(as_text=True)
    data = {"csrf_token": csrf_token(html), "submission_token": submission_token(html),
            "service_code": {"corruption": "bribery", "gift": "gift"}.get(case_type, "road"),
            "description": "หลุมลึกหน้าบ้านเลขที่ 12", "consent": "y", "anonymous": "y", "media": files}
    return client.post(f"/file/{case_type}", data=data, content_type="multipart/form-data", follow_redirects=True)


def _media_errors(html: str) -> str:
    match = re.search(r'<ul class="field-errors" id="media-error">(.*?)</ul>', html, re.S)
    return " ".join(re.findall(r"<li>(.*?)</li>", match.group(1), re.S)) if match else ""


class Stored:
    def __init__(self, content_type: str, data: bytes):
        self.content_type, self.data = content_type, data


def _stored(app) -> Stored:
    with app.app_context():
        item = db.session.scalar(select(Attachment))
        return Stored(item.content_type, item.data)


# --- pixel bombs -------------------------------------------------------------------------------------------


def test_the_issues_bomb_is_refused_from_its_header_in_english(app, client):
    response = _file(client, [(BytesIO(BOMB), "scan.png")])
    assert response.status_code == 422
    errors = _media_errors(response.get_data(as_text=True))
    assert "scan.png has too many pixels" in errors and "40 million pixels" in errors
    _nothing_saved(app)


def test_the_refusal_is_in_thai_by_default(app, client):
    response = _file(client, [(BytesIO(BOMB), "scan.png")], lang="th")
    assert response.status_code == 422
    errors = _media_errors(response.get_data(as_text=True))
    assert "scan.png" in errors and THAI.search(errors) and "40" in errors, errors
    _nothing_saved(app)


def test_the_pixel_limit_is_a_setting(make_app):
    app = make_app(MAX_IMAGE_PIXELS=10_000)
    client = app.test_client()
    refused = _file(client, [(BytesIO(make_jpeg(size=(200, 100))), "big.jpg")])
    assert refused.status_code == 422
    assert "big.jpg has too many pixels" in _media_errors(refused.get_data(as_text=True))
    _nothing_saved(app)
    accepted = _file(client, [(BytesIO(make_jpeg(size=(100, 100))), "small.jpg")])
    assert accepted.status_code == 200 and 'id="tracking-code"' in accepted.get_data(as_text=True)


def test_pillows_bomb_warning_is_a_refusal(make_app, monkeypatch):
    # The configured limit is high; Pillow's own limit (its warning) is what trips.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 5_000)
    app = make_app(MAX_IMAGE_PIXELS=10_000_000)
    response = _file(app.test_client(), [(BytesIO(make_jpeg(size=(100, 80))), "photo.jpg")])
    assert response.status_code == 422
    assert "photo.jpg has too many pixels" in _media_errors(response.get_data(as_text=True))
    _nothing_saved(app)


def test_the_image_is_never_decoded_when_it_is_refused(monkeypatch):
    def no_decoding(*_args, **_kwargs):
        raise AssertionError("decoded a refused image")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    monkeypatch.setattr(pikepdf, "open", no_decoding)
    with pytest.raises(DomainError, match="too many pixels"):
        clean_upload("bomb.png", BOMB, 10 * MB)


@pytest.mark.parametrize(("format_", "mode", "limit"), [
    ("PNG", "RGBA", 20_000_000), ("PNG", "RGB", 20_000_000), ("PNG", "L", 40_000_000), ("PNG", "P", 40_000_000),
    ("JPEG", "CMYK", 40_000_000), ("WEBP", "RGBA", 80_000_000 // 12),
])
def test_the_limit_that_applies_follows_what_decoding_costs(format_, mode, limit):
    assert uploads.pixel_limit(40_000_000, format_, mode) == min(limit, 40_000_000)


def test_a_colour_png_over_the_decoding_budget_is_refused_with_its_own_limit():
    wide = png_header_only(6000, 4000)  # 24 Mpx grey: accepted size-wise (1 byte a pixel)...
    colour = bytearray(wide)
    colour[25] = 2  # ...the same in RGB (4 bytes a pixel in memory) is over the budget: the CRC is fixed below
    colour[29:33] = struct.pack(">I", zlib.crc32(bytes(colour[12:29])))
    with pytest.raises(DomainError, match="up to 20 million pixels"):
        clean_upload("wide.png", bytes(colour), 10 * MB)


def test_a_webp_bomb_is_refused_before_pillow_opens_it(monkeypatch):
    header = b"RIFF" + struct.pack("<I", 30) + b"WEBPVP8X" + struct.pack("<I", 10) + b"\0" * 4
    bomb = header + (16000 - 1).to_bytes(3, "little") + (16000 - 1).to_bytes(3, "little") + b"\0" * 20

    def no_opening(*_args, **_kwargs):
        raise AssertionError("opened a refused WebP")

    monkeypatch.setattr(Image, "open", no_opening)
    with pytest.raises(DomainError, match="too many pixels"):
        clean_upload("huge.webp", bomb, 10 * MB)


@pytest.mark.parametrize("format_", ["JPEG", "MPO"])  # MPO: a phone's multi-picture JPEG
def test_a_large_jpeg_is_decoded_reduced_and_kept_upright(format_):
    image = Image.new("RGB", (5000, 4000), (10, 200, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # turned a quarter: the stored photo must be upright
    out = BytesIO()
    extra = {"save_all": True, "append_images": [Image.new("RGB", (5000, 4000))]} if format_ == "MPO" else {}
    image.save(out, format=format_, quality=30, exif=exif, **extra)
    assert Image.open(BytesIO(out.getvalue())).format == format_
    stored = Image.open(BytesIO(clean_upload("large.jpg", out.getvalue(), 10 * MB).data))
    assert stored.size == (2000, 2500)  # 20 Mpx decoded at half size, then turned
    assert 0x0112 not in stored.getexif()


def test_added_information_refuses_a_bomb(app, client, file_case):
    _, code, key = file_case()
    page = client.get("/track").get_data(as_text=True)
    client.post("/track", data={"csrf_token": csrf_token(page), "code": code, "key": key})
    client.get("/lang/en")
    page = client.get(f"/track/{code}").get_data(as_text=True)
    response = client.post(f"/track/{code}/information", data={
        "csrf_token": csrf_token(page), "note": "เพิ่มเติม", "media": [(BytesIO(BOMB), "more.png")]},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "more.png has too many pixels" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_the_staff_recording_form_refuses_a_bomb(app):
    officer = _officer(app)
    page = officer.get("/staff/record/complaint").get_data(as_text=True)
    response = officer.post("/staff/record/complaint", data={
        "csrf_token": csrf_token(page), "submission_token": submission_token(page), "channel": "letter",
        "service_code": "street_light", "description": "จดหมายแจ้งไฟดับ", "consent": "y", "anonymous": "y",
        "media": [(BytesIO(BOMB), "letter-scan.png")]}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "letter-scan.png has too many pixels" in response.get_data(as_text=True)
    _nothing_saved(app)


def test_a_line_photo_bomb_is_refused_with_the_reason(line):
    user = user_id(21)
    line_english(line, user)
    line.press(user, "Complaint")
    line.press(user, "Street lights")
    line.text(user, "ไฟถนนดับทั้งซอย")
    line.say(user, line.image_event(user, BOMB))
    assert "too many pixels" in line.platform.texts(user)[-2]
    with line.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LineDraftPhoto)) == 0


def test_the_administrators_logo_is_measured_before_decoding_too(app, admin, monkeypatch):
    english(admin)

    def no_decoding(*_args, **_kwargs):
        raise AssertionError("decoded a refused logo")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    response = post(admin, "/admin/settings/logo", {"logo-logo": (BytesIO(BOMB), "logo.png")},
                    token_page="/admin/settings", content_type="multipart/form-data")
    assert response.status_code == 422
    assert "The logo has too many pixels" in response.get_data(as_text=True)
    with app.app_context():
        from eservice.domain import organisation

        assert not organisation.required(db.session).logo_content_type


# --- metadata ------------------------------------------------------------------------------------------------


def test_jpeg_comment_xmp_and_exif_do_not_survive_but_the_colour_profile_does(app, client):
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    exif = Image.Exif()
    exif[0x013B] = "Somchai Artist"  # Artist
    exif[0x010F] = "PhoneMaker"
    out = BytesIO()
    Image.new("RGB", (64, 48), (1, 2, 3)).save(
        out, format="JPEG", comment=b"taken by Somchai Writer", exif=exif, icc_profile=icc,
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>Somchai Writer</dc:creator></x:xmpmeta>')
    original = out.getvalue()
    assert b"Somchai" in original
    assert _file(client, [(BytesIO(original), "p.jpg")]).status_code == 200
    stored = _stored(app).data
    assert b"Somchai" not in stored and b"PhoneMaker" not in stored
    image = Image.open(BytesIO(stored))
    assert "comment" not in image.info and "xmp" not in image.info and not image.getexif()
    assert image.info.get("icc_profile") == icc


def test_png_text_chunks_do_not_survive(app, client):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Somchai Writer")
    info.add_itxt("Description", "ภาพของสมชาย")
    out = BytesIO()
    Image.new("P", (20, 20), 1).save(out, format="PNG", pnginfo=info, transparency=1)
    transparency = Image.open(BytesIO(out.getvalue())).info["transparency"]
    assert _file(client, [(BytesIO(out.getvalue()), "p.png")]).status_code == 200
    stored = _stored(app).data
    assert b"Somchai" not in stored and "สมชาย".encode() not in stored
    assert Image.open(BytesIO(stored)).info.get("transparency") == transparency  # what the picture needs stays


def test_pdf_loses_what_names_its_writer(app, client):
    original = make_pdf(info={"/Author": "Somchai Writer", "/Creator": "Microsoft Word - Somchai",
                              "/Producer": "Somchai's PDF maker", "/Title": "Complaint by Somchai",
                              "/Subject": "Somchai", "/Keywords": "Somchai"}, xmp=True)
    assert original.count(b"Somchai") >= 6
    assert _file(client, [(BytesIO(original), "letter.pdf")]).status_code == 200
    stored = _stored(app)
    assert stored.content_type == "application/pdf"
    assert b"Somchai" not in stored.data
    with pikepdf.open(BytesIO(stored.data)) as pdf:
        assert len(pdf.pages) == 1
        assert "/Metadata" not in pdf.Root
        assert not any(key in pdf.docinfo for key in ("/Author", "/Creator", "/Producer", "/Title"))


@pytest.mark.parametrize("where", ["names", "open", "aa", "annotation"])
def test_pdf_with_a_script_is_refused_and_says_why(app, client, where):
    response = _file(client, [(BytesIO(make_pdf(script=where)), "form.pdf")])
    assert response.status_code == 422
    assert "form.pdf contains a script" in _media_errors(response.get_data(as_text=True))
    _nothing_saved(app)


def test_encrypted_pdf_is_refused_and_says_why_in_thai(app, client):
    response = _file(client, [(BytesIO(make_pdf(encrypted=True)), "locked.pdf")], lang="th")
    assert response.status_code == 422
    errors = _media_errors(response.get_data(as_text=True))
    assert "locked.pdf" in errors and THAI.search(errors)
    client.get("/lang/en")
    response = _file(client, [(BytesIO(make_pdf(encrypted=True)), "locked.pdf")])
    assert "locked.pdf is protected by a password" in _media_errors(response.get_data(as_text=True))
    _nothing_saved(app)


def test_a_plain_pdf_is_kept_readable(app, client):
    assert _file(client, [(BytesIO(MINIMAL_PDF), "plain.pdf")]).status_code == 200
    with pikepdf.open(BytesIO(_stored(app).data)) as pdf:
        assert len(pdf.pages) == 1


# --- the integrity forms ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("case_type", ["corruption", "gift"])
def test_integrity_forms_never_offer_the_current_position_and_warn_about_photos(client, case_type):
    client.get("/lang/en")
    html = client.get(f"/file/{case_type}").get_data(as_text=True)
    assert 'data-action="locate"' not in html and "Use my current position" not in html
    assert 'id="media-identity-note"' in html and "A photo can identify the person who took it" in html
    assert re.search(r'aria-describedby="[^"]*media-identity-note', html)


def test_general_forms_still_offer_the_current_position(client):
    html = client.get("/file/complaint").get_data(as_text=True)
    assert 'data-action="locate"' in html and 'id="media-identity-note"' not in html


# --- property: any bytes, any name -------------------------------------------------------------------------------

PREFIXES = [b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"RIFF\x00\x00\x00\x00WEBPVP8X",
            b"RIFF\x10\x00\x00\x00WEBPVP8 ", b"%PDF-1.4\n",
            MINIMAL_PDF[:200], make_jpeg()[:300], png_header_only(300, 200)[:40]]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=4000), tail=st.sampled_from([b"", b"\n%%EOF\n"]),
       name=st.text(max_size=300))
def test_any_upload_is_cleaned_or_refused_with_a_message(prefix, body, tail, name):
    try:
        cleaned = clean_upload(name, prefix + body + tail, 10 * MB)
    except DomainError as error:
        assert str(error.message)
    else:
        assert cleaned.content_type in uploads.ALLOWED_TYPES and cleaned.data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=st.sampled_from(["pdf", "jpeg", "png"]), flips=st.lists(
    st.tuples(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=255)), max_size=8))
def test_damaged_real_files_are_cleaned_or_refused_with_a_message(source, flips):
    data = bytearray({"pdf": make_pdf(info={"/Author": "x"}, xmp=True), "jpeg": make_jpeg(with_gps=True),
                      "png": png_header_only(30, 20)}[source])
    for position, value in flips:
        data[position % len(data)] = value
    try:
        clean_upload("file", bytes(data), 10 * MB)
    except DomainError as error:
        assert str(error.message)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000), prefix=st.sampled_from(PREFIXES), name=st.text(max_size=200))
def test_the_form_never_answers_5xx_for_any_file(app, data, prefix, name):
    client = app.test_client()
    response = _file(client, [(BytesIO(prefix + data), name or "f")])
    assert response.status_code < 500
    with app.app_context():
        cases = db.session.scalar(select(func.count()).select_from(Case))
        events = db.session.scalar(select(func.count()).select_from(CaseEvent))
        assert events >= cases  # every saved case has its filing event: nothing half-saved


def test_a_pdf_whose_objects_refer_to_each_other_is_cleaned_once():
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(100, 100))
    first = pdf.make_stream(b"a")
    second = pdf.make_stream(b"b")
    first.stream_dict.Next = second
    second.stream_dict.Next = first
    second.stream_dict.Metadata = pdf.make_stream(b"<x>Somchai Writer</x>")
    pdf.pages[0].obj.Extra = first
    out = BytesIO()
    pdf.save(out, compress_streams=False)
    assert b"Somchai" in out.getvalue()
    with pikepdf.open(BytesIO(clean_upload("loop.pdf", out.getvalue(), 10 * MB).data)) as cleaned:
        assert not any(isinstance(o, pikepdf.Stream) and "/Metadata" in o.stream_dict for o in cleaned.objects)
        assert len(cleaned.pages) == 1
