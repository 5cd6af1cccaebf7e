"""Officers record cases that came by phone, letter, walk-in...: the same intake schema as the public
form, plus the channel and the date received; the person gets a code and a receipt key."""

from datetime import date, timedelta

from sqlalchemy import func, select

from eservice.domain import clock
from eservice.domain.thai import bangkok_today, to_bangkok
from eservice.extensions import db
from eservice.models import Case

from .factories import audit_entries, load_case, make_user
from .web import csrf_token, extract, signed_in_client, submission_token


def _record(client, case_type="complaint", **fields):
    page = client.get(f"/staff/record/{case_type}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(html),
        "submission_token": submission_token(html),
        "channel": "phone",
        "received_on": (bangkok_today() - timedelta(days=1)).isoformat(),
        "service_code": {"corruption": "bribery"}.get(case_type, "street_light"),
        "description": "ชาวบ้านโทรมาแจ้งว่าไฟฟ้าส่องสว่างหน้าวัดดับ",
        "consent": "y",
        "anonymous": "y",
    }
    data.update(fields)
    return client.post(f"/staff/record/{case_type}", data={k: v for k, v in data.items() if v is not None})


def _officer(app, roles=("officer",), divisions=("engineering",)):
    return signed_in_client(app, make_user(app, "somchai", roles=roles, divisions=divisions))


def test_a_phone_case_is_recorded_with_its_channel_and_date(app, client):
    officer = _officer(app)
    yesterday = bangkok_today() - timedelta(days=1)
    response = _record(officer)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    html = response.get_data(as_text=True)
    code, key = extract(html, "tracking-code"), extract(html, "receipt-key")
    assert 'data-action="print"' in html and "Open the case" in html
    case = load_case(app, code)
    assert case.channel_code == "phone" and case.division.code == "engineering"
    assert to_bangkok(case.received_at).date() == yesterday
    with app.app_context():
        holidays = clock.holidays_from(db.session, yesterday)
    assert case.ack_due == clock.add_working_days(yesterday, 1, holidays)  # the clock runs from the day received
    filed = case.events[0]
    assert filed.kind == "filed" and filed.actor_kind == "staff" and filed.data == {"channel": "phone"}
    assert audit_entries(app, "case.file")[0].target_id == code
    # The person follows it up like anyone else.
    page = client.get("/track").get_data(as_text=True)
    client.post("/track", data={"csrf_token": csrf_token(page), "code": code, "key": key})
    assert client.get(f"/track/{code}").status_code == 200
    assert "ไฟฟ้าส่องสว่างหน้าวัดดับ" in client.get(f"/track/{code}").get_data(as_text=True)


def test_today_keeps_the_time_of_recording(app):
    officer = _officer(app)
    html = _record(officer, received_on=bangkok_today().isoformat()).get_data(as_text=True)
    case = load_case(app, extract(html, "tracking-code"))
    assert to_bangkok(case.received_at).date() == bangkok_today()


def test_identity_is_optional_but_kept_when_given(app):
    officer = _officer(app)
    html = _record(officer, anonymous=None, first_name="บุญมี", last_name="ดีใจ", phone="044 123 456").get_data(
        as_text=True)
    case = load_case(app, extract(html, "tracking-code"))
    assert case.anonymous is False and case.reporter.full_name == "บุญมี ดีใจ" and case.reporter.phone == "044123456"


def _errors(response):
    assert response.status_code == 422
    return response.get_data(as_text=True)


def test_bad_input_is_refused_field_by_field(app):
    officer = _officer(app)
    tomorrow = (bangkok_today() + timedelta(days=1)).isoformat()
    assert "cannot be in the future" in _errors(_record(officer, received_on=tomorrow))
    assert "more than a year ago" in _errors(_record(officer, received_on=(date.today() - timedelta(days=400))
                                                    .isoformat()))
    assert "Enter a date like 2025-01-31" in _errors(_record(officer, received_on="31/01/2568"))
    assert "Choose the channel from the list." in _errors(_record(officer, channel="web"))
    assert "Choose the channel from the list." in _errors(_record(officer, channel="pigeon"))
    assert "Choose the channel." in _errors(_record(officer, channel=""))
    assert "Enter a Thai phone number" in _errors(_record(officer, anonymous=None, first_name="ก", phone="12345"))
    assert "personal data notice" in _errors(_record(officer, consent=None))
    kept = _errors(_record(officer, channel="web", description="ข้อความที่พิมพ์ไว้"))
    assert "ข้อความที่พิมพ์ไว้" in kept  # what was typed stays
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_sending_the_form_twice_records_once(app):
    officer = _officer(app)
    page = officer.get("/staff/record/complaint").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "submission_token": submission_token(page), "channel": "letter",
            "received_on": bangkok_today().isoformat(), "service_code": "road", "description": "หนังสือร้องเรียน",
            "consent": "y", "anonymous": "y"}
    first = officer.post("/staff/record/complaint", data=data)
    second = officer.post("/staff/record/complaint", data=data)
    assert 'id="receipt-key"' in first.get_data(as_text=True)
    assert 'id="receipt-key"' not in second.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == 1


def test_an_officer_may_record_an_integrity_report_but_not_open_it(app):
    officer = _officer(app)
    html = _record(officer, "corruption", channel="letter").get_data(as_text=True)
    code = extract(html, "tracking-code")
    assert "Open the case" not in html
    assert load_case(app, code).division.is_integrity_unit
    assert officer.get(f"/staff/cases/{code}").status_code == 404


def test_executives_do_not_record(app):
    executive = signed_in_client(app, make_user(app, "boss", roles=("executive",)))
    assert executive.get("/staff/record").status_code == 403
    assert executive.get("/staff/record/complaint").status_code == 403


def test_unknown_case_type_is_404(app):
    assert _officer(app).get("/staff/record/party").status_code == 404


def test_the_staff_form_offers_no_web_channel(app):
    html = _officer(app).get("/staff/record/complaint").get_data(as_text=True)
    assert 'value="phone"' in html and 'value="referral"' in html and 'value="web"' not in html
