"""Every case action through the staff pages: done when valid, refused with a message (and nothing
changed) when not; what the citizen then sees; two officers at once; files."""

from io import BytesIO

import pytest
from sqlalchemy import func, select

from eservice.extensions import db
from eservice.models import Case, CaseEvent, Division, User

from .factories import audit_entries, load_case, make_user, seed_case
from .web import act, csrf_token, signed_in_client, version_of


@pytest.fixture
def staff(app):
    """Signed-in English clients: two engineering officers, their head, a health officer, integrity."""
    people = {
        "somchai": (("officer",), ("engineering",)),
        "malee": (("officer",), ("engineering",)),
        "head": (("head", "officer"), ("engineering",)),
        "health": (("officer",), ("health",)),
        "pim": (("integrity",), ("integrity",)),
        "boss": (("executive",), ()),
    }
    return {
        name: signed_in_client(app, make_user(app, name, roles=roles, divisions=divisions, display_name=name.title()))
        for name, (roles, divisions) in people.items()
    }


def _state(app, code):
    case = load_case(app, code)
    return case.status, case.version, len(case.events)


def _track(client, code, key):
    page = client.get("/track").get_data(as_text=True)
    client.post("/track", data={"csrf_token": csrf_token(page), "code": code, "key": key})
    return client.get(f"/track/{code}").get_data(as_text=True)


def _user_id(app, name):
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == name))


# --- the life cycle -----------------------------------------------------------------------------------


def test_acknowledge_start_resolve_close(app, staff, file_case, client):
    _, code, key = file_case()
    officer = staff["somchai"]
    act(officer, code, "acknowledge", note="รับเรื่องไว้แล้ว", expect=302)
    assert load_case(app, code).status == "acknowledged"
    act(officer, code, "start", expect=302)
    act(officer, code, "resolve", note="ซ่อมถนนเรียบร้อย", expect=302)
    case = load_case(app, code)
    assert case.status == "resolved" and case.resolved_at is not None
    assert [e.kind for e in case.events] == ["filed", "acknowledge", "start", "resolve"]
    assert all(e.actor_kind == "staff" for e in case.events[1:])
    act(officer, code, "close", expect=302)
    assert load_case(app, code).status == "closed"
    # The citizen sees the status events and the notes meant for them.
    page = _track(client, code, key)
    assert "รับเรื่องไว้แล้ว" in page and "ซ่อมถนนเรียบร้อย" in page
    assert [e.details["to"] for e in audit_entries(app, "case.resolve")] == ["resolved"]


def test_an_impossible_transition_is_refused_and_changes_nothing(app, staff):
    code = seed_case(app)
    act(staff["somchai"], code, "acknowledge", expect=302)
    before = _state(app, code)
    response = act(staff["somchai"], code, "acknowledge", expect=422)
    assert "that action is not possible now" in response.get_data(as_text=True)
    assert _state(app, code) == before
    # A finished case cannot be closed twice nor resolved again.
    act(staff["somchai"], code, "resolve", note="เสร็จ", expect=302)
    assert act(staff["somchai"], code, "resolve", note="อีกครั้ง", version=str(load_case(app, code).version),
               expect=422)


@pytest.mark.parametrize(
    ("action", "fields", "message"),
    [
        ("resolve", {"note": "  "}, "Write a resolution summary"),
        ("request_info", {"note": ""}, "Write what you need to know from the citizen."),
        ("reject", {"note": ""}, "Say why the case is not accepted."),
        ("reply", {"note": "", "confirm": "y"}, "Write the reply."),
        ("note", {"note": ""}, "Write the note."),
        ("transfer", {"division": "", "reason": "ไม่ใช่งานกองช่าง"}, "Choose the division to transfer to."),
        ("mark_duplicate", {"original_code": ""}, "Enter the tracking code of the original case."),
        ("priority", {"priority": "sky-high"}, "Choose a priority from the list."),
    ],
)
def test_required_notes_and_choices(app, staff, action, fields, message):
    code = seed_case(app)
    before = _state(app, code)
    response = act(staff["somchai"], code, action, expect=422, **fields)
    html = response.get_data(as_text=True)
    assert message in html
    assert 'id="error-summary"' in html
    assert _state(app, code) == before


def test_request_information_pauses_until_the_citizen_answers(app, staff, file_case, client):
    _, code, key = file_case()
    act(staff["somchai"], code, "request_info", note="ขอทราบบ้านเลขที่ใกล้เคียง", expect=302)
    case = load_case(app, code)
    assert case.status == "awaiting_citizen" and case.paused_since is not None
    page = _track(client, code, key)
    assert "ขอทราบบ้านเลขที่ใกล้เคียง" in page
    html = client.get(f"/track/{code}").get_data(as_text=True)
    client.post(f"/track/{code}/information", data={"csrf_token": csrf_token(html), "note": "บ้านเลขที่ 45"})
    case = load_case(app, code)
    assert case.status == "in_progress" and case.paused_since is None
    queue = staff["somchai"].get(f"/staff/cases/{code}").get_data(as_text=True)
    assert "The citizen answered" in queue and "บ้านเลขที่ 45" in queue


def test_staff_can_resume_without_an_answer(app, staff):
    code = seed_case(app)
    act(staff["somchai"], code, "request_info", note="?", expect=302)
    act(staff["somchai"], code, "resume", expect=302)
    assert load_case(app, code).status == "in_progress"


def test_reject_with_a_referral(app, staff, file_case, client):
    _, code, key = file_case()
    act(staff["somchai"], code, "reject", note="เป็นอำนาจหน้าที่ของการไฟฟ้า", referred_to="การไฟฟ้าส่วนภูมิภาคอำเภอปรางค์กู่",
        expect=302)
    case = load_case(app, code)
    assert case.status == "rejected"
    assert case.events[-1].data == {"referred_to": "การไฟฟ้าส่วนภูมิภาคอำเภอปรางค์กู่"}
    page = _track(client, code, key)
    assert "เป็นอำนาจหน้าที่ของการไฟฟ้า" in page and "การไฟฟ้าส่วนภูมิภาคอำเภอปรางค์กู่" in page


def test_reopen_needs_a_reason_and_restarts_the_resolve_date(app, staff):
    code = seed_case(app)
    act(staff["somchai"], code, "resolve", note="เสร็จแล้ว", expect=302)
    assert act(staff["somchai"], code, "reopen", note="", expect=422)
    act(staff["somchai"], code, "reopen", note="ชาวบ้านแจ้งว่ายังไม่เรียบร้อย", expect=302)
    case = load_case(app, code)
    assert case.status == "in_progress" and case.reopen_count == 1 and case.resolved_at is None


# --- replies and notes ----------------------------------------------------------------------------------


def test_public_reply_needs_confirmation_and_reaches_the_citizen(app, staff, file_case, client):
    _, code, key = file_case()
    before = _state(app, code)
    response = act(staff["somchai"], code, "reply", note="จะออกตรวจพรุ่งนี้", expect=422)
    assert "Tick the box to confirm" in response.get_data(as_text=True)
    assert "จะออกตรวจพรุ่งนี้" in response.get_data(as_text=True)  # what was typed is kept
    assert _state(app, code) == before
    act(staff["somchai"], code, "reply", note="จะออกตรวจพรุ่งนี้", confirm="y", expect=302)
    event = load_case(app, code).events[-1]
    assert event.kind == "public_reply" and event.public
    assert "จะออกตรวจพรุ่งนี้" in _track(client, code, key)


def test_internal_note_never_reaches_the_citizen(app, staff, file_case, client):
    _, code, key = file_case()
    act(staff["somchai"], code, "note", note="ผู้ร้องเคยร้องเรื่องเดียวกันเมื่อปีที่แล้ว", expect=302)
    event = load_case(app, code).events[-1]
    assert event.kind == "internal_note" and not event.public
    assert "ผู้ร้องเคยร้องเรื่องเดียวกัน" not in _track(client, code, key)
    staff_page = staff["somchai"].get(f"/staff/cases/{code}").get_data(as_text=True)
    assert "ผู้ร้องเคยร้องเรื่องเดียวกัน" in staff_page and "is-internal" in staff_page


def test_no_public_reply_on_a_closed_case(app, staff):
    code = seed_case(app)
    act(staff["somchai"], code, "resolve", note="เสร็จ", expect=302)
    act(staff["somchai"], code, "close", expect=302)
    html = staff["somchai"].get(f"/staff/cases/{code}").get_data(as_text=True)
    assert 'id="reply-note"' not in html  # not offered
    page = staff["somchai"].get(f"/staff/cases/{code}").get_data(as_text=True)
    response = staff["somchai"].post(f"/staff/cases/{code}/reply", data={
        "csrf_token": csrf_token(page), "reply-version": version_of(page, "note"), "reply-note": "ยังอยู่ไหม",
        "reply-confirm": "y"})
    assert response.status_code == 422
    assert "reopen it before replying" in response.get_data(as_text=True)


# --- who handles it ---------------------------------------------------------------------------------------


def test_officers_take_cases_heads_assign_them(app, staff):
    code = seed_case(app)
    somchai, malee = _user_id(app, "somchai"), _user_id(app, "malee")
    act(staff["somchai"], code, "assign", assignee=str(somchai), expect=302)
    assert load_case(app, code).assigned_to_id == somchai
    refused = act(staff["somchai"], code, "assign", assignee=str(malee), expect=422)
    assert "Only the head of the division assigns cases to others." in refused.get_data(as_text=True)
    assert load_case(app, code).assigned_to_id == somchai
    act(staff["head"], code, "assign", assignee=str(malee), expect=302)
    case = load_case(app, code)
    assert case.assigned_to_id == malee
    assert case.events[-1].data == {"from": somchai, "to": malee}
    assert not case.events[-1].public


def test_assigning_outside_the_division_is_refused(app, staff):
    code = seed_case(app)
    before = _state(app, code)
    response = act(staff["head"], code, "assign", assignee=str(_user_id(app, "health")), expect=422)
    assert "is not an officer of this case" in response.get_data(as_text=True)
    act(staff["head"], code, "assign", assignee="99999", expect=422)
    assert _state(app, code) == before


def test_transfer_reaches_the_other_division_at_once(app, staff):
    code = seed_case(app)
    health_id = None
    with app.app_context():
        health_id = db.session.scalar(select(Division.id).where(Division.code == "health"))
        engineering_id = db.session.scalar(select(Division.id).where(Division.code == "engineering"))
        integrity_id = db.session.scalar(select(Division.id).where(Division.code == "integrity"))
    assert staff["health"].get(f"/staff/cases/{code}").status_code == 404
    for division, message in ((engineering_id, "already with this division"),
                              (integrity_id, "cannot be transferred to this division")):
        response = act(staff["somchai"], code, "transfer", division=str(division), reason="ผิดกอง", expect=422)
        assert message in response.get_data(as_text=True)
    assert act(staff["somchai"], code, "transfer", division=str(health_id), reason="", expect=422)
    act(staff["somchai"], code, "assign", assignee=str(_user_id(app, "somchai")), expect=302)
    act(staff["somchai"], code, "transfer", division=str(health_id), reason="เป็นเรื่องขยะ ไม่ใช่ถนน", expect=302)
    case = load_case(app, code)
    assert case.division.code == "health" and case.assigned_to_id is None
    assert case.events[-1].data["reason"] == "เป็นเรื่องขยะ ไม่ใช่ถนน"
    assert code in staff["health"].get("/staff/").get_data(as_text=True)
    assert staff["health"].get(f"/staff/cases/{code}").status_code == 200
    assert staff["somchai"].get(f"/staff/cases/{code}").status_code == 404


def test_integrity_reports_cannot_be_transferred(app, staff):
    code = seed_case(app, case_type="corruption", category="bribery")
    html = staff["pim"].get(f"/staff/cases/{code}").get_data(as_text=True)
    assert 'id="transfer-division"' not in html
    with app.app_context():
        health_id = db.session.scalar(select(Division.id).where(Division.code == "health"))
    response = act(staff["pim"], code, "transfer", version=version_of(html, "note"), division=str(health_id),
                   reason="x", expect=422)
    assert "stay with the integrity unit" in response.get_data(as_text=True)
    assert load_case(app, code).division.code == "integrity"


def test_priority(app, staff):
    code = seed_case(app)
    act(staff["somchai"], code, "priority", priority="urgent", expect=302)
    case = load_case(app, code)
    assert case.priority == "urgent" and case.events[-1].data == {"from": "normal", "to": "urgent"}
    assert act(staff["somchai"], code, "priority", priority="urgent", expect=422)


# --- duplicates ---------------------------------------------------------------------------------------------


def test_mark_duplicate_links_the_citizen_and_counts_on_the_original(app, staff, file_case, client):
    original = seed_case(app, description="ถนนหน้าวัดเป็นหลุม")
    _, code, key = file_case()
    act(staff["somchai"], code, "mark_duplicate", original_code=original.lower(), note="เรื่องเดียวกัน", expect=302)
    case = load_case(app, code)
    assert case.status == "duplicate" and case.duplicate_of.tracking_code == original
    page = _track(client, code, key)
    assert original in page  # the citizen sees the link to the original
    original_page = staff["somchai"].get(f"/staff/cases/{original}").get_data(as_text=True)
    assert "1 more report of the same matter" in original_page and code in original_page
    assert load_case(app, original).events[-1].kind == "duplicate_added"


def test_mark_duplicate_refusals(app, staff):
    code = seed_case(app)
    other_division = seed_case(app, category="garbage")
    report = seed_case(app, case_type="corruption", category="bribery")
    for original, message in (
        ("BPT-2500-99999", "No case with the code"),
        (other_division, "No case with the code"),  # exists, but not visible: same answer
        (report, "No case with the code"),
        (code, "cannot be a duplicate of itself"),
    ):
        response = act(staff["somchai"], code, "mark_duplicate", original_code=original, expect=422)
        assert message in response.get_data(as_text=True), original
    root = seed_case(app)
    middle = seed_case(app)
    act(staff["somchai"], middle, "mark_duplicate", original_code=root, expect=302)
    response = act(staff["somchai"], code, "mark_duplicate", original_code=middle, expect=422)
    assert f"use {root}" in response.get_data(as_text=True)
    assert load_case(app, code).status == "received"


# --- sealed identity ---------------------------------------------------------------------------------------


def test_reveal_needs_a_reason_and_is_recorded(app, staff):
    code = seed_case(app, case_type="corruption", category="bribery", anonymous=False, first_name="สมศรี",
                     phone="0812345678")
    html = staff["pim"].get(f"/staff/cases/{code}").get_data(as_text=True)
    assert "สมศรี" not in html and "0812345678" not in html and "Sealed." in html
    assert act(staff["pim"], code, "reveal", reason="", expect=422)
    assert "สมศรี" not in staff["pim"].get(f"/staff/cases/{code}").get_data(as_text=True)
    act(staff["pim"], code, "reveal", reason="ต้องเชิญผู้แจ้งมาให้ถ้อยคำ", expect=302)
    html = staff["pim"].get(f"/staff/cases/{code}").get_data(as_text=True)
    assert "สมศรี" in html and "0812345678" in html
    assert 'id="reveal-reason"' not in html  # once is enough
    entry = audit_entries(app, "case.reveal_identity")[0]
    assert entry.note == "ต้องเชิญผู้แจ้งมาให้ถ้อยคำ" and entry.actor_name == "pim"
    assert load_case(app, code).events[-1].kind != "reveal_identity"  # views came after it
    assert any(e.kind == "reveal_identity" and not e.public for e in load_case(app, code).events)


def test_general_case_identity_is_for_the_handlers_not_the_executive(app, staff):
    code = seed_case(app, anonymous=False, first_name="สมหมาย", phone="0899999999")
    assert "0899999999" in staff["somchai"].get(f"/staff/cases/{code}").get_data(as_text=True)
    executive_view = staff["boss"].get(f"/staff/cases/{code}")
    assert executive_view.status_code == 200
    html = executive_view.get_data(as_text=True)
    assert "0899999999" not in html and "สมหมาย" not in html
    assert "You can read this case but not act on it." in html
    assert 'id="acknowledge-version"' not in html


def test_executive_cannot_act(app, staff):
    code = seed_case(app)
    page = staff["boss"].get(f"/staff/cases/{code}").get_data(as_text=True)
    response = staff["boss"].post(f"/staff/cases/{code}/acknowledge",
                                  data={"csrf_token": csrf_token(page), "acknowledge-version": "1"})
    assert response.status_code == 403
    assert load_case(app, code).status == "received"


# --- confidential views -----------------------------------------------------------------------------------


def test_every_view_of_an_integrity_report_is_recorded_and_does_not_stale_forms(app, staff):
    code = seed_case(app, case_type="gift", category="gift")
    first = staff["pim"].get(f"/staff/cases/{code}").get_data(as_text=True)
    version = version_of(first, "acknowledge")
    staff["pim"].get(f"/staff/cases/{code}")
    case = load_case(app, code)
    assert [e.kind for e in case.events].count("view") == 2
    assert len(audit_entries(app, "case.view")) == 2
    assert str(case.version) == version  # looking changed nothing a colleague's form depends on
    act(staff["pim"], code, "acknowledge", version=version, expect=302)


def test_general_case_views_are_not_events(app, staff):
    code = seed_case(app)
    staff["somchai"].get(f"/staff/cases/{code}")
    assert [e.kind for e in load_case(app, code).events] == ["filed"]


# --- outside one's divisions ------------------------------------------------------------------------------


def test_other_divisions_cases_are_404_and_audited(app, staff):
    code = seed_case(app)
    report = seed_case(app, case_type="corruption", category="bribery", subject_division="engineering")
    for who, target in (("health", code), ("somchai", report), ("head", report), ("health", "BPT-2500-00001")):
        assert staff[who].get(f"/staff/cases/{target}").status_code == 404
    page = staff["health"].get("/staff/").get_data(as_text=True)
    response = staff["health"].post(f"/staff/cases/{code}/acknowledge",
                                    data={"csrf_token": csrf_token(page), "acknowledge-version": "1"})
    assert response.status_code == 404
    assert load_case(app, code).status == "received"
    denied = audit_entries(app, "case.denied")
    assert [(d.actor_name, d.target_id) for d in denied] == [
        ("health", code), ("somchai", report), ("head", report), ("health", "BPT-2500-00001"), ("health", code)]
    assert denied[-1].details == {"what": "acknowledge"}


# --- two officers at once ---------------------------------------------------------------------------------


def test_the_second_of_two_officers_is_told_and_wins_nothing_silently(app, staff):
    code = seed_case(app)
    page_a = staff["somchai"].get(f"/staff/cases/{code}").get_data(as_text=True)
    page_b = staff["malee"].get(f"/staff/cases/{code}").get_data(as_text=True)
    # A assigns the case to herself; B, from the page she opened before, tries to take it too.
    somchai, malee = _user_id(app, "somchai"), _user_id(app, "malee")
    first = staff["somchai"].post(f"/staff/cases/{code}/assign", data={
        "csrf_token": csrf_token(page_a), "assign-version": version_of(page_a, "assign"), "assign-assignee": somchai})
    assert first.status_code == 302
    second = staff["malee"].post(f"/staff/cases/{code}/assign", data={
        "csrf_token": csrf_token(page_b), "assign-version": version_of(page_b, "assign"), "assign-assignee": malee})
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert "Someone else changed this case while you had it open." in html
    assert load_case(app, code).assigned_to_id == somchai
    # A stale note is refused the same way, but what she typed is kept and the form is now current.
    stale_note = staff["malee"].post(f"/staff/cases/{code}/note", data={
        "csrf_token": csrf_token(page_b), "note-version": version_of(page_b, "note"), "note-note": "ฉันจะไปดูเอง"})
    assert stale_note.status_code == 409
    retry_page = stale_note.get_data(as_text=True)
    assert "ฉันจะไปดูเอง" in retry_page
    assert version_of(retry_page, "note") == str(load_case(app, code).version)
    assert [e.kind for e in load_case(app, code).events].count("internal_note") == 0
    again = staff["malee"].post(f"/staff/cases/{code}/note", data={
        "csrf_token": csrf_token(retry_page), "note-version": version_of(retry_page, "note"),
        "note-note": "ฉันจะไปดูเอง"})
    assert again.status_code == 302


def test_version_counter_catches_a_change_between_reading_and_writing(app):
    """Two sessions: the one that read first and writes last gets StaleDataError, not a silent overwrite."""
    from sqlalchemy.orm import Session
    from sqlalchemy.orm.exc import StaleDataError

    from eservice.domain import case_actions

    code = seed_case(app)
    make_user(app, "somchai", divisions=("engineering",))
    with app.app_context():
        engine = db.engine
        with Session(engine, expire_on_commit=False) as first, Session(engine) as second:
            case_a = first.scalar(select(Case).where(Case.tracking_code == code))
            user_a = first.scalar(select(User).where(User.username == "somchai"))
            first.commit()  # end the read; the object keeps the version it read
            case_b = second.scalar(select(Case).where(Case.tracking_code == code))
            case_b.priority = "high"
            second.commit()
            with pytest.raises(StaleDataError):
                case_actions.set_priority(first, case_a, user_a, priority="urgent")  # flushes with its audit entry
                first.commit()
            first.rollback()
        assert db.session.scalar(select(Case.priority).where(Case.tracking_code == code)) == "high"


def test_a_doctored_version_is_refused(app, staff):
    code = seed_case(app)
    response = act(staff["somchai"], code, "acknowledge", version="abc", expect=422)
    assert "reload the page" in response.get_data(as_text=True)


# --- files ------------------------------------------------------------------------------------------------


def test_attachments_are_served_with_safe_headers_and_checked(app, staff, file_case, jpeg_bytes):
    from .factories import MINIMAL_PDF

    _, code, _ = file_case(files=[(BytesIO(jpeg_bytes), "หลุม.jpg"), (BytesIO(MINIMAL_PDF), "แผนที่.pdf")])
    other = seed_case(app, category="road")
    case = load_case(app, code)
    photo, pdf = case.attachments
    response = staff["somchai"].get(f"/staff/cases/{code}/files/{photo.id}")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    response = staff["somchai"].get(f"/staff/cases/{code}/files/{pdf.id}")
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    # Guessing: the file of one case under another case's code, a file of another division, no such file.
    assert staff["somchai"].get(f"/staff/cases/{other}/files/{photo.id}").status_code == 404
    assert staff["health"].get(f"/staff/cases/{code}/files/{photo.id}").status_code == 404
    assert staff["somchai"].get(f"/staff/cases/{code}/files/999999").status_code == 404
    assert len(audit_entries(app, "case.denied")) == 3


def test_opening_a_file_of_an_integrity_report_is_recorded(app, staff, jpeg_bytes):
    from eservice.domain.uploads import clean_upload

    upload = clean_upload("หลักฐาน.jpg", jpeg_bytes, 10 * 1024 * 1024)
    code = seed_case(app, case_type="corruption", category="bribery", files=[upload])
    attachment_id = load_case(app, code).attachments[0].id
    assert staff["somchai"].get(f"/staff/cases/{code}/files/{attachment_id}").status_code == 404
    assert staff["pim"].get(f"/staff/cases/{code}/files/{attachment_id}").status_code == 200
    views = audit_entries(app, "case.view")
    assert [(v.actor_name, v.details["what"]) for v in views] == [("pim", f"file:{attachment_id}")]


def test_nothing_is_half_saved_when_an_action_fails(app, staff):
    code = seed_case(app)
    with app.app_context():
        events_before = db.session.scalar(select(func.count()).select_from(CaseEvent))
    act(staff["somchai"], code, "mark_duplicate", original_code="BPT-2500-99999", expect=422)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CaseEvent)) == events_before
    assert audit_entries(app, "case.mark_duplicate") == []


def test_two_officers_sending_at_the_same_moment_one_wins_one_is_told(app, staff):
    """Real concurrency: two requests in two threads with the same version. SQLite queues the writers
    (the second then sees a new version); PostgreSQL lets both read and the version counter stops the
    second UPDATE. Either way exactly one change lands and the other officer gets 409."""
    import threading

    code = seed_case(app)
    pages = {name: staff[name].get(f"/staff/cases/{code}").get_data(as_text=True) for name in ("somchai", "malee")}
    ids = {name: _user_id(app, name) for name in pages}
    start = threading.Barrier(2)
    results = {}

    def take(name):
        start.wait()
        results[name] = staff[name].post(f"/staff/cases/{code}/assign", data={
            "csrf_token": csrf_token(pages[name]), "assign-version": version_of(pages[name], "assign"),
            "assign-assignee": ids[name]}).status_code

    threads = [threading.Thread(target=take, args=(name,)) for name in pages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results.values()) == [302, 409]
    winner = next(name for name, status in results.items() if status == 302)
    case = load_case(app, code)
    assert case.assigned_to_id == ids[winner]
    assert [e.kind for e in case.events].count("assign") == 1


def test_what_the_officer_typed_is_shown_escaped_in_messages(app, staff):
    code = seed_case(app)
    response = act(staff["somchai"], code, "mark_duplicate", original_code="<b>x</b>", expect=422)
    html = response.get_data(as_text=True)
    assert "&lt;B&gt;X&lt;/B&gt;" in html and "<B>X</B>" not in html
