"""Open311 GET requests and requests/<id>: who sees what, the filters and the limits (issue 13)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from eservice.domain import case_actions, workflow
from eservice.domain.filing import add_citizen_information
from eservice.domain.open311.requests import MAX_RESULTS
from eservice.domain.statuses import Status
from eservice.extensions import db
from eservice.models import Case, Category

from .open311_support import errors, get, make_key, post_request, validate, xml

DETAILS = ("description", "address", "lat", "long", "media_url")


def _file_api(client, key, **fields):
    response = post_request(client, key, address_string="หน้าวัด", media_url="https://p.example.org/1.jpg",
                            **fields)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()[0]["service_request_id"]


def _case(app, code):
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.tracking_code == code))
        db.session.expunge_all()
        return case


@pytest.fixture
def partners(app, client):
    """Two partners' keys; a request filed by the first, one filed on the web form, a corruption report."""
    own, other = make_key(app, name="แอปเทศบาล"), make_key(app, name="ศูนย์ดำรงธรรม")
    return own, other


def test_without_a_key_only_what_the_code_alone_shows(app, client, file_case, partners):
    own, _ = partners
    api_code = _file_api(client, own)
    _, web_code, _ = file_case("complaint", data={"address_string": "บ้านเลขที่ 9", "lat": "14.1", "long": "102.1"})
    body = get(client, "requests").get_json()
    validate(body, "requests.json")
    by_id = {r["service_request_id"]: r for r in body}
    assert set(by_id) == {api_code, web_code}
    for entry in by_id.values():
        assert entry["status"] == "open" and entry["service_code"] == "road"
        assert entry["service_name"] == "Damaged roads, footpaths or bridges"
        assert entry["agency_responsible"] == "Engineering Division"
        assert entry["requested_datetime"].endswith("+07:00") and entry["expected_datetime"].endswith("T23:59:59+07:00")
        assert all(entry[name] is None for name in DETAILS)
    text = get(client, "requests").get_data(as_text=True)
    assert "หน้าวัด" not in text and "บ้านเลขที่ 9" not in text and "p.example.org" not in text


def test_the_key_that_filed_sees_its_own_details_and_no_other_key_does(app, client, file_case, partners):
    own, other = partners
    api_code = _file_api(client, own, **{"attribute[village]": "2"})
    _, web_code, _ = file_case("complaint", data={"address_string": "บ้านเลขที่ 9"})
    mine = {r["service_request_id"]: r for r in get(client, "requests", api_key=own).get_json()}
    assert mine[api_code]["description"] == "ถนนหน้าวัดเป็นหลุมลึก"
    assert mine[api_code]["address"] == "หน้าวัด, Moo 2" and mine[api_code]["lat"] == pytest.approx(14.6321)
    assert mine[api_code]["media_url"] == "https://p.example.org/1.jpg"
    assert all(mine[web_code][name] is None for name in DETAILS)  # not filed by this key
    theirs = {r["service_request_id"]: r for r in get(client, "requests", api_key=other).get_json()}
    assert all(theirs[api_code][name] is None for name in DETAILS)
    single = get(client, f"requests/{api_code}", api_key=own).get_json()
    validate(single, "requests.json")
    assert len(single) == 1 and single[0]["description"] == "ถนนหน้าวัดเป็นหลุมลึก"
    assert get(client, f"requests/{api_code}").get_json()[0]["description"] is None
    root = xml(get(client, f"requests/{api_code}", "xml", api_key=own))
    request = root.find("request")
    assert root.tag == "service_requests" and request.findtext("description") == "ถนนหน้าวัดเป็นหลุมลึก"
    assert [child.tag for child in request][:3] == ["service_request_id", "status", "status_notes"]
    anonymous = xml(get(client, f"requests/{api_code}", "xml")).find("request")
    assert anonymous.findtext("description") == "" and anonymous.findtext("lat") == ""


def test_corruption_and_gift_reports_never_appear(app, client, file_case, partners):
    own, _ = partners
    _, corruption, _ = file_case("corruption")
    _, gift, _ = file_case("gift")
    _file_api(client, own)
    for key in (None, own):
        params = {"api_key": key} if key else {}
        listed = {r["service_request_id"] for r in get(client, "requests", **params).get_json()}
        assert corruption not in listed and gift not in listed and len(listed) == 1
        by_id = get(client, "requests", service_request_id=f"{corruption},{gift}", **params).get_json()
        assert by_id == []
        for code in (corruption, gift):
            hidden = get(client, f"requests/{code}", **params)
            unknown = get(client, "requests/BPT-2999-99999", **params)
            assert hidden.status_code == unknown.status_code == 404
            assert hidden.get_data() == unknown.get_data()
            assert get(client, f"requests/{code}", "xml", **params).get_data() == get(
                client, "requests/BPT-2999-99999", "xml", **params).get_data()


def test_status_notes_are_the_offices_latest_public_reply(app, client, file_case, make_user):
    _, code, key = file_case("complaint")
    officer_id = make_user("somsri", roles=("officer",), divisions=("engineering",))
    with app.app_context():
        from eservice.models import User

        case = db.session.scalar(select(Case).where(Case.tracking_code == code))
        officer = db.session.get(User, officer_id)
        case_actions.public_reply(db.session, case, officer, text="รับเรื่องแล้ว จะส่งช่างไปตรวจ", confirmed=True)
        case_actions.internal_note(db.session, case, officer, text="ภายใน: ผู้ร้องเป็นญาติ ผอ.")
        # The citizen's own words are not the office's reply.
        add_citizen_information(db.session, case, "บ้านผมเลขที่ 12 โทร 0812345678", [])
        db.session.commit()
    entry = get(client, f"requests/{code}").get_json()[0]
    assert entry["status_notes"] == "รับเรื่องแล้ว จะส่งช่างไปตรวจ"
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.tracking_code == code))
        officer = db.session.get(User, officer_id)
        workflow.transition(db.session, case, "resolve", actor=officer, note="ซ่อมเสร็จแล้ว")
        db.session.commit()
        resolved_at = case.resolved_at
    entry = get(client, f"requests/{code}").get_json()[0]
    assert entry["status"] == "closed" and entry["status_notes"] == "ซ่อมเสร็จแล้ว"
    assert datetime.fromisoformat(entry["updated_datetime"]) == resolved_at.replace(microsecond=0)
    text = get(client, "requests").get_data(as_text=True)
    assert "ญาติ" not in text and "0812345678" not in text


def test_filters_status_service_code_and_ids(app, client, file_case, make_user):
    _, road, _ = file_case("complaint")
    _, light, _ = file_case("complaint", data={"service_code": "street_light"})
    officer_id = make_user("somsri", roles=("officer",), divisions=("engineering",))
    with app.app_context():
        from eservice.models import User

        case = db.session.scalar(select(Case).where(Case.tracking_code == light))
        workflow.transition(db.session, case, "resolve", actor=db.session.get(User, officer_id), note="เปลี่ยนหลอด")
        db.session.commit()

    def ids(**params):
        response = get(client, "requests", **params)
        assert response.status_code == 200, response.get_data(as_text=True)
        return {r["service_request_id"] for r in response.get_json()}

    assert ids() == {road, light}
    assert ids(status="open") == {road} and ids(status="closed") == {light}
    assert ids(status="open,closed") == {road, light}
    assert ids(service_code="street_light") == {light}
    assert ids(service_code="road,street_light", status="closed") == {light}
    assert ids(service_request_id=road) == {road}
    assert ids(service_request_id=f"{road}, {light.lower()}") == {road, light}
    # service_request_id overrides every other filter (a malformed one is still refused).
    assert ids(service_request_id=light, status="open", service_code="road", start_date="2025-03-01T00:00:00Z",
               end_date="2024-01-01T00:00:00Z") == {light}
    assert get(client, "requests", service_request_id=light, start_date="nonsense").status_code == 400
    assert xml(get(client, "requests", "xml", status="closed")).findtext("request/service_request_id") == light


def test_dates_window_and_their_errors(app, client, file_case):
    _, recent, _ = file_case("complaint")
    _, old, _ = file_case("complaint")
    long_ago = datetime.now(UTC) - timedelta(days=100)
    with app.app_context():
        db.session.execute(update(Case).where(Case.tracking_code == old).values(received_at=long_ago))
        db.session.commit()
    listed = {r["service_request_id"] for r in get(client, "requests").get_json()}
    assert listed == {recent}  # the default window is the last 90 days
    start = (long_ago - timedelta(days=1)).isoformat()
    end = (long_ago + timedelta(days=1)).isoformat()
    found = {r["service_request_id"] for r in get(client, "requests", start_date=start, end_date=end).get_json()}
    assert found == {old}
    only_start = {r["service_request_id"] for r in get(client, "requests", start_date=start).get_json()}
    assert only_start == {old}  # start_date alone: the 90 days from it
    zulu = (long_ago - timedelta(hours=1)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert {r["service_request_id"] for r in get(client, "requests", start_date=zulu).get_json()} == {old}

    def problems(**params):
        response = get(client, "requests", **params)
        assert response.status_code == 400
        return [e["description"] for e in errors(response)]

    assert problems(start_date=end, end_date=start) == ["end_date: The end_date is before the start_date."]
    far = (long_ago + timedelta(days=91)).isoformat()
    assert problems(start_date=start, end_date=far) == [
        "end_date: start_date and end_date may be at most 90 days apart."]
    assert problems(start_date="2025-01-01", status="pending", service_code="bribery") == [
        "service_code: There is no service “bribery”; see GET services.", "status: Use open or closed.",
        "start_date: Use the W3C format with a time zone, e.g. 2025-01-31T00:00:00+07:00."]
    assert problems(end_date="2025-13-01T00:00:00Z") == [
        "end_date: Use the W3C format with a time zone, e.g. 2025-01-31T00:00:00+07:00."]
    root = xml(get(client, "requests", "xml", start_date=end, end_date=start))
    assert root.tag == "errors" and root.findtext("error/code") == "400"


def test_at_most_the_first_1000_newest_first(app, client, file_case):
    _, first, _ = file_case("complaint")
    with app.app_context():
        template = db.session.scalar(select(Case).where(Case.tracking_code == first))
        road = db.session.scalar(select(Category).where(Category.code == "road"))
        now = datetime.now(UTC)
        for n in range(MAX_RESULTS):
            db.session.add(Case(
                tracking_code=f"BPT-2500-{n:05d}", fiscal_year=2500, number=n, receipt_key_hash="0" * 64,
                case_type="complaint", channel_code="web", category=road, division_id=template.division_id,
                description="ทดสอบ", received_at=now - timedelta(minutes=n + 1), ack_due=template.ack_due,
                resolve_due=template.resolve_due, status=Status.RECEIVED))
        db.session.commit()
    body = get(client, "requests").get_json()
    assert len(body) == MAX_RESULTS
    assert body[0]["service_request_id"] == first  # the newest
    assert "BPT-2500-00999" not in {r["service_request_id"] for r in body}  # the oldest is past the limit
