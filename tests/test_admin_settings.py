"""Organisation settings, the logo, and the published service standard and PDPA notice."""

import io
from html import unescape

import pytest
from PIL import Image
from sqlalchemy import select

from eservice.extensions import db
from eservice.models import Organisation

from .factories import audit_count, last_audit, make_jpeg
from .web import english, post

GOOD = {
    "name_th": "เทศบาลตำบลบ่อปลาทอง",
    "name_en": "Bo Pla Thong Subdistrict Municipality",
    "address_th": "อำเภอปรางค์กู่ จังหวัดนครราชสีมา",
    "address_en": "Prang Ku, Nakhon Ratchasima",
    "phone": "044 123 456",
    "email": "saraban@borplathong.go.th",
    "website": "https://www.borplathong.go.th/",
    "line_id": "@borplathong",
    "line_url": "https://line.me/R/ti/p/@borplathong",
    "facebook_name": "เทศบาลตำบลบ่อปลาทอง",
    "facebook_url": "https://www.facebook.com/borplathong",
    "office_hours_th": "จันทร์–ศุกร์",
    "office_hours_en": "Mon–Fri",
    "tracking_prefix": "bpx",
}


def organisation(app) -> Organisation:
    with app.app_context():
        org = db.session.scalar(select(Organisation))
        db.session.expunge(org)
        return org


def test_settings_are_saved_and_audited_with_the_address(app, admin):
    response = post(admin, "/admin/settings", GOOD, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 302
    org = organisation(app)
    assert org.phone == "044 123 456" and org.line_url.endswith("@borplathong")
    assert org.tracking_prefix == "BPX"  # capitalised
    entry = last_audit(app, "admin.organisation.update")
    assert entry.actor_name == "root" and entry.ip_address == "10.1.2.3"
    assert entry.details["tracking_prefix"] == ["BPT", "BPX"]
    # The public pages show the new contacts at once.
    home = admin.get("/").get_data(as_text=True)
    assert "https://www.facebook.com/borplathong" in home and "044 123 456" in home


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name_th", "", "Give the organisation's name in Thai."),
        ("tracking_prefix", "B1", "2 to 6 capital English letters"),
        ("tracking_prefix", "TOOLONGX", "2 to 6 capital English letters"),
        ("phone", "12345", "Enter a Thai phone number"),
        ("email", "not-an-email", "Enter an email address"),
        ("website", "www.example.com", "starting with https://"),
        ("facebook_url", "javascript:alert(1)", "starting with https://"),
        ("line_id", "@ไม่ใช่", "A LINE ID is letters"),
        ("in_use_since", "2999-01-01", "a day between 2000 and today"),
        ("in_use_since", "1999-12-31", "a day between 2000 and today"),
    ],
)
def test_bad_settings_are_refused_with_a_message_and_nothing_changes(app, admin, field, value, message):
    before = organisation(app)
    entries = audit_count(app)
    response = post(admin, "/admin/settings", {**GOOD, field: value})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in unescape(html)
    assert f'id="{field}-error"' in html  # beside the field, for screen readers
    after = organisation(app)
    assert (after.name_th, after.phone, after.tracking_prefix) == (before.name_th, before.phone, before.tracking_prefix)
    assert audit_count(app) == entries


def test_the_go_live_date_is_editable_and_audited(app, admin):
    from datetime import date

    response = post(admin, "/admin/settings", {**GOOD, "in_use_since": "2024-10-01"})
    assert response.status_code == 302
    assert organisation(app).in_use_since == date(2024, 10, 1)
    assert last_audit(app, "admin.organisation.update").details["in_use_since"][1] == "2024-10-01"
    # Left empty, the date already set is kept (the form cannot erase what init set).
    assert post(admin, "/admin/settings", {**GOOD, "in_use_since": ""}).status_code == 302
    assert organisation(app).in_use_since == date(2024, 10, 1)


def png_bytes(size=(800, 400)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 90, 120)).save(out, format="PNG")
    return out.getvalue()


def test_logo_is_resized_served_and_shown_on_home(app, admin):
    response = post(admin, "/admin/settings/logo", {"logo-logo": (io.BytesIO(png_bytes()), "logo.png")},
                    token_page="/admin/settings", content_type="multipart/form-data")
    assert response.status_code == 302
    served = admin.get("/organisation/logo")
    assert served.status_code == 200 and served.mimetype == "image/png"
    with Image.open(io.BytesIO(served.data)) as image:
        assert max(image.size) <= 512
    assert 'src="/organisation/logo"' in admin.get("/").get_data(as_text=True)
    assert last_audit(app, "admin.organisation.logo").details["uploaded_bytes"] > 0
    # A JPEG is accepted too, and removing it takes the logo away.
    assert post(admin, "/admin/settings/logo", {"logo-logo": (io.BytesIO(make_jpeg()), "x.jpg")},
                token_page="/admin/settings", content_type="multipart/form-data").status_code == 302
    assert post(admin, "/admin/settings/logo", {"logo-remove": "y"}, token_page="/admin/settings").status_code == 302
    assert admin.get("/organisation/logo").status_code == 404
    assert last_audit(app, "admin.organisation.logo_remove")


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "not an image we can read"),
        (b"GIF89a" + b"\x00" * 20, "not an image we can read"),
        (b"\x89PNG\r\n\x1a\n" + b"0" * (1024 * 1024 + 10), "the limit is 1024 KB"),
        (b"", "Choose an image file."),
    ],
)
def test_bad_logos_are_refused(app, admin, payload, message):
    response = post(admin, "/admin/settings/logo", {"logo-logo": (io.BytesIO(payload), "logo.svg")},
                    token_page="/admin/settings", content_type="multipart/form-data")
    assert response.status_code == 422
    assert message in unescape(response.get_data(as_text=True))
    assert organisation(app).logo_content_type == ""
    assert admin.get("/organisation/logo").status_code == 404


def test_published_texts_replace_the_built_in_ones(app, admin):
    default_home = admin.get("/").get_data(as_text=True)
    assert "We receive your case and give you a tracking code at once." in default_home
    response = post(admin, "/admin/texts", {
        "service_standard_th": "รับเรื่องทันที\nตอบภายใน 15 วันทำการ",
        "service_standard_en": "We take your case at once.\nWe answer within 15 working days.",
        "pdpa_notice_th": "เทศบาลเก็บข้อมูลเพื่อดำเนินการตามเรื่องเท่านั้น",
        "pdpa_notice_en": "We keep your data only to handle your case.",
    })
    assert response.status_code == 302
    home = admin.get("/").get_data(as_text=True)
    assert "<p>We take your case at once.</p><p>We answer within 15 working days.</p>" in home
    assert "We receive your case and give you a tracking code at once." not in home
    form = admin.get("/file/complaint").get_data(as_text=True)
    assert "We keep your data only to handle your case." in form
    admin.get("/lang/th")
    assert "รับเรื่องทันที" in admin.get("/").get_data(as_text=True)
    assert last_audit(app, "admin.organisation.texts").details["pdpa_notice_en"][1].startswith("We keep")
    # Blank again: the built-in texts come back.
    post(admin, "/admin/texts", {"service_standard_th": "", "service_standard_en": "", "pdpa_notice_th": "",
                                 "pdpa_notice_en": ""})
    english(admin)
    assert "We receive your case and give you a tracking code at once." in admin.get("/").get_data(as_text=True)


def test_an_english_text_without_thai_is_refused(app, admin):
    response = post(admin, "/admin/texts", {"service_standard_en": "English only", "service_standard_th": "",
                                            "pdpa_notice_th": "", "pdpa_notice_en": ""})
    assert response.status_code == 422
    assert "Write the Thai text too" in response.get_data(as_text=True)
    assert organisation(app).service_standard_en == ""


def test_a_post_without_the_csrf_token_changes_nothing(app, admin):
    response = admin.post("/admin/settings", data={**GOOD, "name_th": "ชื่อปลอม"})
    assert response.status_code == 400
    assert organisation(app).name_th == "เทศบาลตำบลบ่อปลาทอง"


def test_every_form_control_has_a_label(admin):
    import re

    for url in ("/admin/settings", "/admin/texts", "/admin/divisions/new", "/admin/categories/new",
                "/admin/villages/new", "/admin/channels/new", "/admin/holidays", "/admin/users/new",
                "/admin/audit", "/admin/measures/new?fy=2568", "/admin/ita/edit?fy=2568"):
        html = admin.get(url).get_data(as_text=True)
        labelled = set(re.findall(r'<label for="([^"]+)"', html))
        for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
            if 'type="hidden"' in tag:
                continue
            control_id = re.search(r'\sid="([^"]+)"', tag)
            assert control_id and control_id.group(1) in labelled or 'aria-label="' in tag, f"{url}: {tag}"
