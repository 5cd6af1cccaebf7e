"""Open311 GeoReport v2: every method in both formats, filing through the intake schema, and every error
in the spec's format (issue 13)."""

import pytest
from sqlalchemy import select, text

from eservice.extensions import db
from eservice.models import AuditEntry, Case

from .open311_support import BASE, counts, errors, get, make_key, post_request, validate, xml

# --- discovery and services ------------------------------------------------------------------------


def test_discovery_in_both_formats(client):
    response = get(client, "discovery")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = xml(get(client, "discovery", "xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]


def test_services_list_general_categories_only(client):
    response = get(client, "services")
    body = response.get_json()
    validate(body, "services.json")
    codes = [s["service_code"] for s in body]
    assert "road" in codes and "budget_spending" in codes
    # Corruption and gift categories are never services.
    assert "bribery" not in codes and "gift" not in codes
    road = next(s for s in body if s["service_code"] == "road")
    assert road["service_name"] == "Damaged roads, footpaths or bridges"
    assert road["group"] == "Engineering Division" and road["type"] == "realtime" and road["metadata"] is True
    thai = get(client, "services", language="th").get_json()
    assert next(s for s in thai if s["service_code"] == "road")["service_name"] == "ถนน ทางเท้า สะพานชำรุด"
    root = xml(get(client, "services", "xml"))
    assert root.tag == "services" and {s.findtext("service_code") for s in root} == set(codes)
    assert root.find("service/metadata").text == "true"


def test_service_definition_in_both_formats(client):
    body = get(client, "services/road").get_json()
    validate(body, "service-definition.json")
    attributes = {a["code"]: a for a in body["attributes"]}
    assert attributes["case_type"]["required"] is True
    assert [v["key"] for v in attributes["case_type"]["values"]] == ["complaint", "suggestion", "inquiry"]
    assert attributes["village"]["required"] is False and attributes["village"]["values"][0]["key"] == "1"
    assert [a["order"] for a in body["attributes"]] == list(range(1, len(body["attributes"]) + 1))
    objection = {a["code"]: a for a in get(client, "services/budget_spending").get_json()["attributes"]}
    assert [v["key"] for v in objection["case_type"]["values"]] == ["inquiry", "objection"]
    assert "integrity" not in {v["key"] for v in objection["subject_division"]["values"]}
    root = xml(get(client, "services/road", "xml"))
    assert root.tag == "service_definition" and root.findtext("service_code") == "road"
    assert root.find("attributes/attribute/values/value/key").text == "complaint"


def test_an_integrity_category_is_as_unknown_as_a_code_that_does_not_exist(client):
    for code in ("bribery", "gift", "no_such_service"):
        response = get(client, f"services/{code}")
        assert response.status_code == 404
        assert errors(response) == [{"code": 404, "description":
                                     f"service_code: There is no service “{code}”; see GET services."}]


# --- POST requests ---------------------------------------------------------------------------------


def test_post_files_under_the_keys_channel_and_answers_only_id_and_notice(app, client):
    key = make_key(app, name="แอปเทศบาล", channel="line")
    response = post_request(client, key, first_name="สมชาย", last_name="ใจดี", phone="0812345678",
                            email="Somchai@Example.com", media_url="https://photos.example.org/a/1.jpg",
                            address_string="หน้าวัดบ่อปลาทอง", **{"attribute[village]": "3"})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert len(body) == 1 and set(body[0]) == {"service_request_id", "service_notice"}
    code = body[0]["service_request_id"]
    assert code.startswith("BPT-") and "Engineering Division will answer by" in body[0]["service_notice"]
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.tracking_code == code))
        assert case.channel_code == "line" and case.case_type == "complaint" and case.category.code == "road"
        assert case.api_key.name == "แอปเทศบาล" and case.media_url == "https://photos.example.org/a/1.jpg"
        assert case.village.number == 3 and case.lat == pytest.approx(14.6321)
        assert case.reporter.full_name == "สมชาย ใจดี" and case.reporter.email == "somchai@example.com"
        assert not case.confidential and case.division.code == "engineering"
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "open311.request.create"))
        assert entry.actor_name == "api-key:แอปเทศบาล" and entry.details["api_key"] == "แอปเทศบาล"
        assert entry.target_id == str(case.id) and entry.actor_id is None
        assert case.api_key.last_used_at is not None


def test_post_in_xml_and_an_anonymous_request(app, client):
    key = make_key(app)
    response = post_request(client, key, fmt="xml", language="th", lat=None, long=None,
                            address_string="ซอย 3 หมู่ 2", **{"attribute[case_type]": "suggestion"})
    root = xml(response)
    assert response.status_code == 200
    assert root.tag == "service_requests" and [c.tag for c in root.find("request")] == [
        "service_request_id", "service_notice"]
    assert root.findtext("request/service_notice").startswith("กองช่าง จะตอบภายในวันที่ ")
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.tracking_code == root.findtext("request/service_request_id")))
        assert case.anonymous and case.reporter is None and case.channel_code == "referral"
        assert case.case_type == "suggestion"


def test_a_category_with_one_general_type_needs_no_case_type(app, client):
    key = make_key(app)
    response = post_request(client, key, service_code="budget_spending", **{
        "attribute[case_type]": "objection", "attribute[subject_division]": "engineering"})
    assert response.status_code == 200, response.get_data(as_text=True)
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert case.case_type == "objection" and case.subject_division.code == "engineering"


@pytest.mark.parametrize("fields, status, expected", [
    ({"service_code": "no_such"}, 404, ["service_code: There is no service “no_such”; see GET services."]),
    ({"service_code": "bribery"}, 404, ["service_code: There is no service “bribery”; see GET services."]),
    ({"service_code": None}, 400, ["service_code: Choose a category."]),
    ({"lat": None, "long": None}, 400, ["lat: Give the place: lat and long, or address_string."]),
    ({"long": None}, 400, ["long: Send lat and long together."]),
    ({"lat": None}, 400, ["lat: Send lat and long together."]),
    ({"lat": "north"}, 400, ["lat: Give lat as a decimal number of degrees, e.g. 14.6321."]),
    ({"lat": "95"}, 400, ["lat: Latitude is between -90 and 90."]),
    ({"description": None}, 400, ["description: Describe the matter: what, where and when."]),
    ({"description": "ก" * 4001}, 400, ["description: The description is 4001 characters long; the limit is 4000. "
                                        "Shorten it, or attach a PDF with the details."]),
    ({"phone": "12345", "first_name": "สมชาย"}, 400, [
        "phone: Enter a Thai phone number: a mobile of 10 digits (06, 08, 09…) or a landline of 9 digits (02…07…)."]),
    ({"email": "not-an-address", "first_name": "สมชาย"}, 400, ["email: Enter an email address like name@example.com."]),
    ({"email": "a@example.org"}, 400, [
        "first_name: Give the first name with the other contact details, or send none of them."]),
    ({"media_url": "javascript:alert(1)"}, 400, ["media_url: Give a web address that starts with http:// or https://."]),
    ({"attribute[case_type]": None}, 400, ["attribute[case_type]: This attribute is required."]),
    ({"attribute[case_type]": "corruption"}, 400, [
        "attribute[case_type]: Choose one of the values the service lists."]),
    ({"attribute[village]": "99"}, 400, ["attribute[village]: Choose one of the values the service lists."]),
    ({"attribute[colour]": "red"}, 400, ["attribute[colour]: This service has no such attribute."]),
    ({"favourite": "x"}, 400, ["favourite: This parameter is not part of GeoReport v2."]),
    ({"jurisdiction_id": "korat.go.th"}, 404, [
        "jurisdiction_id: This endpoint serves only the jurisdiction borplathong.go.th."]),
])
def test_each_bad_field_gets_its_error_and_nothing_is_saved(app, client, fields, status, expected):
    key = make_key(app)
    before = counts(app)
    response = post_request(client, key, **fields)
    assert response.status_code == status
    assert [e["description"] for e in errors(response)] == expected
    assert counts(app) == before


def test_several_errors_at_once_in_both_formats_and_both_languages(app, client):
    key = make_key(app)
    fields = {"service_code": "bribery", "lat": "14.5", "long": None, "description": "", "phone": "1",
              "first_name": "ก"}
    english = errors(post_request(client, key, **fields))
    assert [e["code"] for e in english] == [404, 400, 400, 400]
    assert [e["description"].split(":")[0] for e in english] == ["service_code", "long", "description", "phone"]
    response = post_request(client, key, fmt="xml", language="th", **fields)
    assert response.status_code == 404
    root = xml(response)
    assert root.tag == "errors" and len(root) == 4
    descriptions = [e.findtext("description") for e in root]
    assert descriptions[2] == "description: กรุณาระบุรายละเอียดของเรื่อง ว่าเกิดอะไรขึ้น ที่ไหน และเมื่อใด"
    assert all(any("\u0e00" <= ch <= "\u0e7f" for ch in d) for d in descriptions)  # written in Thai


def test_keys_are_checked_before_anything_is_filed(app, client):
    reader = make_key(app, name="อ่านอย่างเดียว", can_write=False)
    before = counts(app)
    missing = post_request(client, None)
    assert missing.status_code == 403
    assert errors(missing)[0]["description"] == "api_key: Send your api_key: filing a request needs one."
    wrong = post_request(client, "not-a-key")
    assert wrong.status_code == 403
    assert errors(wrong)[0]["description"] == "api_key: This api_key is not valid, or it was revoked."
    read_only = post_request(client, reader)
    assert read_only.status_code == 403 and "may only read" in errors(read_only)[0]["description"]
    # The read-only key still reads.
    assert get(client, "requests", api_key=reader).status_code == 200
    assert counts(app) == before


def test_api_key_in_the_query_string_also_files(app, client):
    key = make_key(app)
    response = client.post(f"{BASE}/requests.json?api_key={key}", data={
        "service_code": "street_light", "attribute[case_type]": "complaint", "address_string": "หมู่ 4",
        "description": "ไฟดับ"})
    assert response.status_code == 200


def test_a_body_that_is_not_form_encoded_is_refused(app, client):
    key = make_key(app)
    before = counts(app)
    response = client.post(f"{BASE}/requests.json?api_key={key}", json={"service_code": "road", "lat": 14,
                                                                        "long": 102, "description": "x"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert errors(response)[0]["description"] == ("Send the request as application/x-www-form-urlencoded, as "
                                                   "GeoReport v2 asks.")
    multipart = client.post(f"{BASE}/requests.xml?api_key={key}", data={"service_code": "road"},
                            content_type="multipart/form-data")
    assert multipart.status_code == 400 and xml(multipart).tag == "errors"
    assert counts(app) == before


def test_a_50_mb_body_is_refused_unread_in_the_spec_format(app, client):
    key = make_key(app)
    before = counts(app)
    body = f"api_key={key}&service_code=road&description=" + "x" * (50 * 1024 * 1024)
    response = client.post(f"{BASE}/requests.json", data=body, headers={"Accept-Language": "en"},
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert errors(response) == [{"code": 413, "description":
                                 "The request is too large: a request is a short form of at most 128 KB."}]
    assert counts(app) == before


# --- addresses, formats, methods -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["services.html", "services.JSONP", "requests.csv", "discovery.txt",
                                  "services/road.yaml", "requests/BPT-2568-00001.php", "tokens/abc.pdf"])
def test_an_unknown_format_suffix_gets_an_error(client, path):
    response = client.get(f"{BASE}/{path}", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    root = xml(response)
    assert root.findtext("error/code") == "400"
    assert root.findtext("error/description").startswith("format: Unknown format")
    as_json = client.get(f"{BASE}/{path}", headers={"Accept": "application/json", "Accept-Language": "en"})
    assert errors(as_json)[0]["code"] == 400


def test_no_html_from_these_addresses(app, client):
    for method, path in [("PUT", "requests.json"), ("DELETE", "services.xml"), ("GET", "nowhere"),
                         ("GET", "services"), ("POST", "services.json"), ("PATCH", "requests/X.json")]:
        response = client.open(f"{BASE}/{path}", method=method)
        assert response.status_code in (404, 405), (method, path, response.status_code)
        assert response.content_type.startswith(("text/xml", "application/json"))
        assert b"<html" not in response.get_data().lower()
    not_allowed = client.put(f"{BASE}/requests.json")
    assert errors(not_allowed)[0]["code"] == 405 and "POST" in not_allowed.headers["Allow"]


def test_a_crash_answers_in_the_spec_format_too(make_app, fresh_databases):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    # The shared PostgreSQL schema loses a table: the next test must build it again.
    fresh_databases.schema_changed()
    with app.app_context():
        # A real failure: the keys' table is gone, so looking up a key fails in the database.
        dialect = db.engine.dialect.name
        db.session.execute(text("DROP TABLE api_key CASCADE" if dialect == "postgresql" else "DROP TABLE api_key"))
        db.session.commit()
    response = client.get(f"{BASE}/requests.xml?api_key=abc", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    root = xml(response)
    assert root.findtext("error/code") == "500" and "not saved" in root.findtext("error/description")


def test_tokens_answer_404_for_unknown_tokens_in_both_formats(client):
    response = get(client, "tokens/12345")
    assert response.status_code == 404
    assert errors(response) == [{"code": 404, "description": "token: No request has this token."}]
    assert xml(get(client, "tokens/12345", "xml")).findtext("error/code") == "404"


@pytest.mark.parametrize("path", ["discovery", "services", "services/road", "requests", "tokens/1"])
def test_jurisdiction_is_optional_checked_and_configurable(make_app, path):
    app = make_app()
    client = app.test_client()
    expected = 404 if path.startswith("tokens") else 200
    assert get(client, path).status_code == expected
    assert get(client, path, jurisdiction_id="borplathong.go.th").status_code == expected
    assert get(client, path, jurisdiction_id="www.BorPlaThong.go.th").status_code == expected
    assert get(client, path, jurisdiction_id="").status_code == expected  # empty is the same as absent
    wrong = get(client, path, jurisdiction_id="sfgov.org")
    assert wrong.status_code == 404 and errors(wrong)[0]["description"].startswith("jurisdiction_id:")
    configured = make_app(OPEN311_JURISDICTION_ID="bpt.example").test_client()
    assert get(configured, path, jurisdiction_id="bpt.example").status_code == expected
    assert get(configured, path, jurisdiction_id="borplathong.go.th").status_code == 404


def test_errors_follow_accept_language_and_default_to_thai(client):
    thai = errors(get(client, "services/nothing_here", language="th"))[0]["description"]
    assert thai.startswith("service_code: ") and any("\u0e00" <= ch <= "\u0e7f" for ch in thai)
    default = client.get(f"{BASE}/services/nothing_here.json")
    assert errors(default)[0]["description"] == thai
    english = errors(get(client, "services/nothing_here", language="en-GB,en;q=0.9"))[0]["description"]
    assert english == "service_code: There is no service “nothing_here”; see GET services."


def test_openapi_document_describes_every_method(client):
    response = client.get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    operations = {(path, method) for path, item in document["paths"].items() for method in item}
    assert operations == {
        ("/discovery.{format}", "get"), ("/services.{format}", "get"), ("/services/{service_code}.{format}", "get"),
        ("/requests.{format}", "get"), ("/requests.{format}", "post"),
        ("/requests/{service_request_id}.{format}", "get"), ("/tokens/{token}.{format}", "get"),
    }
