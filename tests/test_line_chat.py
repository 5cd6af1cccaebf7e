"""The conversation: cancel, expiry, my cases, codes, integrity reports, bad input, information asked for."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from eservice.database import begin_write
from eservice.extensions import db
from eservice.models import Case
from eservice.models.line import LineChat, LineDraftPhoto
from tests.factories import MINIMAL_PDF, make_jpeg, make_user
from tests.line_support import button, buttons, labels, user_id
from tests.web import act, signed_in_client


def english(line, user):
    menu = line.say(user, line.follow_event(user))
    return line.press(user, "English") if "English" in labels(menu) else menu


def start_complaint(line, user, description="ไฟถนนดับทั้งซอย"):
    english(line, user)
    line.press(user, "Complaint")
    line.press(user, "Street lights")
    return line.text(user, description)


def file_complaint(line, user, description="ไฟถนนดับทั้งซอย") -> str:
    start_complaint(line, user, description)
    line.press(user, "No photos")
    line.press(user, "Skip")
    line.press(user, "Stay anonymous")
    receipt = line.press(user, "Confirm and send")
    code = next(part.split(": ")[1] for part in receipt["text"].splitlines() if part.startswith("Tracking code"))
    return code


def cases(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Case))


def test_thai_is_the_default_language(line):
    user = user_id(1)
    message = line.say(user, line.follow_event(user))
    assert "English" in labels(message)
    with line.app.app_context():
        assert db.session.scalar(select(LineChat.locale)) == "th"


def test_cancel_works_at_every_step(line):
    user = user_id(2)
    english(line, user)
    steps = [
        lambda: line.press(user, "Complaint"),
        lambda: line.press(user, "Street lights"),
        lambda: line.text(user, "ไฟดับ"),
        lambda: line.press(user, "No photos"),
        lambda: line.press(user, "Skip"),
        lambda: line.press(user, "Give name and phone"),
        lambda: line.text(user, "สมหญิง ดีมาก"),
        lambda: line.press(user, "No phone"),
    ]
    for depth in range(len(steps) + 1):
        english(line, user)
        for step in steps[:depth]:
            step()
        last = line.platform.last(user)
        if depth:
            assert "Cancel" in labels(last), (depth, last)
            cancelled = line.press(user, "Cancel")
            assert "Cancelled" in cancelled["text"]
        with line.app.app_context():
            chat = db.session.scalar(select(LineChat))
            assert chat.step == "idle" and chat.draft is None
            assert db.session.scalar(select(func.count()).select_from(LineDraftPhoto)) == 0
    assert cases(line.app) == 0
    # Typing the word cancels too.
    start_complaint(line, user)
    assert "Cancelled" in line.text(user, "ยกเลิก")["text"]
    assert cases(line.app) == 0


def test_a_draft_left_for_30_minutes_expires_with_a_message(line):
    user = user_id(3)
    start_complaint(line, user)
    line.say(user, line.image_event(user, make_jpeg()))
    later = datetime.now(UTC) + timedelta(minutes=31)
    line.run(now=later)  # the worker's sweep
    expired = line.platform.last(user)
    assert "expired after 30 minutes" in expired["text"]
    assert line.platform.delivered[-1]["via"] == "push"
    with line.app.app_context():
        chat = db.session.scalar(select(LineChat))
        assert chat.step == "idle" and chat.draft is None
        assert db.session.scalar(select(func.count()).select_from(LineDraftPhoto)) == 0
    seen = len(line.platform.seen_by(user))
    line.run(now=later + timedelta(minutes=1))
    assert len(line.platform.seen_by(user)) == seen  # said once
    # A button of the expired report does nothing but say so.
    reply = line.say(user, line.postback_event(user, "a=confirm&d=gone"))
    assert "ended" in reply["text"]
    assert cases(line.app) == 0


def test_a_draft_expires_when_the_person_comes_back_before_the_sweep(line):
    user = user_id(4)
    start_complaint(line, user)
    with line.app.app_context():
        begin_write(db.session)
        chat = db.session.scalar(select(LineChat))
        chat.updated_at = datetime.now(UTC) - timedelta(minutes=45)
        db.session.commit()
    line.text(user, "hello again")
    texts = line.platform.texts(user)
    assert any("expired after 30 minutes" in t for t in texts[-2:])
    assert cases(line.app) == 0


def test_my_cases_and_codes_show_only_this_users_cases(line):
    mine, other = user_id(5), user_id(6)
    code = file_complaint(line, mine)
    their_code = file_complaint(line, other, "น้ำท่วมขังหน้าบ้าน")
    listing = line.press(mine, "My cases")
    assert code in listing["text"] and their_code not in listing["text"]
    assert "Waiting to be acknowledged" in listing["text"] and "answer by" in listing["text"]
    shown = line.text(mine, code.lower())
    assert shown["text"].startswith(f"Case {code}")
    refused = line.text(mine, their_code)
    assert their_code not in refused["text"] and "No case with that code" in refused["text"]
    unknown = line.text(mine, "BPT-2568-99999")
    assert unknown["text"] == refused["text"]  # the same words: nothing told about other cases
    # A forged button naming the other person's case.
    with line.app.app_context():
        their_id = db.session.scalar(select(Case.id).where(Case.tracking_code == their_code))
    forged = line.say(mine, line.postback_event(mine, f"a=show&case={their_id}"))
    assert their_code not in forged["text"]


def test_corruption_and_gift_reports_are_never_taken_in_chat(line):
    user = user_id(7)
    english(line, user)
    reply = line.press(user, "Corruption or gift")
    assert "not taken in LINE chat" in reply["text"]
    links = [action["uri"] for action in buttons(reply) if action["type"] == "uri"]
    assert links == ["https://eservice.example.go.th/file/corruption?openExternalBrowser=1",
                     "https://eservice.example.go.th/file/gift?openExternalBrowser=1"]
    for case_type in ("corruption", "gift"):
        forged = line.say(user, line.postback_event(user, f"a=type&t={case_type}"))
        assert "not taken in LINE chat" in forged["text"]
    assert cases(line.app) == 0
    with line.app.app_context():
        assert db.session.scalar(select(LineChat.step)) == "idle"


def test_stickers_and_files_get_a_friendly_answer_and_bad_photos_the_reason(line):
    user = user_id(8)
    start_complaint(line, user)
    reply = line.say(user, line.sticker_event(user))
    assert "send text, a photo or a location" in reply["text"]
    assert "Cancel" in labels(reply)  # the step goes on
    line.post(line._base(user, "message", message={"type": "file", "id": "77", "fileName": "a.zip",
                                                   "fileSize": 10}))
    line.post(line._base(user, "message", message={"type": "video", "id": "78", "quoteToken": "q",
                                                   "duration": 1000, "contentProvider": {"type": "line"}}))
    line.run()
    assert all("send text, a photo or a location" in t for t in line.platform.texts(user)[-2:])
    pdf = line.say(user, line.image_event(user, MINIMAL_PDF.replace(b"%%EOF", b"")))
    assert "not accepted" in line.platform.texts(user)[-2]
    gone = line.say(user, line.image_event(user, None))  # LINE no longer has it: 404
    assert "could not be fetched" in line.platform.texts(user)[-2]
    assert pdf and gone
    with line.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LineDraftPhoto)) == 0


def test_unknown_and_forged_postbacks_are_ignored_safely(line):
    user = user_id(9)
    english(line, user)
    for data in ("", "zzz", "a=", "a=rate&case=abc&s=9", "a=rate&case=999999999999999999999&s=5",
                 "a=cat&c=road&d=forged", "a=info&case=1", "a=lang&l=xx", "a=type&t=nothing",
                 "%ZZ&&&==", "a=page&p=-5&d=x", "a=" + "x" * 400):
        reply = line.say(user, line.postback_event(user, data))
        assert reply["type"] == "text"
    assert cases(line.app) == 0


def test_unfollow_unsend_and_events_without_a_user_do_not_crash(line):
    user = user_id(10)
    start_complaint(line, user)
    photo = line.image_event(user, make_jpeg())
    line.say(user, photo)
    with line.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LineDraftPhoto)) == 1
    line.post(line.unsend_event(user, photo["message"]["id"]))
    line.run()
    with line.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LineDraftPhoto)) == 0
    line.post(line.unfollow_event(user))
    line.run()
    with line.app.app_context():
        chat = db.session.scalar(select(LineChat))
        assert chat.followed is False and chat.step == "idle"
    stranger = user_id(11)  # never followed
    line.post(line.text_event(stranger, "มีเรื่องจะแจ้งครับ"), line.unfollow_event(user_id(12)),
              line.unsend_event(user_id(13), "1"), line._base(user_id(14), "beacon", beacon={"hwid": "x"}))
    group = line.text_event(user_id(15), "hi in a group")
    group["source"] = {"type": "group", "groupId": "C" + "0" * 32, "userId": user_id(15)}
    line.post(group)
    result = line.run()
    assert result.processed.failed == 0
    assert line.platform.seen_by(user_id(15)) == []  # not answered in a group
    assert "ยินดีให้บริการ" in line.platform.last(stranger)["text"]  # Thai by default


def test_information_for_a_waiting_case_is_added_and_several_ask_which(line):
    user = user_id(16)
    first = file_complaint(line, user)
    second = file_complaint(line, user, "ขยะไม่มีคนเก็บสามวัน")
    officer = make_user(line.app, "o1", roles=("officer",), divisions=("engineering",))
    staff = signed_in_client(line.app, officer)
    act(staff, first, "request_info", note="ซอยไหนครับ", expect=302)
    line.run()
    asked = line.platform.last(user)
    assert "needs more information" in asked["text"] and "ซอยไหนครับ" in asked["text"]
    reply = line.text(user, "ซอย 3 ครับ")
    assert first in reply["text"] and "added" in reply["text"]
    with line.app.app_context():
        case = db.session.scalar(select(Case).where(Case.tracking_code == first))
        assert case.status == "in_progress"
        assert case.events[-1].note == "ซอย 3 ครับ"
    act(staff, first, "request_info", note="มีรูปไหมครับ", expect=302)
    act(staff, second, "request_info", note="บ้านเลขที่เท่าไร", expect=302)
    line.run()
    which = line.text(user, "บ้านเลขที่ 12")
    assert set(labels(which)) >= {first, second}
    line.say(user, line.image_event(user, make_jpeg()))
    done = line.press(user, second)
    assert second in done["text"]
    with line.app.app_context():
        case = db.session.scalar(select(Case).where(Case.tracking_code == second))
        assert case.status == "in_progress" and case.events[-1].note == "บ้านเลขที่ 12"
        assert len(case.attachments) == 1
        other = db.session.scalar(select(Case).where(Case.tracking_code == first))
        assert other.status == "awaiting_citizen"
    assert officer
    assert button(done, "My cases")


def test_a_whole_filing_in_thai(line):
    """The default language, with every button label within LINE's 20 characters (the fake refuses more)."""
    user = user_id(40)
    menu = line.say(user, line.follow_event(user))
    assert "ยินดีต้อนรับ" in line.platform.texts(user)[0]
    assert labels(menu) == ["ร้องเรียน/ร้องทุกข์", "ข้อเสนอแนะ", "สอบถามข้อมูล", "ทักท้วง", "ทุจริต/รับของขวัญ",
                            "เรื่องของฉัน", "English"]
    line.press(user, labels(menu)[0])
    line.press(user, "ไฟฟ้าส่องสว่าง")
    line.text(user, "ไฟดับทั้งซอย")
    line.press(user, "ไม่มีรูปภาพ")
    line.press(user, "ข้าม")
    line.press(user, "ไม่เปิดเผยตัวตน")
    receipt = line.press(user, "ยืนยันและส่ง")
    assert "รหัสติดตามเรื่อง: BPT-" in receipt["text"] and "ตอบภายในวันที่" in receipt["text"]
    with line.app.app_context():
        case = db.session.scalar(select(Case))
        assert case.locale == "th" and case.anonymous and case.reporter.line_user_id == user
        assert case.reporter.first_name == "" and case.reporter.phone == ""


def test_a_photo_sent_while_the_content_api_is_down_is_kept_and_taken_later(line):
    from eservice.models.line import LineEvent

    user = user_id(41)
    start_complaint(line, user)
    line.platform.down = True
    line.post(line.image_event(user, make_jpeg()), line.text_event(user, "ถ่ายจากหน้าบ้าน"))
    now = datetime.now(UTC)
    result = line.run(now=now)
    assert result.processed.retried == 1 and result.processed.done == 0  # the text waits behind the photo
    with line.app.app_context():
        assert [e.status for e in db.session.scalars(select(LineEvent).order_by(LineEvent.id))][-2:] == [
            "pending", "pending"]
    line.platform.down = False
    line.run(now=now + timedelta(minutes=2))
    with line.app.app_context():
        chat = db.session.scalar(select(LineChat))
        assert len(chat.photos) == 1
        assert chat.draft["description"].endswith("ถ่ายจากหน้าบ้าน")  # handled after the photo, in order
    assert any("Photo 1 of 5" in t for t in line.platform.texts(user))
