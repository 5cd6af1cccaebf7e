"""Hearing back in LINE: a push for every public event, through the outbox, delivered exactly once."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from eservice.domain import measures, stats
from eservice.extensions import db
from eservice.models import Case
from eservice.models.outbox import OutboxMessage
from tests.factories import make_user
from tests.line_support import labels, user_id
from tests.test_line_chat import file_complaint
from tests.web import act, signed_in_client


def staff_for(line):
    officer = make_user(line.app, "somsak", roles=("officer",), divisions=("engineering",))
    return signed_in_client(line.app, officer)


def line_rows(app, **where):
    with app.app_context():
        query = select(OutboxMessage).where(OutboxMessage.channel == "line", OutboxMessage.kind != "line_message")
        for name, value in where.items():
            query = query.where(getattr(OutboxMessage, name) == value)
        rows = db.session.scalars(query.order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return rows


def test_every_public_event_is_pushed_once_in_the_same_transaction(line):
    user = user_id(1)
    code = file_complaint(line, user)
    staff = staff_for(line)
    before = len(line.platform.seen_by(user))
    act(staff, code, "acknowledge", note="รับเรื่องแล้ว จะออกตรวจ", expect=302)
    # Queued with the change, before any worker ran.
    assert [r.kind for r in line_rows(line.app)] == ["acknowledge"]
    act(staff, code, "reply", note="ช่างจะเข้าพื้นที่วันพรุ่งนี้", confirm="y", expect=302)
    act(staff, code, "note", note="ภายใน: ต้องใช้รถกระเช้า", expect=302)  # internal: never pushed
    act(staff, code, "request_info", note="เสาต้นไหนครับ", expect=302)
    act(staff, code, "resume", expect=302)
    act(staff, code, "resolve", note="เปลี่ยนหลอดไฟแล้ว", expect=302)
    line.run()
    pushed = line.platform.seen_by(user)[before:]
    texts = [m["text"] for m in pushed]
    assert len(pushed) == 5
    assert "acknowledged" in texts[0] and "รับเรื่องแล้ว จะออกตรวจ" in texts[0]
    assert "reply from the office" in texts[1] and "ช่างจะเข้าพื้นที่วันพรุ่งนี้" in texts[1]
    assert "needs more information" in texts[2] and "เสาต้นไหนครับ" in texts[2]
    assert "is now: In progress" in texts[3]
    assert "has been resolved" in texts[4] and "เปลี่ยนหลอดไฟแล้ว" in texts[4]
    assert not any("รถกระเช้า" in t for t in texts)
    assert all(item["via"] == "push" for item in line.platform.delivered[-5:])
    assert all(code in t for t in texts)
    # The resolution asks for a rating: 1–5 stars and a reopen button.
    assert labels(pushed[-1])[:5] == ["★", "★★", "★★★", "★★★★", "★★★★★"] and "Reopen" in labels(pushed[-1])
    line.run()
    assert len(line.platform.seen_by(user)) == before + 5  # nothing twice
    act(staff, code, "close", expect=302)
    line.run()
    closed = line.platform.last(user)
    assert "is now closed" in closed["text"] and "★★★" in labels(closed)
    assert all(r.status == "sent" for r in line_rows(line.app))


def test_the_rating_by_quick_reply_is_recorded_as_the_web_rating_is(line):
    user = user_id(2)
    code = file_complaint(line, user)
    staff = staff_for(line)
    act(staff, code, "resolve", note="ซ่อมแล้ว", expect=302)
    line.run()
    asked = line.press(user, "★★★★")
    assert "Was the matter" in asked["text"] and labels(asked) == ["Resolved", "Partly", "Not resolved"]
    thanks = line.press(user, "Partly")
    assert "Thank you for rating" in thanks["text"]
    with line.app.app_context():
        case = db.session.scalar(select(Case).where(Case.tracking_code == code))
        assert (case.rating.score, case.rating.resolved, case.rating_score) == (4, "partly", 4)
        assert case.events[-1].kind == "rated" and case.events[-1].actor_kind == "citizen"
    again = line.press(user, "Resolved", asked)
    assert "cannot be rated now" in again["text"]
    with line.app.app_context():
        assert db.session.scalar(select(Case).where(Case.tracking_code == code)).rating.score == 4


def test_reopen_from_the_resolution_message_within_the_period_only(line):
    user = user_id(3)
    code = file_complaint(line, user)
    staff = staff_for(line)
    act(staff, code, "resolve", note="ซ่อมแล้ว", expect=302)
    line.run()
    resolved = line.platform.last(user)
    ask = line.press(user, "Reopen", resolved)
    assert "Why should case" in ask["text"]
    done = line.text(user, "ไฟยังดับอยู่ครับ")
    assert "has been reopened" in done["text"]
    with line.app.app_context():
        case = db.session.scalar(select(Case).where(Case.tracking_code == code))
        assert case.status == "in_progress" and case.reopen_count == 1
        assert case.events[-1].note == "ไฟยังดับอยู่ครับ"
    # The citizen's own reopening is answered in chat, not pushed back to them.
    assert [r.kind for r in line_rows(line.app)] == ["resolve"]
    act(staff, code, "resolve", note="ซ่อมอีกครั้ง", expect=302)
    line.run()
    late = datetime.now(UTC) + timedelta(days=45)
    refused = line.press(user, "Reopen", line.platform.last(user), now=late)
    assert "can no longer be reopened" in refused["text"]
    with line.app.app_context():
        assert db.session.scalar(select(Case).where(Case.tracking_code == code)).status == "resolved"


def test_platform_down_then_up_every_push_delivered_exactly_once(line):
    users = [user_id(10 + n) for n in range(3)]
    codes = [file_complaint(line, user) for user in users]
    staff = staff_for(line)
    seen_before = {user: len(line.platform.seen_by(user)) for user in users}
    line.platform.down = True
    for code in codes:
        act(staff, code, "acknowledge", expect=302)
        act(staff, code, "reply", note="กำลังดำเนินการ", confirm="y", expect=302)
    now = datetime.now(UTC)
    result = line.run(now=now)
    assert result.delivered.sent == 0 and result.delivered.retried == 1 and result.delivered.failed == 0
    assert all(r.status == "pending" for r in line_rows(line.app))
    # Rate limited, then a 500 whose push LINE had in fact taken (the answer was lost): retried with the
    # same retry key, LINE says 409, and the person sees it once.
    line.platform.down = False
    line.platform.fail_next = [429]
    result = line.run(now=now + timedelta(minutes=3))
    assert result.delivered.sent == 0 and result.delivered.retried == 1
    line.platform.lose_next_answers = 1
    for minutes in (10, 30, 90, 300, 900):
        line.run(now=now + timedelta(minutes=minutes))
    rows = line_rows(line.app)
    assert len(rows) == 6 and all(r.status == "sent" for r in rows), [(r.kind, r.status, r.last_error) for r in rows]
    for user in users:
        pushed = line.platform.texts(user)[seen_before[user]:]
        assert len(pushed) == 2, pushed
        assert "acknowledged" in pushed[0] and "reply from the office" in pushed[1]  # in order
    keys = [call["headers"].get("X-Line-Retry-Key") for call in line.platform.calls if call["path"].endswith("/push")]
    assert len(set(keys)) == 6 and len(keys) > 6  # retried, always with the row's own key


def test_a_user_who_blocked_the_account_fails_at_once_and_is_shown_hidden(line, make_user, login_as):
    user = user_id(20)
    code = file_complaint(line, user)
    line.post(line.unfollow_event(user))
    line.platform.blocked.add(user)
    staff = staff_for(line)
    act(staff, code, "acknowledge", expect=302)
    result = line.run()
    assert result.delivered.failed == 1 and result.delivered.retried == 0
    [row] = line_rows(line.app)
    assert row.status == "failed" and row.attempts == 1 and "403" in row.last_error
    admin = make_user("admin1", roles=("admin",))
    client = login_as(admin, line.app.test_client())
    client.get("/lang/en")
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert f"outbox-{row.id}" in page and "a LINE user (hidden)" in page
    assert user not in page


def test_a_line_case_is_like_any_other_in_queue_statistics_and_report(line):
    user = user_id(30)
    code = file_complaint(line, user)
    staff = staff_for(line)
    queue = staff.get("/staff/").get_data(as_text=True)
    assert code in queue
    page = staff.get(f"/staff/cases/{code}").get_data(as_text=True)
    assert 'id="via-line"' in page and user not in page
    with line.app.app_context():
        case = db.session.scalar(select(Case).where(Case.tracking_code == code))
        fiscal_year = case.fiscal_year
        figures = stats.named_figures(db.session, fiscal_year)
        summary = stats.summarise(db.session, stats.make_period("fy", fiscal_year))
        measures.load_measures_data(db.session, line.app.config["REFERENCE_DATA"])
        measures.copy_measures(db.session, 2568, fiscal_year)  # the seed's measures, for this year's report
        db.session.commit()
    assert figures["channel_line"] == 1 and figures["cases_total"] == 1 and figures["cases_web"] == 0
    assert summary.by_channel == {"line": 1}
    with line.app.app_context():
        built = measures.build_report(db.session, fiscal_year, digits="arabic")
    text = "\n".join(p for row in built.rows for p in (*row.methods, *row.results, *row.outcome))
    assert "LINE 1 เรื่อง" in text


def test_a_slow_platform_times_out_and_the_push_is_retried_once_shown(make_app, platform):
    """LINE slower than LINE_TIMEOUT_SECONDS: the try fails (LINE may have taken the push), the retry
    carries the same retry key, and the person sees the message once."""
    from tests.line_support import Line, line_config

    line = Line(make_app(**line_config(platform, LINE_TIMEOUT_SECONDS=1)), platform)
    user = user_id(40)
    code = file_complaint(line, user)
    staff = staff_for(line)
    seen = len(platform.seen_by(user))
    act(staff, code, "acknowledge", expect=302)
    platform.delay = 1.5
    now = datetime.now(UTC)
    result = line.run(now=now)
    assert result.delivered.retried == 1 and result.delivered.sent == 0
    [row] = line_rows(line.app)
    assert row.status == "pending" and "unreachable" in row.last_error
    platform.delay = 0
    line.run(now=now + timedelta(minutes=5))
    [row] = line_rows(line.app)
    assert row.status == "sent"
    assert len(platform.seen_by(user)) == seen + 1  # taken during the slow try, refused (409) on the retry
