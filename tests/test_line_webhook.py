"""The webhook: off without a secret, signatures checked before parsing, events stored once, fast answers."""

import json
import time

from sqlalchemy import func, select

from eservice.extensions import db
from eservice.models.line import LineChannelState, LineEvent
from eservice.models.outbox import OutboxMessage
from tests.line_support import Line, labels, line_config, sign, user_id


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_without_a_secret_the_webhook_is_not_there(make_app, platform):
    app = make_app(**line_config(platform, LINE_CHANNEL_SECRET=""))
    body = json.dumps({"events": []}).encode()
    response = app.test_client().post("/line/webhook", data=body, headers={"x-line-signature": sign(body)})
    assert response.status_code == 404


def test_the_consoles_verify_request_is_answered(line):
    response = line.post()
    assert response.status_code == 200
    assert response.get_json() == {"stored": 0}
    with line.app.app_context():
        assert db.session.get(LineChannelState, 1).last_webhook_at is not None


def test_missing_and_wrong_signatures_get_400_and_store_nothing(line):
    user = user_id(1)
    event = line.text_event(user, "hello")
    assert line.post(event, signature=None).status_code == 400
    assert line.post(event, signature="").status_code == 400
    assert line.post(event, signature=sign(b"another body")).status_code == 400
    other_secret = sign(json.dumps({"destination": "Ubot", "events": [event]}).encode(), "another-secret")
    assert line.post(event, signature=other_secret).status_code == 400
    assert line.post(event, signature="not base64 at all ✓").status_code == 400
    body = json.dumps({"events": [event]}).encode()
    tampered = body.replace(b"hello", b"HELLO")
    assert line.post(body=tampered, signature=sign(body)).status_code == 400
    assert count(line.app, LineEvent) == 0
    with line.app.app_context():
        assert db.session.get(LineChannelState, 1) is None
    line.run()
    assert line.platform.delivered == []


def test_signed_bodies_that_are_not_webhook_bodies_get_400(line):
    for body in (b"not json", b"[]", b'{"events": {}}', b"\xff\xfe", b"[" * 100_000):
        assert line.post(body=body).status_code == 400
    assert count(line.app, LineEvent) == 0


def test_a_redelivered_event_is_stored_and_processed_once(line):
    user = user_id(2)
    event = line.follow_event(user)
    assert line.post(event).get_json() == {"stored": 1}
    again = dict(event, deliveryContext={"isRedelivery": True})
    assert line.post(again).get_json() == {"stored": 0}
    line.run()
    assert line.post(again).get_json() == {"stored": 0}
    line.run()
    assert count(line.app, LineEvent) == 1
    welcome = [t for t in line.platform.texts(user) if "Welcome" in t or "e-Service" in t]
    assert len(line.platform.seen_by(user)) == 2 and len(welcome) == 1  # welcome and menu, once


def test_processed_events_keep_no_message_text(line):
    user = user_id(3)
    line.text(user, "my secret complaint text")
    with line.app.app_context():
        event = db.session.scalar(select(LineEvent))
        assert event.status == "done"
        assert "secret" not in event.payload and event.line_user_id is None


def test_the_webhook_answers_fast_while_the_content_api_hangs(make_app, platform):
    """The photo is fetched after the answer, by the web process's LINE thread: LINE waits for nothing."""
    platform.content_delay = 2.5
    line = Line(make_app(**line_config(platform, LINE_PROCESS_IN_WEB=True, LINE_TIMEOUT_SECONDS=5)), platform)
    user = user_id(4)
    from tests.factories import make_jpeg

    started = time.monotonic()
    response = line.post(line.image_event(user, make_jpeg()))
    elapsed = time.monotonic() - started
    assert response.status_code == 200 and elapsed < 1.0
    deadline = time.monotonic() + 20
    while not platform.delivered and time.monotonic() < deadline:
        time.sleep(0.1)
    assert platform.delivered, "the LINE thread answered after the webhook"
    assert "Complaint" in " ".join(labels(platform.last(user))) or platform.last(user)["text"]


def test_admin_sees_the_set_up(line, make_user, login_as):
    admin = make_user("admin1", roles=("admin",))
    client = login_as(admin, line.client)
    client.get("/lang/en")
    page = client.get("/admin/line").get_data(as_text=True)
    assert "https://eservice.example.go.th/line/webhook" in page
    assert 'id="line-last-webhook"' in page
    line.post()
    page = client.get("/admin/line").get_data(as_text=True)
    assert "line-configured" in page
    officer = make_user("officer9", roles=("officer",), divisions=("engineering",))
    other = line.app.test_client()
    login_as(officer, other)
    assert other.get("/admin/line").status_code == 403
    assert count(line.app, OutboxMessage) == 0


def test_the_line_commands_process_pending_events_and_show_the_queues(line):
    user = user_id(5)
    line.post(line.follow_event(user))
    runner = line.app.test_cli_runner()
    status = runner.invoke(args=["line", "status"])
    assert status.exit_code == 0
    assert "configured: yes" in status.output and "https://eservice.example.go.th/line/webhook" in status.output
    assert "events: pending 1" in status.output
    result = runner.invoke(args=["line", "process"])
    assert result.exit_code == 0 and "1 events processed" in result.output and "1 messages sent" in result.output
    assert "events: done 1" in runner.invoke(args=["line", "status"]).output
    assert len(line.platform.seen_by(user)) == 2


def test_the_worker_processes_line_events_with_the_mail(line):
    import threading

    from eservice.notifications.worker import run_worker

    user = user_id(6)
    line.post(line.follow_event(user))
    line.app.config.update(WORKER_POLL_SECONDS=0.2)
    stop = threading.Event()

    def work():
        with line.app.app_context():
            run_worker(stop=stop, sla=False)

    thread = threading.Thread(target=work)
    thread.start()
    deadline = time.monotonic() + 30
    while len(line.platform.seen_by(user)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    thread.join(timeout=30)
    assert len(line.platform.seen_by(user)) == 2
    assert count(line.app, LineEvent, LineEvent.status == "done") == 1
