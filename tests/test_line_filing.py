"""Filing in LINE chat, end to end: signed events to the real webhook, the worker, the fake platform."""

from sqlalchemy import select

from eservice.extensions import db
from eservice.models import Case
from eservice.models.line import LineChat, LineDraftPhoto
from tests.factories import make_jpeg
from tests.line_support import labels, user_id


def english(line, user):
    message = line.say(user, line.follow_event(user))
    assert "English" in labels(message)
    return line.press(user, "English")


def test_a_whole_filing_with_two_photos_and_a_location(line):
    user = user_id(1)
    menu = english(line, user)
    assert "Complaint" in labels(menu)
    categories = line.press(user, "Complaint")
    assert len(labels(categories)) == 13
    more = line.press(user, "More")
    assert "Cancel" in labels(more)
    first = line.press(user, "Back to start", more)
    reply = line.press(user, "Damaged roads", first)
    assert "Describe the matter" in reply["text"]
    reply = line.text(user, "ถนนหน้าวัดเป็นหลุมลึก รถล้มบ่อย")
    assert {"Camera", "Photos", "No photos", "Cancel"} <= set(labels(reply))
    line.post(line.image_event(user, make_jpeg(with_gps=True)), line.image_event(user, make_jpeg()))
    line.run()
    assert any("Photo 2 of 5" in text for text in line.platform.texts(user))
    reply = line.press(user, "Next")
    assert "Share location" in labels(reply)
    reply = line.say(user, line.location_event(user, 14.9, 103.1, "หน้าวัดบ่อปลาทอง"))
    assert "Give name and phone" in labels(reply)
    reply = line.press(user, "Give name and phone")
    reply = line.text(user, "สมชาย ใจดี")
    reply = line.text(user, "081-234-5678")
    assert "Confirm and send" in labels(reply)
    assert "/privacy" in reply["text"]
    reply = line.press(user, "Confirm and send")
    assert "Tracking code:" in reply["text"], reply
    with line.app.app_context():
        case = db.session.scalar(select(Case))
        assert case.channel_code == "line"
        assert case.tracking_code in reply["text"]
        assert len(case.attachments) == 2
        assert case.lat == 14.9 and case.long == 103.1
        assert case.address_string == "หน้าวัดบ่อปลาทอง"
        assert case.reporter.first_name == "สมชาย" and case.reporter.phone == "0812345678"
        assert case.reporter.line_user_id == user
        assert b"PhoneMaker" not in case.attachments[0].data  # metadata stripped like a web upload
        chat = db.session.scalar(select(LineChat))
        assert chat.step == "idle" and chat.draft is None
        assert db.session.scalar(select(LineDraftPhoto)) is None
