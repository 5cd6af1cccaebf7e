"""Property tests: arbitrary text and sizes thrown at the signed webhook never give a 5xx, never leave
anything half-saved, and never crash the processing that follows."""

import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from eservice.domain.line.chat import Step
from eservice.extensions import db
from eservice.models import Case
from eservice.models.line import LineChat, LineDraftPhoto, LineEvent
from eservice.models.outbox import OutboxMessage
from tests.factories import make_jpeg
from tests.line_support import user_id

# LINE_FUZZ_EXAMPLES=500 for a longer hunt.
FUZZ = settings(max_examples=int(os.environ.get("LINE_FUZZ_EXAMPLES", "30")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Text as people (and attackers) type it: any characters, NULs and lone surrogates included.
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=6000)
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=20)


def assert_nothing_half_saved(app):
    with app.app_context():
        for case in db.session.scalars(select(Case)):
            assert [e for e in case.events if e.kind == "filed"], case.tracking_code
            assert case.channel_code == "line" and case.reporter is not None and case.reporter.line_user_id
            assert len(case.attachments) <= app.config["MAX_ATTACHMENTS"]
        for chat in db.session.scalars(select(LineChat)):
            assert chat.step in set(Step)
            if chat.step == Step.IDLE:
                assert chat.draft is None and not chat.photos
            else:
                assert chat.draft and chat.draft.get("id")
        assert db.session.scalar(select(func.count()).select_from(LineDraftPhoto).where(
            LineDraftPhoto.chat_id.not_in(select(LineChat.id)))) == 0
        statuses = set(db.session.scalars(select(LineEvent.status)))
        assert statuses <= {"done"}, statuses
        for row in db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "line")):
            assert row.status in ("sent", "pending", "failed")
            assert row.status != "failed" or "403" in row.last_error or "400" in row.last_error


@FUZZ
@given(body=st.binary(max_size=20_000) | any_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
       signed=st.booleans())
def test_any_body_gets_no_5xx_and_a_refused_one_stores_nothing(line, body, signed):
    with line.app.app_context():
        before = db.session.scalar(select(func.count()).select_from(LineEvent))
    response = line.post(body=body, signature="sign" if signed else "x" * 44)
    assert response.status_code < 500
    with line.app.app_context():
        after = db.session.scalar(select(func.count()).select_from(LineEvent))
    if response.status_code != 200:
        assert after == before
    assert_nothing_half_saved(line.app)


@FUZZ
@given(events=st.lists(json_values, max_size=5))
def test_any_signed_events_are_stored_or_skipped_and_processing_never_breaks(line, events):
    body = json.dumps({"destination": "Ubot", "events": events}).encode()
    response = line.post(body=body)
    assert response.status_code == 200
    result = line.run()
    assert result.processed.failed == 0 and result.processed.retried == 0
    assert_nothing_half_saved(line.app)


def conversation_step(line, user):
    """One thing a person might send: real buttons' data, arbitrary data, any text, any location, any file."""
    real_data = st.sampled_from(["a=type&t=complaint", "a=type&t=inquiry", "a=type&t=corruption", "a=mycases",
                                 "a=menu", "a=lang&l=en", "a=lang&l=th", "a=cancel"])
    return st.one_of(
        any_text.map(lambda t: line.text_event(user, t)),
        (real_data | any_text).map(lambda d: line.postback_event(user, d)),
        st.tuples(st.floats(allow_nan=False, allow_infinity=False), st.floats(allow_nan=False, allow_infinity=False),
                  any_text).map(lambda p: line.location_event(user, p[0], p[1], p[2])),
        (st.binary(max_size=3000) | st.just(make_jpeg())).map(lambda data: line.image_event(user, data)),
        st.just(line.sticker_event(user)),
    )


@FUZZ
@given(data=st.data())
def test_arbitrary_conversations_never_break_and_leave_nothing_half_saved(line, data):
    user = user_id(data.draw(st.integers(1, 3)))
    for _ in range(data.draw(st.integers(1, 6))):
        event = data.draw(conversation_step(line, user))
        # Often press one of the buttons the person was last shown, as a person would. (Both draws are
        # always made, so that the examples do not depend on what the app answered.)
        press, which = data.draw(st.booleans()), data.draw(st.integers(0, 12))
        last = line.platform.seen_by(user)[-1:] or [{}]
        actions = [i["action"] for i in last[0].get("quickReply", {}).get("items", [])
                   if i["action"]["type"] == "postback"]
        if press and actions:
            event = line.postback_event(user, actions[which % len(actions)]["data"])
        response = line.post(event)
        assert response.status_code == 200
        result = line.run()
        assert result.processed.failed == 0 and result.processed.retried == 0
    assert_nothing_half_saved(line.app)
