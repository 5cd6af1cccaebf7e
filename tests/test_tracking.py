"""Tracking: the code alone shows status and dates only; code and key open the case."""

from datetime import UTC, datetime, timedelta
from io import BytesIO

from sqlalchemy import select

from eservice.domain import workflow
from eservice.models import Case

from .factories import MINIMAL_PDF, make_jpeg
from .web import csrf_token

SECRET_TEXT = "ถนนหน้าบ้านเป็นหลุมลึก"


def _open_case(client, code, key):
    html = client.get("/track").get_data(as_text=True)
    return client.post("/track", data={"csrf_token": csrf_token(html), "code": code, "key": key})


def _set_status(app, code, *actions):
    with app.app_context():
        session = app.extensions["sqlalchemy"].session
        case = session.scalar(select(Case).where(Case.tracking_code == code))
        for action in actions:
            workflow.transition(session, case, action, actor_kind="system", note=f"note for {action}")
        session.commit()


def test_code_alone_shows_status_and_dates_but_no_content_or_identity(client, file_case):
    _, code, _ = file_case(data={"anonymous": None, "first_name": "สมชาย", "phone": "0812345678"})
    client.cookie_jar.clear() if hasattr(client, "cookie_jar") else None
    other = client.application.test_client()
    html = other.get(f"/track?code={code}").get_data(as_text=True)
    assert code in html
    assert "status-received" in html
    assert SECRET_TEXT not in html
    assert "สมชาย" not in html and "0812345678" not in html
    assert "/files/" not in html


def test_unknown_code_says_so(client):
    client.get("/lang/en")
    html = client.get("/track?code=BPT-2568-99999").get_data(as_text=True)
    assert "No case has the code BPT-2568-99999" in html


def test_code_and_key_open_the_whole_case(client, file_case):
    _, code, key = file_case(files=[(BytesIO(make_jpeg()), "hole.jpg")])
    reader = client.application.test_client()
    response = _open_case(reader, code, key)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/track/{code}")
    # The key never travels in a URL.
    assert key not in response.headers["Location"]
    html = reader.get(f"/track/{code}").get_data(as_text=True)
    assert SECRET_TEXT in html
    assert "hole.jpg" in html


def test_key_is_accepted_as_people_type_it(client, file_case):
    _, code, key = file_case()
    reader = client.application.test_client()
    typed = key.replace("-", " ").lower().replace("0", "o")
    response = _open_case(reader, code.lower(), typed)
    assert response.status_code == 302


def test_wrong_key_and_unknown_code_get_the_same_message(client, file_case):
    _, code, key = file_case()
    reader = client.application.test_client()
    reader.get("/lang/en")
    wrong_key = _open_case(reader, code, "AAAA-AAAA-AAAA-AAAA")
    no_case = _open_case(reader, "BPT-2568-77777", key)
    assert wrong_key.status_code == no_case.status_code == 422
    message = "The tracking code and receipt key do not match"
    assert message in wrong_key.get_data(as_text=True) and message in no_case.get_data(as_text=True)
    # And the wrong key opens nothing.
    assert reader.get(f"/track/{code}").status_code == 302


def test_without_the_key_the_case_page_and_files_stay_closed(app, client, file_case):
    _, code, _ = file_case(files=[(BytesIO(make_jpeg()), "hole.jpg")])
    stranger = app.test_client()
    assert stranger.get(f"/track/{code}").status_code == 302
    with app.app_context():
        session = app.extensions["sqlalchemy"].session
        attachment_id = session.scalar(select(Case).where(Case.tracking_code == code)).attachments[0].id
    assert stranger.get(f"/track/{code}/files/{attachment_id}").status_code == 404


def test_key_holder_cannot_read_another_case_files(app, client, file_case):
    _, code_a, key_a = file_case(files=[(BytesIO(make_jpeg()), "a.jpg")])
    _, code_b, key_b = file_case(files=[(BytesIO(make_jpeg()), "b.jpg")])
    with app.app_context():
        session = app.extensions["sqlalchemy"].session
        b_file = session.scalar(select(Case).where(Case.tracking_code == code_b)).attachments[0].id
    reader = app.test_client()
    _open_case(reader, code_a, key_a)
    assert reader.get(f"/track/{code_a}/files/{b_file}").status_code == 404
    response = reader.get(f"/track/{code_b}/files/{b_file}")
    assert response.status_code == 404


def test_citizen_adds_information_and_files(app, client, file_case):
    _, code, key = file_case()
    reader = app.test_client()
    _open_case(reader, code, key)
    page = reader.get(f"/track/{code}").get_data(as_text=True)
    response = reader.post(
        f"/track/{code}/information",
        data={"csrf_token": csrf_token(page), "note": "หลุมใหญ่ขึ้นหลังฝนตก", "media": [(BytesIO(MINIMAL_PDF), "map.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        case = app.extensions["sqlalchemy"].session.scalar(select(Case).where(Case.tracking_code == code))
        assert case.events[-1].kind == "citizen_info" and case.events[-1].public
        assert [a.filename for a in case.events[-1].attachments] == ["map.pdf"]
    html = reader.get(f"/track/{code}").get_data(as_text=True)
    assert "หลุมใหญ่ขึ้นหลังฝนตก" in html and "map.pdf" in html


def test_empty_addition_is_refused(app, client, file_case):
    _, code, key = file_case()
    reader = app.test_client()
    reader.get("/lang/en")
    _open_case(reader, code, key)
    page = reader.get(f"/track/{code}").get_data(as_text=True)
    response = reader.post(f"/track/{code}/information", data={"csrf_token": csrf_token(page), "note": "  "})
    assert response.status_code == 422
    assert "Write something or attach a file" in response.get_data(as_text=True)


def test_answer_while_awaiting_citizen_restarts_the_clock(app, client, file_case):
    _, code, key = file_case()
    _set_status(app, code, "acknowledge", "request_info")
    reader = app.test_client()
    _open_case(reader, code, key)
    page = reader.get(f"/track/{code}").get_data(as_text=True)
    assert "status-awaiting_citizen" in page
    reader.post(f"/track/{code}/information", data={"csrf_token": csrf_token(page), "note": "บ้านเลขที่ 12"})
    with app.app_context():
        case = app.extensions["sqlalchemy"].session.scalar(select(Case).where(Case.tracking_code == code))
        assert case.status == "in_progress"
        assert case.paused_since is None
        assert case.events[-1].kind == "citizen_answer"


def test_rating_only_once_resolved(app, client, file_case):
    _, code, key = file_case()
    reader = app.test_client()
    reader.get("/lang/en")
    _open_case(reader, code, key)
    page = reader.get(f"/track/{code}").get_data(as_text=True)
    assert 'action="/track/' + code + '/rating"' not in page
    rating = {"csrf_token": csrf_token(page), "score": "5", "resolved": "yes"}
    refused = reader.post(f"/track/{code}/rating", data=rating)
    assert refused.status_code == 422
    _set_status(app, code, "acknowledge", "resolve")
    page = reader.get(f"/track/{code}").get_data(as_text=True)
    assert f'action="/track/{code}/rating"' in page
    bad = reader.post(f"/track/{code}/rating", data={"csrf_token": csrf_token(page), "score": "9", "resolved": "yes"})
    assert bad.status_code == 422 and "Not a valid choice" in bad.get_data(as_text=True)
    missing = reader.post(f"/track/{code}/rating", data={"csrf_token": csrf_token(page), "score": "4"})
    assert "Say whether the matter was resolved" in missing.get_data(as_text=True)
    ok = reader.post(
        f"/track/{code}/rating",
        data={"csrf_token": csrf_token(page), "score": "4", "resolved": "partly", "comment": "เร็วดี"},
    )
    assert ok.status_code == 302
    with app.app_context():
        case = app.extensions["sqlalchemy"].session.scalar(select(Case).where(Case.tracking_code == code))
        assert (case.rating.score, case.rating.resolved, case.rating.comment) == (4, "partly", "เร็วดี")
    again = reader.post(f"/track/{code}/rating", data={"csrf_token": csrf_token(page), "score": "1", "resolved": "no"})
    assert again.status_code == 422
    with app.app_context():
        case = app.extensions["sqlalchemy"].session.scalar(select(Case).where(Case.tracking_code == code))
        assert case.rating.score == 4


def test_reopen_within_the_period_and_not_after(app, client, file_case):
    _, code, key = file_case()
    _set_status(app, code, "acknowledge", "resolve")
    reader = app.test_client()
    reader.get("/lang/en")
    _open_case(reader, code, key)
    page = reader.get(f"/track/{code}").get_data(as_text=True)
    empty = reader.post(f"/track/{code}/reopen", data={"csrf_token": csrf_token(page), "reason": ""})
    assert empty.status_code == 422 and "Say why the case should be reopened" in empty.get_data(as_text=True)
    ok = reader.post(f"/track/{code}/reopen", data={"csrf_token": csrf_token(page), "reason": "ยังเป็นหลุมอยู่"})
    assert ok.status_code == 302
    with app.app_context():
        case = app.extensions["sqlalchemy"].session.scalar(select(Case).where(Case.tracking_code == code))
        assert case.status == "in_progress" and case.reopen_count == 1
        assert case.events[-1].kind == "reopen" and case.events[-1].note == "ยังเป็นหลุมอยู่"
    # Resolved again, but long ago: the period is over.
    _set_status(app, code, "resolve")
    with app.app_context():
        session = app.extensions["sqlalchemy"].session
        case = session.scalar(select(Case).where(Case.tracking_code == code))
        case.resolved_at = datetime.now(UTC) - timedelta(days=app.config["REOPEN_WITHIN_DAYS"] + 1)
        session.commit()
    page = reader.get(f"/track/{code}").get_data(as_text=True)
    assert f'action="/track/{code}/reopen"' not in page
    late = reader.post(f"/track/{code}/reopen", data={"csrf_token": csrf_token(page), "reason": "อีกครั้ง"})
    assert late.status_code == 422
    assert "can no longer be reopened online" in late.get_data(as_text=True)


def test_public_timeline_hides_internal_events(app, client, file_case):
    _, code, key = file_case()
    with app.app_context():
        session = app.extensions["sqlalchemy"].session
        case = session.scalar(select(Case).where(Case.tracking_code == code))
        workflow.record_event(case, "internal_note", actor_kind="system", note="ลับเฉพาะเจ้าหน้าที่", public=False)
        workflow.record_event(case, "public_reply", actor_kind="system", note="จะซ่อมภายในสัปดาห์นี้", public=True)
        session.commit()
    reader = app.test_client()
    _open_case(reader, code, key)
    html = reader.get(f"/track/{code}").get_data(as_text=True)
    assert "จะซ่อมภายในสัปดาห์นี้" in html
    assert "ลับเฉพาะเจ้าหน้าที่" not in html


def test_forget_closes_the_case_on_this_device(app, client, file_case):
    _, code, key = file_case()
    reader = app.test_client()
    _open_case(reader, code, key)
    page = reader.get(f"/track/{code}").get_data(as_text=True)
    reader.post("/track/forget", data={"csrf_token": csrf_token(page)})
    assert reader.get(f"/track/{code}").status_code == 302
