"""One Thai: the glossary's variants appear nowhere in the catalogue, Thai text takes no ASCII full stop or
comma, audit actions read as words, the executive's title is data, and numbers typed in Thai or full-width
digits are read as ASCII."""

import pathlib
import re

import pytest
from babel.messages.pofile import read_po

from eservice.domain import audit_labels, thai, tracking

from .web import csrf_token, submission_token

ROOT = pathlib.Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
CATALOGUE = ROOT / "eservice" / "translations" / "th" / "LC_MESSAGES" / "messages.po"
THAI_RUN_BEFORE_PUNCTUATION = re.compile(r"([\u0e00-\u0e7f]+)([.,])")


def _glossary_rows() -> list[list[str]]:
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 4 and not set(cells[0]) <= {"-"} and cells[0] != "concept":
            rows.append(cells)
    return rows


def _thai_strings() -> list[tuple[str, str]]:
    with open(CATALOGUE, "rb") as handle:
        catalog = read_po(handle, locale="th")
    found = []
    for message in catalog:
        if message.id and message.string:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            found.extend((str(message.id), s) for s in strings)
    return found


def forbidden_punctuation(text: str) -> list[str]:
    """ASCII commas after Thai, and full stops after a Thai run longer than an abbreviation (พ.ศ. ม.ค. น.)."""
    return [m.group(0) for m in THAI_RUN_BEFORE_PUNCTUATION.finditer(text)
            if m.group(2) == "," or len(m.group(1)) > 2]


def test_the_glossary_names_a_term_for_each_concept():
    rows = _glossary_rows()
    assert len(rows) >= 12
    concepts = {row[0].split(" (")[0] for row in rows}
    assert {"tracking code", "receipt key", "the integrity unit"} <= concepts
    terms = {row[0].split(" (")[0]: row[1] for row in rows}
    assert terms["tracking code"] == "รหัสติดตามเรื่อง" and terms["receipt key"] == "รหัสลับ"


def test_no_variant_from_the_glossary_is_in_the_catalogue():
    variants = [v.strip() for row in _glossary_rows() for v in row[3].split(";") if v.strip()]
    assert "เลขที่เรื่อง" in variants and "ผู้ร้อง" in variants
    found = [(variant, msgid) for msgid, text in _thai_strings() for variant in variants if variant in text]
    assert found == []


def test_citizens_and_staff_read_the_same_names_for_the_code_and_the_key():
    strings = dict(_thai_strings())
    assert strings["Tracking code"] == "รหัสติดตามเรื่อง"
    assert strings["Receipt key"] == "รหัสลับ"
    assert strings["Tracking code prefix"].endswith("รหัสติดตามเรื่อง")


def test_received_and_acknowledged_do_not_read_alike():
    from eservice.domain.statuses import Status

    strings = dict(_thai_strings())
    received, acknowledged = strings[str(Status.RECEIVED.label._args[0])], strings["Acknowledged"]
    assert received.startswith("รอ") and "แล้ว" in acknowledged


def test_thai_text_in_the_catalogue_takes_no_ascii_full_stop_or_comma():
    found = [(msgid, bad) for msgid, text in _thai_strings() for bad in forbidden_punctuation(text)]
    assert found == []


def test_the_punctuation_rule_keeps_abbreviations():
    assert forbidden_punctuation("ปีงบประมาณ พ.ศ. 2568 เวลา 09.32 น. วันที่ 5 ม.ค. 2568 ตาม พ.ร.บ.") == []
    assert forbidden_punctuation("ขอบคุณครับ.") == ["ขอบคุณครับ."]
    assert forbidden_punctuation("ที่อยู่, เวลา") == ["ที่อยู่,"]


@pytest.mark.parametrize("path", ["/", "/file/complaint", "/file/corruption", "/track", "/privacy"])
def test_public_pages_in_thai_take_no_ascii_full_stop_or_comma(client, path):
    html = client.get(path).get_data(as_text=True)
    text = re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", html, flags=re.S)
    assert forbidden_punctuation(text) == []


def test_the_receipt_page_in_thai_takes_no_ascii_full_stop_or_comma(client):
    html = client.get("/file/complaint").get_data(as_text=True)
    response = client.post("/file/complaint", data={
        "csrf_token": csrf_token(html), "submission_token": submission_token(html), "service_code": "road",
        "description": "ถนนเป็นหลุม", "consent": "y", "anonymous": "y"}, follow_redirects=True)
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    assert "ใบรับเรื่อง" in text or "รหัสลับ" in text
    assert forbidden_punctuation(text) == []


def test_the_letter_channel_names_the_executive_by_the_title_kept_as_data(client):
    html = client.get("/").get_data(as_text=True)
    assert "นายกเทศมนตรีตำบลบ่อปลาทอง" in html
    assert "นายกเทศมนตรีเทศบาลตำบล" not in html


def test_audit_actions_read_as_words():
    from flask_babel import force_locale

    from eservice import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    with app.test_request_context(), force_locale("th"):
        assert audit_labels.label("admin.category.update") == "แก้ไขหมวดหมู่เรื่อง"
        assert audit_labels.label("login.failed") == "กรอกรหัสผ่านผิด"
        assert re.search(r"[\u0e00-\u0e7f]", audit_labels.label("case.acknowledge"))
        assert audit_labels.label("admin.something.new_verb") == "admin.something.new_verb"
        every = ["case.file", "case.view", "case.denied", "login.success", "login.failed", "login.locked",
                 "user.create", "user.password_change", "admin.user.create", "admin.user.update",
                 "admin.user.password", "admin.division.create", "admin.village.update", "admin.channel.update",
                 "admin.holiday.create", "admin.holiday.delete", "admin.holiday.import", "admin.ita.update",
                 "admin.measure.copy", "admin.measure.move", "admin.measure.delete", "admin.measure.create",
                 "admin.organisation.update", "admin.organisation.logo", "admin.organisation.texts",
                 "canned.create", "canned.update", "canned.delete", "outbox.retry", "login.slowed", "logout",
                 "logout.everywhere", "integrity.request", "integrity.confirm", "integrity.decline"]
        for action in every:
            assert re.search(r"[\u0e00-\u0e7f]", audit_labels.label(action)), action


# --- numbers typed in Thai or full-width digits ----------------------------------------------------


def test_thai_and_full_width_digits_are_read_as_ascii():
    assert thai.ascii_digits("๐๘๑-๒๓๔-๕๖๗๘") == "081-234-5678"
    assert thai.ascii_digits("０８１２３４５６７８") == "0812345678"
    assert thai.normalise_phone("๐๘๑ ๒๓๔ ๕๖๗๘") == "0812345678"
    assert tracking.normalise_code("bpt-๒๕๖๘-๐๐๐๔๒") == "BPT-2568-00042"


def test_a_nine_digit_number_starting_06_is_refused():
    assert not thai.is_valid_phone("061234567")
    assert thai.is_valid_phone("0612345678")
    assert thai.is_valid_phone("044000000") and thai.is_valid_phone("021234567") and thai.is_valid_phone("071234567")


def test_times_read_the_thai_way():
    from datetime import UTC, datetime

    moment = datetime(2025, 1, 5, 2, 32, tzinfo=UTC)  # 09.32 in Bangkok
    assert thai.format_time(moment) == "09.32 น."
    assert thai.format_datetime(moment) == "5 ม.ค. 2568 09.32 น."
    assert thai.format_datetime(moment, "en") == "5 Jan 2025 09:32"


def test_an_id_and_phone_typed_in_thai_digits_are_stored_in_ascii(app, client):
    from sqlalchemy import select

    from eservice.extensions import db
    from eservice.models import Reporter

    html = client.get("/file/complaint").get_data(as_text=True)
    response = client.post("/file/complaint", data={
        "csrf_token": csrf_token(html), "submission_token": submission_token(html), "service_code": "road",
        "description": "ถนนเป็นหลุม", "consent": "y", "first_name": "สมชาย",
        "phone": "๐๘๑-๒๓๔-๕๖๗๘", "national_id": "๑๑๐๑๗๐๐๒๓๐๗๐๘"})
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    with app.app_context():
        reporter = db.session.scalar(select(Reporter))
        assert reporter.phone == "0812345678"
        assert reporter.national_id == "1101700230708"
