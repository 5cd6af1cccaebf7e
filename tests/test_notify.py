"""Who gets which mail about which case event, what it says, and what it must never say.

Every mail is delivered through the real outbox worker to a real SMTP server (aiosmtpd on loopback)
and read back from there. English texts are asserted with the recipients' locale set to ``en``; the
Thai texts are asserted in ``test_mail_is_thai_by_default_*`` against a catalogue compiled in the test
from this work's PO fragment (eservice/translations/fragments/notifications.po).
"""

import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from eservice.database import begin_write
from eservice.domain import notify, workflow
from eservice.domain.filing import add_citizen_information
from eservice.extensions import db
from eservice.models import Case, Division

from .factories import DESCRIPTION, apply_action, citizen_case, mail_staff, set_user
from .smtp_server import deliver, mail_config, outbox
from .web import csrf_token, submission_token

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CITIZEN = "somchai@example.com"
BASE = "https://eservice.borplathong.go.th"


@pytest.fixture
def app(mail_app):
    return mail_app


@pytest.fixture
def staff(app):
    """An engineering officer and head, a health officer, an integrity officer, all reading English."""
    return mail_staff(app)


def mails_to(smtp, who):
    return smtp.to(who if "@" in who else f"{who}@borplathong.go.th")


def only(mails):
    assert len(mails) == 1, [m.subject for m in mails]
    return mails[0]


# --- the citizen's mails ---------------------------------------------------------------------------


def test_each_citizen_mail_in_english(app, smtp, staff):
    case_id, code, key = citizen_case(app, locale="en", email=CITIZEN)
    apply_action(app, case_id, "acknowledge", actor_id=staff["officer"], note="Our team will inspect the road.")
    apply_action(app, case_id, "request_info", actor_id=staff["officer"], note="Which side of the road is the hole on?")
    with app.app_context():
        begin_write(db.session)
        add_citizen_information(db.session, db.session.get(Case, case_id), "The east side, near the temple.", [])
        db.session.commit()
    apply_action(app, case_id, "public_reply", actor_id=staff["officer"], note="The repair is booked for Monday.")
    apply_action(app, case_id, "resolve", actor_id=staff["officer"], note="The hole was filled with asphalt.")
    with app.app_context():
        begin_write(db.session)
        workflow.citizen_requests_reopen(db.session, db.session.get(Case, case_id), "It broke again.", 30)
        db.session.commit()
    deliver(app)

    mails = {m.subject: m for m in mails_to(smtp, CITIZEN)}
    assert list(mails) == [
        f"[{code}] Your case has been received",
        f"[{code}] Your case has been acknowledged",
        f"[{code}] The office needs more information from you",
        f"[{code}] A reply from the office",
        f"[{code}] Your case has been resolved",
        f"[{code}] Your case has been reopened",
    ]
    receipt = mails[f"[{code}] Your case has been received"]
    assert code in receipt.text and code in receipt.html
    assert f"{BASE}/track?code={code}" in receipt.text
    assert key not in receipt.everything  # never the receipt key
    assert DESCRIPTION not in receipt.everything  # never the content
    assert "receipt key is not in this mail" in receipt.text
    assert receipt.message["To"].addresses[0].addr_spec == CITIZEN

    ack = mails[f"[{code}] Your case has been acknowledged"]
    assert "has been acknowledged by Engineering Division" in ack.text
    assert "Our team will inspect the road." in ack.text and "Our team will inspect the road." in ack.html

    info = mails[f"[{code}] The office needs more information from you"]
    assert "Which side of the road is the hole on?" in info.text
    assert "stands still until you reply" in info.text

    reply = mails[f"[{code}] A reply from the office"]
    assert "The repair is booked for Monday." in reply.text

    resolved = mails[f"[{code}] Your case has been resolved"]
    assert "The hole was filled with asphalt." in resolved.text
    assert "rate our service" in resolved.text and f"{BASE}/track?code={code}" in resolved.html
    assert "within 30 days" in resolved.text

    reopened = mails[f"[{code}] Your case has been reopened"]
    assert "It broke again." in reopened.text

    # Every citizen mail carries the municipality's name and contacts.
    for mail in mails.values():
        assert "Bo Pla Thong Subdistrict Municipality" in mail.text
        assert "0 4400 0000" in mail.text and "saraban@borplathong.go.th" in mail.html
        assert mail.message["From"].addresses[0].display_name == "Bo Pla Thong Subdistrict Municipality"

    # And the officers heard about the citizen's answer and the reopening.
    officer_subjects = [m.subject for m in mails_to(smtp, "officer")]
    assert f"[{code}] The citizen has added information" in officer_subjects
    assert f"[{code}] A case has been reopened" in officer_subjects
    assert "The east side" not in "".join(m.everything for m in mails_to(smtp, "officer"))


def test_rejection_and_duplicate_tell_the_citizen_why(app, smtp, staff):
    first_id, first_code, _ = citizen_case(app, locale="en", email="first@example.com")
    second_id, second_code, _ = citizen_case(app, locale="en", email="second@example.com")
    apply_action(app, first_id, "reject", actor_id=staff["officer"],
                 note="This road belongs to the highway department.", change=None)

    def merge(session, case):
        case.duplicate_of = session.get(Case, first_id)

    apply_action(app, second_id, "mark_duplicate", actor_id=staff["officer"], change=merge)
    deliver(app)
    rejected = only([m for m in smtp.to("first@example.com") if "now" in m.subject])
    assert rejected.subject == f"[{first_code}] Your case is now: Not accepted"
    assert "This road belongs to the highway department." in rejected.text
    merged = only([m for m in smtp.to("second@example.com") if "now" in m.subject])
    assert f"merged with case {first_code}" in merged.text


def test_internal_events_do_not_mail_the_citizen(app, smtp, staff):
    case_id, code, _ = citizen_case(app, locale="en")
    apply_action(app, case_id, "internal_note", actor_id=staff["officer"], note="Caller sounded angry", public=False)
    apply_action(app, case_id, "acknowledge", actor_id=staff["officer"], public=False)
    deliver(app)
    assert [m.subject for m in smtp.to(CITIZEN)] == [f"[{code}] Your case has been received"]


def test_no_mail_for_a_citizen_without_an_address_or_filing_anonymously(app, smtp, staff):
    citizen_case(app, email="")
    citizen_case(app, anonymous=True, email="kept-nowhere@example.com")
    deliver(app)
    assert outbox(app, audience="citizen") == []
    assert smtp.to("kept-nowhere@example.com") == []


def test_a_malformed_address_is_refused_at_filing_with_a_message(app, client, smtp):
    client.get("/lang/en")
    page = client.get("/file/complaint").get_data(as_text=True)
    response = client.post("/file/complaint", data={
        "csrf_token": csrf_token(page), "submission_token": submission_token(page), "service_code": "road",
        "description": "หลุมบนถนน", "first_name": "สมชาย", "email": "somchai@@example", "consent": "y",
    })
    assert response.status_code == 422
    assert "Enter an email address like name@example.com." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Case.id)) is None
    assert outbox(app) == []


def test_clean_address_and_header_safe_refuse_what_could_inject_headers():
    assert notify.clean_address("Somchai@Example.COM") == "Somchai@example.com"
    for bad in ("a@example.com\r\nBcc: x@evil.net", "a@example.com, b@example.com", "not-an-address", "", None):
        assert notify.clean_address(bad) is None
    assert notify.header_safe("Subject\r\nBcc: x@evil.net\x00") == "Subject Bcc: x@evil.net"


# --- the staff's mails -----------------------------------------------------------------------------


def test_a_new_case_goes_to_its_divisions_officers_only(app, smtp, staff, make_user):
    silent = make_user("noaddress", roles=("officer",), divisions=("engineering",))
    gone = make_user("gone", roles=("officer",), divisions=("engineering",))
    set_user(app, gone, email="gone@borplathong.go.th", active=False)
    case_id, code, _ = citizen_case(app)
    deliver(app)
    mail = only(mails_to(smtp, "officer"))
    assert mail.subject == f"[{code}] New case for Engineering Division"
    assert f"{BASE}/staff/cases/{code}" in mail.text
    assert "Damaged roads, footpaths or bridges" in mail.text
    assert DESCRIPTION not in mail.everything and "สมชาย" not in mail.everything and CITIZEN not in mail.everything
    assert len(mails_to(smtp, "head")) == 1
    assert mails_to(smtp, "health") == [] and mails_to(smtp, "integrity") == [] and mails_to(smtp, "admin") == []
    assert smtp.to("gone@borplathong.go.th") == []
    assert {r["user_id"] for r in outbox(app, kind="new_case")} == {staff["officer"], staff["head"]}
    assert silent not in {r["user_id"] for r in outbox(app)}


def test_a_case_recorded_by_an_officer_does_not_mail_that_officer(app, smtp, staff):
    citizen_case(app, actor_id=staff["officer"])
    deliver(app)
    assert mails_to(smtp, "officer") == []
    assert len(mails_to(smtp, "head")) == 1


def test_assignment_mails_the_assignee_not_the_head_who_assigned(app, smtp, staff):
    case_id, code, _ = citizen_case(app, email="")
    deliver(app)

    def give_to_officer(session, case):
        case.assigned_to_id = staff["officer"]

    apply_action(app, case_id, "assign", actor_id=staff["head"], public=False, change=give_to_officer)
    deliver(app)
    mail = only([m for m in mails_to(smtp, "officer") if "assigned" in m.subject])
    assert mail.subject == f"[{code}] A case has been assigned to you"
    assert "Wichai has assigned case" in mail.text
    assert [m for m in mails_to(smtp, "head") if "assigned" in m.subject] == []


def test_a_transfer_mails_the_receiving_division(app, smtp, staff):
    case_id, code, _ = citizen_case(app, email="")
    deliver(app)

    def to_health(session, case):
        case.division = session.scalar(select(Division).where(Division.code == "health"))
        case.assigned_to_id = None

    apply_action(app, case_id, "transfer", actor_id=staff["officer"], change=to_health, note="",
        public=True)
    with app.app_context():  # the reason travels in the event's data, as the officer workspace writes it
        event = db.session.get(Case, case_id).events[-1]
        event.data = {"reason": "Drainage is the health division's work."}
        db.session.commit()
    deliver(app)
    mail = only(mails_to(smtp, "health"))
    assert mail.subject == f"[{code}] A case has been transferred to Public Health and Environment Division"
    assert "Drainage is the health division's work." in mail.text
    assert [m for m in mails_to(smtp, "officer") if "transferred" in m.subject] == []
    assert smtp.to(CITIZEN) == []  # a citizen without an address


def test_citizen_information_goes_to_the_assignee_when_there_is_one(app, smtp, staff):
    def give_to_head(session, case):
        case.assigned_to_id = staff["head"]

    case_id, code, _ = citizen_case(app)
    apply_action(app, case_id, "acknowledge", actor_id=staff["head"], change=give_to_head)
    with app.app_context():
        begin_write(db.session)
        add_citizen_information(db.session, db.session.get(Case, case_id), "More photos tomorrow.", [])
        db.session.commit()
    deliver(app)
    assert [m.subject for m in mails_to(smtp, "head") if "added information" in m.subject] == [
        f"[{code}] The citizen has added information"
    ]
    assert [m for m in mails_to(smtp, "officer") if "added information" in m.subject] == []


def test_staff_read_their_own_language(app, smtp, staff):
    set_user(app, staff["head"], locale="th")
    citizen_case(app, now=datetime(2025, 1, 6, 3, 0, tzinfo=UTC))
    deliver(app)
    english = only(mails_to(smtp, "officer"))
    thai = only(mails_to(smtp, "head"))
    assert "6 Jan 2025" in english.text
    assert "6 ม.ค. 2568" in thai.text
    assert "เทศบาลตำบลบ่อปลาทอง" in thai.text and "กองช่าง" in thai.text


def test_suppressed_sessions_queue_nothing(app, smtp, staff):
    with app.app_context(), notify.suppressed(db.session):
        pass
    from eservice.domain.filing import Intake, file_case
    from eservice.models import Category

    with app.app_context():
        begin_write(db.session)
        with notify.suppressed(db.session):
            road = db.session.scalar(select(Category).where(Category.code == "road"))
            file_case(db.session, Intake(case_type="complaint", description="demo", category=road,
                                         anonymous=False, email="demo@example.com"))
            db.session.commit()
    assert outbox(app) == []


# --- sealed reports: no content, no reporter, to anyone ----------------------------------------------


def test_integrity_reports_mail_no_content_and_no_reporter_to_anyone(app, smtp, staff):
    reporter = "whistle@example.com"
    case_id, code, key = citizen_case(app, case_type="corruption", category="bribery", email=reporter,
                                  first_name="ประเสริฐ", last_name="กล้าหาญ", phone="0891112222",
                                  subject_division="engineering", locale="en")

    def give_to_integrity(session, case):
        case.assigned_to_id = staff["integrity"]

    apply_action(app, case_id, "acknowledge", actor_id=None, change=give_to_integrity, note="Investigation opened")
    apply_action(app, case_id, "public_reply", actor_id=staff["admin"], note="We interviewed the officer named.")
    apply_action(app, case_id, "request_info", actor_id=staff["admin"], note="Do you have the receipt of the payment?")
    with app.app_context():
        begin_write(db.session)
        add_citizen_information(db.session, db.session.get(Case, case_id), "Yes, photo attached", [])
        db.session.commit()
    deliver(app)

    everything = smtp.received
    assert everything, "mails were expected"
    secrets = [DESCRIPTION, "SECRET-CONTENT", "ประเสริฐ", "กล้าหาญ", "0891112222", key,
               "Investigation opened", "We interviewed", "receipt of the payment", "photo attached",
               "Engineering Division", "bribery", "Bribery"]
    for mail in everything:
        for secret in secrets:
            assert secret not in mail.everything, (mail.subject, secret)
        if reporter not in mail.rcpt_tos:
            assert reporter not in mail.everything

    # The integrity unit is told that a report awaits it, nothing more: not even the code.
    notices = mails_to(smtp, "integrity")
    assert notices and all(m.subject == "A report awaits the integrity unit" for m in notices)
    assert all(code not in m.everything for m in notices)
    assert "A new report has been filed." in notices[0].text
    assert f"{BASE}/staff/" in notices[0].text
    # Nobody in the division the report is about, nor anyone else, hears of it.
    for who in ("officer", "head", "health", "admin"):
        assert mails_to(smtp, who) == []

    # The reporter: a receipt with the code, then "there is news", never what the news is.
    to_reporter = smtp.to(reporter)
    assert [m.subject for m in to_reporter] == [f"[{code}] Your case has been received"] + [
        f"[{code}] There is news on your submission"] * 3
    assert all(m.message["To"].addresses[0].display_name == "" for m in to_reporter)
    assert {r["kind"] for r in outbox(app, audience="citizen")} == {"receipt", "sealed_update"}


def test_no_template_is_ever_given_the_case_or_what_the_citizen_wrote(app, smtp, staff):
    """Even a template that tried to print the description would find nothing to print."""
    from eservice.models.outbox import OutboxMessage
    from eservice.notifications.render import context_for

    citizen_case(app, case_type="gift", category="gift", email="gift@example.com")
    case_id, _, _ = citizen_case(app, email="plain@example.com")
    with app.app_context():
        begin_write(db.session)
        add_citizen_information(db.session, db.session.get(Case, case_id), DESCRIPTION + " again", [])
        db.session.commit()
    apply_action(app, case_id, "resolve", actor_id=staff["officer"], note="Fixed")
    from flask_babel import force_locale

    with app.app_context(), force_locale("en"):
        for message in db.session.scalars(select(OutboxMessage)):
            ctx, _ = context_for(message)
            assert "case" not in ctx and "event" not in ctx
            assert DESCRIPTION not in repr(ctx)
            if message.case is not None and message.case.confidential:
                assert "note" not in ctx


# --- Thai, the default --------------------------------------------------------------------------------


@pytest.fixture
def thai_app(make_app, smtp, tmp_path):
    """The app with the main catalogue plus this work's Thai fragment, compiled here."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from eservice.extensions import babel

    with open(os.path.join(PROJECT, "eservice/translations/th/LC_MESSAGES/messages.po"), "rb") as fh:
        catalogue = read_po(fh, locale="th")
    with open(os.path.join(PROJECT, "eservice/translations/fragments/notifications.po"), "rb") as fh:
        for message in read_po(fh, locale="th"):
            if message.id:
                if message.id in catalogue:  # the catalogue may already list the msgid, untranslated
                    del catalogue[message.id]
                catalogue[message.id] = message
    folder = tmp_path / "translations" / "th" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / "messages.mo", "wb") as fh:
        write_mo(fh, catalogue)
    babel.domain_instance.cache.clear()  # translations are cached per process: load ours, then forget them
    yield make_app(**mail_config(smtp.port), BABEL_TRANSLATION_DIRECTORIES=str(tmp_path / "translations"))
    babel.domain_instance.cache.clear()


def test_mail_is_thai_by_default_with_the_fragment_compiled(thai_app, smtp, make_user):
    officer = make_user("somsak", roles=("officer",), divisions=("engineering",))
    set_user(thai_app, officer, email="officer@borplathong.go.th", display_name="สมศักดิ์")
    case_id, code, key = citizen_case(thai_app, now=datetime(2025, 1, 6, 3, 0, tzinfo=UTC))  # citizen filed in Thai
    apply_action(thai_app, case_id, "resolve", actor_id=officer, note="ซ่อมถนนเรียบร้อยแล้ว",
        now=datetime(2025, 1, 8, 3, 0, tzinfo=UTC))
    deliver(thai_app)

    receipt, resolved = smtp.to(CITIZEN)
    assert receipt.subject == f"[{code}] ได้รับเรื่องของท่านแล้ว"
    assert "เรียน ท่านผู้ยื่นเรื่อง" in receipt.text
    assert "หน่วยงานได้รับเรื่องของท่านแล้ว รหัสติดตามเรื่องของท่านคือ" in receipt.text
    assert "วันที่รับเรื่อง: 6 ม.ค. 2568 10.00 น." in receipt.text
    assert "อีเมลฉบับนี้ไม่มีรหัสลับ" in receipt.html
    assert "เทศบาลตำบลบ่อปลาทอง" in receipt.text and "โทรศัพท์: 0 4400 0000" in receipt.text
    assert key not in receipt.everything

    assert resolved.subject == f"[{code}] ดำเนินการเรื่องของท่านเสร็จสิ้นแล้ว"
    assert "ผลการดำเนินการ:" in resolved.text and "ซ่อมถนนเรียบร้อยแล้ว" in resolved.text
    assert "ประเมินความพึงพอใจ" in resolved.html

    staff_mail = only(smtp.to("officer@borplathong.go.th"))
    assert staff_mail.subject == f"[{code}] เรื่องใหม่ถึงกองช่าง"
    assert "เรียน คุณสมศักดิ์" in staff_mail.text
    assert "กำหนดแจ้งผลภายใน" in staff_mail.text


def test_thai_mail_before_the_fragment_is_merged_still_has_thai_names_and_dates(app, smtp):
    """Without the compiled fragment the sentences fall back to English msgids, but the municipality,
    the division and the Buddhist-era date are Thai: the structure is right either way."""
    citizen_case(app, now=datetime(2025, 1, 6, 3, 0, tzinfo=UTC) + timedelta(hours=1))
    deliver(app)
    receipt = only(smtp.to(CITIZEN))
    assert receipt.message["From"].addresses[0].display_name == "เทศบาลตำบลบ่อปลาทอง"
    assert "6 ม.ค. 2568 11.00 น." in receipt.text
    assert 'lang="th"' in receipt.html


# --- through the officer workspace's own actions (eservice.domain.case_actions) -----------------------


def test_the_officer_workspace_actions_send_their_mails(app, smtp, staff):
    from eservice.domain import case_actions
    from eservice.models import User

    case_id, code, _ = citizen_case(app, locale="en")
    other_id, other_code, _ = citizen_case(app, locale="en", email="other@example.com")
    with app.app_context():
        begin_write(db.session)
        case = db.session.get(Case, case_id)
        head = db.session.get(User, staff["head"])
        officer = db.session.get(User, staff["officer"])
        case_actions.acknowledge(db.session, case, head, note="Received, thank you.")
        case_actions.assign(db.session, case, head, assignee=officer)
        case_actions.public_reply(db.session, case, officer, text="We will come on Monday.", confirmed=True)
        case_actions.internal_note(db.session, case, officer, text="Bring the big truck")
        db.session.commit()
        begin_write(db.session)
        other = db.session.get(Case, other_id)
        case_actions.mark_duplicate(db.session, other, officer, original_code=code)
        db.session.commit()
        begin_write(db.session)
        case = db.session.get(Case, case_id)
        health = db.session.scalar(select(Division).where(Division.code == "health"))
        case_actions.transfer(db.session, case, officer, division=health, reason="Drainage is theirs.")
        db.session.commit()
    deliver(app)
    assert [m.subject for m in smtp.to(CITIZEN)] == [
        f"[{code}] Your case has been received",
        f"[{code}] Your case has been acknowledged",
        f"[{code}] A reply from the office",
    ]
    assert "We will come on Monday." in smtp.to(CITIZEN)[-1].text
    assert "Bring the big truck" not in "".join(m.everything for m in smtp.received)
    assert [m.subject for m in mails_to(smtp, "officer") if "assigned" in m.subject] == [
        f"[{code}] A case has been assigned to you"]
    merged = [m for m in smtp.to("other@example.com") if "now" in m.subject][0]
    assert f"merged with case {code}" in merged.text
    moved = only(mails_to(smtp, "health"))
    assert "transferred to Public Health and Environment Division" in moved.subject
    assert "Drainage is theirs." in moved.text
