"""Filing each case type end to end through the test client, with CSRF on and real tokens."""

import pytest
from sqlalchemy import func, select

from eservice.domain import tracking
from eservice.domain.tracking import hash_key
from eservice.models import Attachment, Case, CaseEvent, Reporter, TrackingSequence

from .factories import load_case
from .web import csrf_token, extract


@pytest.mark.parametrize(
    ("case_type", "division_code"),
    [
        ("complaint", "engineering"),
        ("suggestion", "engineering"),
        ("inquiry", "engineering"),
        ("objection", "finance"),
        ("corruption", "integrity"),
        ("gift", "integrity"),
    ],
)
def test_each_case_type_is_filed_and_routed(app, file_case, case_type, division_code):
    response, code, key = file_case(case_type)
    # Corruption and gift reports number from their own series (issue 9).
    first = "-T0001" if division_code == "integrity" else "-00001"
    assert code.startswith("BPT-25") and code.endswith(first)
    assert len(key.replace("-", "")) == 16
    case = load_case(app, code)
    with app.app_context():
        case = app.extensions["sqlalchemy"].session.get(Case, case.id)
        assert case.case_type == case_type
        assert case.division.code == division_code
        assert case.status == "received"
        assert case.channel_code == "web"
        assert case.confidential == (case_type in ("corruption", "gift"))
        assert [e.kind for e in case.events] == ["filed"]
        assert case.events[0].public is True


def test_receipt_shows_code_key_and_proof(file_case):
    response, code, key = file_case()
    html = response.get_data(as_text=True)
    assert 'id="tracking-code"' in html and 'id="receipt-key"' in html
    assert "ได้รับเรื่องของท่านแล้ว" in html or "We have received" in html
    assert "SHA-256" in html
    # The key is never cached anywhere on the way.
    assert response.headers["Cache-Control"] == "no-store"


def test_receipt_key_is_stored_only_as_hash(app, file_case):
    _, code, key = file_case()
    with app.app_context():
        session = app.extensions["sqlalchemy"].session
        case = session.scalar(select(Case).where(Case.tracking_code == code))
        assert case.receipt_key_hash == hash_key(key)
        assert len(case.receipt_key_hash) == 64
        # The key appears in no column of any table.
        for table in app.extensions["sqlalchemy"].metadata.sorted_tables:
            for row in session.execute(select(table)).all():
                assert key not in " ".join(str(v) for v in row)
                assert key.replace("-", "") not in " ".join(str(v) for v in row)


def test_objection_naming_a_division_goes_there(app, file_case):
    with app.app_context():
        from eservice.models import Division

        education = app.extensions["sqlalchemy"].session.scalar(select(Division).where(Division.code == "education"))
        education_id = education.id
    _, code, _ = file_case("objection", {"subject_division": str(education_id)})
    with app.app_context():
        case = app.extensions["sqlalchemy"].session.scalar(select(Case).where(Case.tracking_code == code))
        assert case.division.code == "education"


def test_corruption_report_naming_a_division_still_goes_to_integrity_unit(app, file_case):
    with app.app_context():
        from eservice.models import Division

        finance = app.extensions["sqlalchemy"].session.scalar(select(Division).where(Division.code == "finance"))
        finance_id = finance.id
    _, code, _ = file_case("corruption", {"subject_division": str(finance_id)})
    with app.app_context():
        case = app.extensions["sqlalchemy"].session.scalar(select(Case).where(Case.tracking_code == code))
        assert case.division.is_integrity_unit
        assert case.subject_division.code == "finance"


def _input_tag(html: str, element_id: str) -> str:
    import re

    match = re.search(rf'<input[^>]*id="{element_id}"[^>]*>', html)
    assert match, element_id
    return match.group(0)


def test_integrity_form_is_separate_and_anonymous_by_default(client):
    html = client.get("/file/corruption").get_data(as_text=True)
    assert " checked" in _input_tag(html, "anonymous")
    general = client.get("/file/complaint").get_data(as_text=True)
    assert " checked" not in _input_tag(general, "anonymous")
    # The general form offers no integrity category, the integrity form no general one.
    assert 'value="bribery"' not in general
    assert 'value="road"' not in html and 'value="bribery"' in html


def test_named_reporter_is_kept_apart(app, file_case):
    _, code, _ = file_case(
        data={
            "anonymous": None,
            "first_name": "สมชาย",
            "last_name": "ใจดี",
            "phone": "081-234-5678",
            "email": "Somchai@Example.com",
            "national_id": "1101700230708",
        }
    )
    with app.app_context():
        case = app.extensions["sqlalchemy"].session.scalar(select(Case).where(Case.tracking_code == code))
        assert case.anonymous is False
        assert case.reporter.full_name == "สมชาย ใจดี"
        assert case.reporter.phone == "0812345678"
        assert case.reporter.email == "somchai@example.com"
        assert case.reporter.national_id == "1101700230708"


def test_anonymous_filing_stores_no_identity_even_if_typed(app, file_case):
    _, code, _ = file_case(
        data={"anonymous": "y", "first_name": "สมชาย", "phone": "0812345678", "email": "a@example.com"},
        )
    with app.app_context():
        session = app.extensions["sqlalchemy"].session
        case = session.scalar(select(Case).where(Case.tracking_code == code))
        assert case.reporter is None
        assert session.scalar(select(func.count()).select_from(Reporter)) == 0
        # No IP address anywhere: not on the case, not on its events.
        for table in app.extensions["sqlalchemy"].metadata.sorted_tables:
            for row in session.execute(select(table)).all():
                text = " ".join(str(v) for v in row)
                assert "127.0.0.1" not in text
                assert "สมชาย" not in text and "0812345678" not in text


def test_sequence_counts_up_per_fiscal_year(app, file_case):
    codes = [file_case()[1] for _ in range(3)]
    numbers = [int(c.rsplit("-", 1)[1]) for c in codes]
    assert numbers == [1, 2, 3]
    assert len({c.split("-")[1] for c in codes}) == 1


def test_resubmitting_the_same_form_files_once(app, client):
    page = client.get("/file/complaint").get_data(as_text=True)
    from .web import submission_token

    form = {
        "csrf_token": csrf_token(page),
        "submission_token": submission_token(page),
        "service_code": "garbage",
        "description": "ขยะไม่ได้เก็บมาสองสัปดาห์",
        "consent": "y",
        "anonymous": "y",
    }
    first = client.post("/file/complaint", data=form)
    second = client.post("/file/complaint", data=form)
    # Both answers send the browser to the same receipt, with the same key: a double tap loses nothing.
    assert first.status_code == 303 and second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    receipt = client.get(second.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        session = app.extensions["sqlalchemy"].session
        assert session.scalar(select(func.count()).select_from(Case)) == 1
        case = session.scalar(select(Case))
        assert extract(receipt, "tracking-code") == case.tracking_code
        assert tracking.key_matches(extract(receipt, "receipt-key"), case.receipt_key_hash)


def test_filing_event_and_attachment_rows_commit_together(app, file_case, jpeg_bytes):
    from io import BytesIO

    _, code, _ = file_case(files=[(BytesIO(jpeg_bytes), "ถนน.jpg")])
    with app.app_context():
        session = app.extensions["sqlalchemy"].session
        case = session.scalar(select(Case).where(Case.tracking_code == code))
        assert len(case.attachments) == 1
        assert case.attachments[0].event_id == case.events[0].id
        assert session.scalar(select(func.count()).select_from(CaseEvent)) == 1
        assert session.scalar(select(func.count()).select_from(Attachment)) == 1
        assert session.scalar(select(TrackingSequence.last_number)) == 1
