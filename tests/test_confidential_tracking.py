"""Confidential reports cannot be found without their key (issue 9): code-only tracking shows status and dates
only, is rate-limited like the POST, and corruption and gift reports number from their own series and read as
unknown codes without their key, on the web, in LINE and in Open311. (Both series under concurrent filing:
tests/test_concurrency.py.)"""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from eservice.domain import tracking
from eservice.extensions import db
from eservice.input_guard import has_unstorable
from eservice.models import Case, TrackingSequence

from .factories import new_case
from .line_support import user_id
from .open311_support import get
from .test_line_chat import english, file_complaint
from .web import csrf_token


def _status_page(app, code: str, lang: str = "en"):
    """GET /track?code= from a browser that holds no key."""
    stranger = app.test_client()
    stranger.get(f"/lang/{lang}")
    return stranger.get("/track", query_string={"code": code})


def _comparable(html: str, code: str) -> str:
    """The page with what differs between any two visits taken out: the code asked for, the form's tokens."""
    html = html.replace(code, "CODE")
    html = re.sub(r'(name="csrf_token" type="hidden" value=")[^"]*"', r'\1"', html)
    return re.sub(r'nonce="[^"]*"', 'nonce=""', html)


def test_code_alone_shows_status_and_dates_but_not_the_type(app, file_case):
    _, code, _ = file_case("complaint")
    html = _status_page(app, code).get_data(as_text=True)
    assert "status-received" in html and "Filed on" in html and "Answer due by" in html
    assert "Complaint" not in html and "<dt>Type</dt>" not in html
    thai = _status_page(app, code, "th").get_data(as_text=True)
    assert "ร้องเรียน/ร้องทุกข์" not in thai and "ประเภท</dt>" not in thai


def test_the_key_holder_still_sees_the_type(app, client, file_case):
    _, code, key = file_case("complaint")
    client.get("/lang/en")
    page = client.get("/track").get_data(as_text=True)
    client.post("/track", data={"csrf_token": csrf_token(page), "code": code, "key": key})
    assert "<dt>Type</dt>" in client.get(f"/track/{code}").get_data(as_text=True)


def test_integrity_reports_number_from_their_own_series(app, file_case):
    codes = [file_case(case_type)[1] for case_type in ("complaint", "corruption", "gift", "suggestion", "corruption")]
    fiscal_year = codes[0].split("-")[1]
    assert codes == [f"BPT-{fiscal_year}-00001", f"BPT-{fiscal_year}-T0001", f"BPT-{fiscal_year}-T0002",
                     f"BPT-{fiscal_year}-00002", f"BPT-{fiscal_year}-T0003"]
    with app.app_context():
        rows = dict(db.session.execute(select(TrackingSequence.series, TrackingSequence.last_number)).all())
    assert rows == {tracking.GENERAL_SERIES: 2, tracking.INTEGRITY_SERIES: 3}
    for code in codes:
        assert tracking.CODE_PATTERN.match(tracking.normalise_code(code.lower()))


def test_code_alone_for_an_integrity_report_reads_exactly_as_an_unknown_code(app, file_case):
    _, corruption, _ = file_case("corruption")
    _, gift, _ = file_case("gift")
    fiscal_year = corruption.split("-")[1]
    for lang in ("en", "th"):
        for unknown in (f"BPT-{fiscal_year}-T0099", f"BPT-{fiscal_year}-99999"):
            expected = _status_page(app, unknown, lang)
            for code in (corruption, gift):
                answer = _status_page(app, code, lang)
                assert answer.status_code == expected.status_code == 200
                assert _comparable(answer.get_data(as_text=True), code) == _comparable(
                    expected.get_data(as_text=True), unknown)
    assert "No case has the code" in _status_page(app, corruption).get_data(as_text=True)


def test_the_key_opens_an_integrity_report(app, client, file_case):
    _, code, key = file_case("corruption")
    reader = app.test_client()
    page = reader.get("/track").get_data(as_text=True)
    response = reader.post("/track", data={"csrf_token": csrf_token(page), "code": code.lower(), "key": key})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/track/{code}")
    assert reader.get(f"/track/{code}").status_code == 200


def test_code_only_tracking_is_rate_limited_with_the_post(make_app):
    app = make_app(RATELIMIT_ENABLED=True, TRACKING_RATE_LIMIT="3 per minute")
    code = new_case(app).code
    client = app.test_client()
    for _ in range(5):
        assert client.get("/track").status_code == 200  # the empty page costs nothing
    assert client.get("/track", query_string={"code": code}).status_code == 200
    assert client.get("/track", query_string={"code": "BPT-2568-99999"}).status_code == 200
    page = client.get("/track").get_data(as_text=True)
    assert client.post("/track", data={"csrf_token": csrf_token(page), "code": code, "key": "X"}).status_code == 422
    # One budget for both ways of looking a code up: the fourth is refused, whichever it is.
    assert client.get("/track", query_string={"code": code}).status_code == 429
    assert client.post("/track", data={"csrf_token": csrf_token(page), "code": code, "key": "X"}).status_code == 429


def test_line_tells_nothing_of_an_integrity_report_filed_elsewhere(line):
    corruption = new_case(line.app, case_type="corruption").code
    user = user_id(31)
    english(line, user)
    file_complaint(line, user)
    refused = line.text(user, corruption)
    unknown = line.text(user, corruption[:-4] + "9999")
    assert corruption not in refused["text"] and "No case with that code" in refused["text"]
    assert unknown["text"] == refused["text"]
    assert "Corruption" not in refused["text"]


def test_open311_answers_an_integrity_code_as_an_unknown_one(app, client, file_case):
    _, corruption, _ = file_case("corruption")
    unknown = corruption[:-4] + "9999"
    for fmt in ("json", "xml"):
        hidden, missing = get(client, f"requests/{corruption}", fmt), get(client, f"requests/{unknown}", fmt)
        assert hidden.status_code == missing.status_code == 404
        assert hidden.get_data() == missing.get_data()


# NUL and lone surrogates are refused in one place by another part of issue 9 (item 4); left out here.
CODE_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=200)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_code_asked_alone_answers_without_a_type_or_an_error(app, data):
    with app.app_context():
        codes = list(db.session.scalars(select(Case.tracking_code)))
    if not codes:
        codes = [new_case(app).code, new_case(app, case_type="corruption").code]
    real = data.draw(st.sampled_from(codes))
    text = data.draw(st.one_of(
        CODE_TEXT, st.just(real), st.just(real.lower()), st.builds(lambda pad: f"{pad}{real}{pad}", st.sampled_from(
            [" ", "  ", "\t"])), st.from_regex(r"\A[Bb][Pp][Tt]-25[67][0-9]-[Tt]?[0-9]{4,6}\Z")))
    response = app.test_client().get("/track", query_string={"code": text})
    if has_unstorable(text):  # refused before any lookup by the one input guard
        assert response.status_code == 400
        return
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<dt>Type</dt>" not in html and "ประเภท</dt>" not in html
    if "-T" in real and tracking.normalise_code(text) == real:
        assert "status-received" not in html  # an integrity report's code alone shows nothing
