"""The transactional outbox and its delivery to a real SMTP server on loopback.

Nothing here mocks the mail server: aiosmtpd runs on 127.0.0.1 and is stopped, slowed and made to
refuse as the tests need.
"""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eservice.database import begin_write
from eservice.domain.filing import Intake, file_case
from eservice.extensions import db
from eservice.models import Case, Category
from eservice.models.outbox import OutboxMessage

from .conftest import PG_URL
from .factories import DESCRIPTION, apply_action, citizen_case, set_user
from .smtp_server import deliver, mail_config, outbox
from .web import csrf_token, submission_token


@pytest.fixture
def app(mail_app):
    return mail_app


@pytest.fixture
def officer(app, make_user):
    return make_user("somsak", roles=("officer",), divisions=("engineering",), email="somsak@borplathong.go.th",
                     display_name="สมศักดิ์ รักงาน")


def later(hours=24):
    return datetime.now(UTC) + timedelta(hours=hours)


def file_through_form(client, email="somchai@example.com", description="ไฟถนนดับทั้งซอย"):
    page = client.get("/file/complaint").get_data(as_text=True)
    response = client.post(
        "/file/complaint",
        data={
            "csrf_token": csrf_token(page),
            "submission_token": submission_token(page),
            "service_code": "street_light",
            "description": description,
            "first_name": "สมชาย",
            "last_name": "ใจดี",
            "phone": "0812345678",
            "email": email,
            "consent": "y",
        },
        follow_redirects=True,  # to the receipt page
    )
    return response


# --- written with the change, or not at all ----------------------------------------------------------


def test_filing_queues_mail_in_its_transaction_and_the_worker_delivers_it(app, client, smtp, officer):
    response = file_through_form(client)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="tracking-code"' in html
    # Nothing was sent while the citizen waited: the mail is a row, the server has seen nothing.
    assert smtp.received == []
    rows = outbox(app)
    assert sorted((r["kind"], r["recipient"], r["status"]) for r in rows) == [
        ("new_case", "somsak@borplathong.go.th", "pending"),
        ("receipt", "somchai@example.com", "pending"),
    ]

    result = deliver(app)
    assert (result.sent, result.failed, result.retried) == (2, 0, 0)
    assert {r["status"] for r in outbox(app)} == {"sent"}
    receipt = smtp.to("somchai@example.com")
    assert len(receipt) == 1
    row = outbox(app, kind="receipt")[0]
    assert receipt[0].message_id == f"<{row['token']}@borplathong.go.th>"
    assert receipt[0].message["Auto-Submitted"] == "auto-generated"
    # Sent again, nothing new goes out.
    assert deliver(app).claimed == 0
    assert len(smtp.received) == 2


def test_a_rolled_back_transaction_leaves_no_mail(app, smtp):
    with app.app_context():
        begin_write(db.session)
        road = db.session.scalar(select(Category).where(Category.code == "road"))
        file_case(db.session, Intake(case_type="complaint", description="หลุม", category=road, anonymous=False,
                                     first_name="ก", email="citizen@example.com"))
        db.session.flush()
        # Inside the transaction the mail exists...
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
        db.session.rollback()
        # ...and goes with it.
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        assert db.session.scalar(select(func.count()).select_from(Case)) == 0
    assert deliver(app).claimed == 0
    assert smtp.received == []


def test_a_failed_step_inside_a_request_rolls_its_mail_back(app, smtp):
    """A transition refused after the event was flushed takes its mail with it."""
    case_id, code, _ = citizen_case(app)
    with app.app_context():
        begin_write(db.session)
        case = db.session.get(Case, case_id)
        from eservice.domain import workflow

        workflow.transition(db.session, case, "acknowledge", note="รับเรื่องแล้ว")
        db.session.flush()
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.kind == "acknowledged")) == 1
        db.session.rollback()
    assert outbox(app, kind="acknowledged") == []
    deliver(app)
    assert [m.subject for m in smtp.received if "acknowledged" in m.subject.lower()] == []


def test_anonymous_filings_get_no_citizen_mail(app, smtp):
    citizen_case(app, anonymous=True, email="should-not-be-kept@example.com")
    assert outbox(app, audience="citizen") == []


# --- the mail server down, slow, refusing -------------------------------------------------------------


def test_server_down_while_cases_are_filed_and_answered_then_every_mail_arrives_once(app, client, smtp, officer):
    smtp.stop()
    codes = []
    for n in range(3):
        response = file_through_form(client, email=f"citizen{n}@example.com", description=f"เรื่องที่ {n}")
        assert response.status_code == 200  # the citizen is not kept waiting by the dead server
    with app.app_context():
        ids = list(db.session.scalars(select(Case.id).order_by(Case.id)))
        codes = list(db.session.scalars(select(Case.tracking_code).order_by(Case.id)))
    for case_id in ids:
        apply_action(app, case_id, "acknowledge", actor_id=officer)
        apply_action(app, case_id, "public_reply", actor_id=officer, note="ทีมช่างจะเข้าไปเปลี่ยนหลอดไฟวันพรุ่งนี้")
    expected = outbox(app)
    # 3 receipts, 3 new-case mails, 3 acknowledgements, 3 replies
    assert len(expected) == 12

    down = deliver(app)
    assert (down.sent, down.retried, down.failed) == (0, 12, 0)
    assert smtp.received == []
    rows = outbox(app)
    assert {r["status"] for r in rows} == {"pending"}
    assert all(r["attempts"] == 1 and "unavailable" in r["last_error"] for r in rows)
    # Before the retry delay nothing is tried again.
    assert deliver(app).claimed == 0

    smtp.start()
    up = deliver(app, now=later())
    assert up.sent == 12
    assert deliver(app, now=later(48)).claimed == 0
    received = smtp.received
    assert len(received) == 12
    assert sorted(m.message_id for m in received) == sorted(f"<{r['token']}@borplathong.go.th>" for r in expected)
    for code in codes:
        assert len([m for m in received if code in m.subject]) == 4


def test_a_slow_server_fails_the_attempt_and_the_mail_goes_later_exactly_once(make_app, smtp):
    app = make_app(**mail_config(smtp.port, MAIL_TIMEOUT=0.5))
    citizen_case(app, email="patient@example.com")
    smtp.handler.slow_mail_seconds = 1.5
    slow = deliver(app)
    assert slow.sent == 0 and slow.retried == 1
    row = outbox(app)[0]
    assert row["status"] == "pending" and "timed out" in row["last_error"].lower()
    smtp.handler.slow_mail_seconds = 0
    assert deliver(app, now=later()).sent == 1
    assert deliver(app, now=later(48)).claimed == 0
    assert len(smtp.to("patient@example.com")) == 1


def test_a_refused_recipient_is_failed_with_the_servers_answer_and_others_still_go(app, smtp):
    smtp.handler.refuse = {"nobody@example.com"}
    citizen_case(app, email="nobody@example.com")
    citizen_case(app, email="somebody@example.com")
    result = deliver(app)
    assert (result.sent, result.failed) == (1, 1)
    failed = outbox(app, recipient="nobody@example.com")[0]
    assert failed["status"] == "failed"
    assert failed["last_error"].startswith("550") and "User unknown" in failed["last_error"]
    assert failed["attempts"] == 1  # refused for good: not retried
    assert len(smtp.to("somebody@example.com")) == 1
    assert deliver(app, now=later()).claimed == 0


def test_retries_wait_longer_each_time_and_end_failed_after_the_configured_tries(make_app, smtp):
    app = make_app(**mail_config(smtp.port, OUTBOX_MAX_ATTEMPTS=3, OUTBOX_RETRY_BASE_SECONDS=60))
    citizen_case(app, email="later@example.com")
    smtp.stop()
    start = datetime.now(UTC)
    deliver(app, now=start)
    first = outbox(app)[0]
    assert first["attempts"] == 1 and first["status"] == "pending"
    assert first["next_attempt_at"] - start == timedelta(seconds=60)

    assert deliver(app, now=start + timedelta(seconds=59)).claimed == 0  # not yet
    second_try = start + timedelta(seconds=60)
    deliver(app, now=second_try)
    second = outbox(app)[0]
    assert second["attempts"] == 2
    assert second["next_attempt_at"] - second_try == timedelta(seconds=120)  # doubled

    deliver(app, now=second_try + timedelta(seconds=120))
    third = outbox(app)[0]
    assert third["attempts"] == 3 and third["status"] == "failed" and third["failed_at"] is not None
    smtp.start()
    assert deliver(app, now=later(72)).claimed == 0  # failed mail waits for an administrator
    assert smtp.received == []


def test_the_message_id_is_the_same_on_every_try(app, smtp):
    citizen_case(app, email="twice@example.com")
    smtp.handler.defer_data = 1  # 451 the first time
    assert deliver(app).retried == 1
    assert deliver(app, now=later()).sent == 1
    first_try, second_try = smtp.handler.seen_message_ids
    assert first_try == second_try == f"<{outbox(app)[0]['token']}@borplathong.go.th>"
    assert len(smtp.received) == 1


def test_a_worker_that_died_holding_mail_gives_it_back_after_its_claim(app, smtp):
    from eservice.notifications.delivery import claim

    citizen_case(app, email="orphan@example.com")
    with app.app_context():
        now = datetime.now(UTC)
        assert len(claim(db.session, now=now, limit=10, worker="dead-worker")) == 1
        # ...and the worker dies here. Others skip the claimed mail until its claim runs out.
        from eservice.notifications.delivery import deliver_due

        assert deliver_due(now=now + timedelta(seconds=60), worker="other").claimed == 0
    lease = app.config["OUTBOX_CLAIM_SECONDS"]
    assert deliver(app, now=datetime.now(UTC) + timedelta(seconds=lease + 1)).sent == 1
    assert len(smtp.to("orphan@example.com")) == 1


def test_header_injection_through_names_and_subjects_is_impossible(app, smtp, make_user):
    from eservice.models import Division

    attacker = "evil@example.net"
    staff_id = make_user("injected", roles=("officer",), divisions=("engineering",))
    set_user(app, staff_id, email="staff@borplathong.go.th", locale="en",
             display_name=f"Somsak\r\nBcc: {attacker}\r\nX-Injected: yes")
    with app.app_context():
        division = db.session.scalar(select(Division).where(Division.code == "engineering"))
        division.name_en = f"Engineering\r\nBcc: {attacker}"
        db.session.commit()
    citizen_case(app, email="citizen@example.com", first_name=f"Somchai\nBcc: {attacker}", last_name="\r\nCc: x@y.z")
    result = deliver(app)
    assert result.sent == 2
    for received in smtp.received:
        assert attacker not in received.rcpt_tos
        assert received.message["Bcc"] is None and received.message["Cc"] is None
        assert received.message["X-Injected"] is None
        assert len(received.rcpt_tos) == 1
        assert "\n" not in received.subject and "\r" not in received.subject
    staff_mail = smtp.to("staff@borplathong.go.th")[0]
    assert "Engineering Bcc:" in staff_mail.subject  # the name stays a name, on one line


# --- several workers ----------------------------------------------------------------------------------


def _queue_plain_mails(app, count):
    """Mails that need no case (integrity notices), straight into the outbox."""
    from eservice.domain import notify

    with app.app_context():
        rows = [
            notify._row("integrity_notice", f"inspector{n}@borplathong.go.th", f"Inspector {n}", "staff", "en",
                        data={"reason": "new_report"})
            for n in range(count)
        ]
        notify.queue(db.session, rows)
        db.session.commit()


needs_postgresql = pytest.mark.skipif(
    not PG_URL, reason="several workers at once are a PostgreSQL deployment (SKIP LOCKED); SQLite runs one"
)


@needs_postgresql
def test_a_worker_claiming_skips_the_rows_another_worker_is_claiming(app, smtp):
    """Deterministic: worker A has locked due rows and not yet committed; worker B takes others."""
    from eservice.notifications.delivery import claim, due_ids_query

    _queue_plain_mails(app, 10)
    now = datetime.now(UTC)
    with app.app_context():
        engine = db.engine
        with engine.connect() as worker_a:
            transaction = worker_a.begin()
            worker_a.exec_driver_sql("SET LOCAL lock_timeout = '5s'")
            held = set(worker_a.execute(due_ids_query("postgresql", now=now, limit=4)).scalars())
            assert len(held) == 4
            db.session.execute(db.text("SET lock_timeout = '5s'"))
            taken = set(claim(db.session, now=now, limit=10, worker="B"))
            assert taken and not (held & taken)
            assert len(taken) == 6
            transaction.rollback()


@needs_postgresql
def test_two_workers_at_once_send_each_mail_once(make_app, smtp):
    app = make_app(**mail_config(smtp.port, OUTBOX_BATCH_SIZE=3))
    _queue_plain_mails(app, 40)
    smtp.handler.data_delay_seconds = 0.01  # keep both workers busy at the same time
    start = threading.Barrier(2)
    results = {}

    def work(name):
        with app.app_context():
            start.wait()
            from eservice.notifications.delivery import drain

            results[name] = drain(worker=name)

    threads = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    received = smtp.received
    assert len(received) == 40
    ids = [m.message_id for m in received]
    assert len(set(ids)) == 40
    assert sum(r.sent for r in results.values()) == 40
    assert {r["status"] for r in outbox(app)} == {"sent"}


# --- the commands ---------------------------------------------------------------------------------


def test_send_mail_once_drains_the_outbox(app, smtp):
    citizen_case(app, email="cron@example.com")
    result = app.test_cli_runner().invoke(args=["send-mail", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output
    assert len(smtp.to("cron@example.com")) == 1
    again = app.test_cli_runner().invoke(args=["send-mail", "--once"])
    assert "0 sent" in again.output


def test_the_worker_delivers_continuously_and_runs_the_sla_check(make_app, smtp, make_user):
    from eservice.notifications.worker import run_worker

    app = make_app(**mail_config(smtp.port, WORKER_POLL_SECONDS=0.05, SLA_CHECK_INTERVAL_SECONDS=3600))
    head = make_user("head", roles=("head",), divisions=("engineering",))
    set_user(app, head, email="head@borplathong.go.th")
    case_id, code, _ = citizen_case(app, email="worker@example.com")
    with app.app_context():
        case = db.session.get(Case, case_id)
        case.ack_due = case.ack_due - timedelta(days=30)  # long overdue: the SLA check escalates
        db.session.commit()
    stop = threading.Event()
    thread = threading.Thread(target=lambda: _run(app, run_worker, stop))
    thread.start()
    try:
        smtp.wait_for(3)
        citizen_case(app, email="second@example.com")  # arrives while the worker runs
        smtp.wait_for(5)
    finally:
        stop.set()
        thread.join(timeout=30)
    kinds = sorted(r["kind"] for r in outbox(app))
    assert kinds == ["escalation", "new_case", "new_case", "receipt", "receipt"]
    assert {r["status"] for r in outbox(app)} == {"sent"}
    assert len(smtp.to("worker@example.com")) == 1 and len(smtp.to("second@example.com")) == 1
    assert any(code in m.subject for m in smtp.to("head@borplathong.go.th"))


def _run(app, run_worker, stop):
    with app.app_context():
        run_worker(stop=stop)


# --- the administrators' page -------------------------------------------------------------------------


def test_admin_sees_failed_mail_with_the_error_and_can_retry_it(app, client, smtp, make_user, login_as):
    smtp.handler.refuse = {"bounce@example.com"}
    citizen_case(app, email="bounce@example.com")
    deliver(app)
    failed = outbox(app, status="failed")
    assert len(failed) == 1

    officer = make_user("plain", roles=("officer",), divisions=("engineering",))
    login_as(officer)
    assert client.get("/admin/outbox").status_code == 403

    admin = make_user("admin1", roles=("admin",))
    login_as(admin)
    client.get("/lang/en")
    page = client.get("/admin/outbox")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="failed-mails"' in html
    assert "550" in html and "User unknown" in html
    assert "bounce@example.com" not in html  # a citizen's address is masked, in the error too
    assert "b•••@example.com" in html
    assert 'id="count-failed">1<' in html

    # Without a CSRF token nothing happens.
    assert client.post(f"/admin/outbox/{failed[0]['id']}/retry").status_code == 400
    assert outbox(app)[0]["status"] == "failed"

    smtp.handler.refuse = set()
    response = client.post(f"/admin/outbox/{failed[0]['id']}/retry", data={"csrf_token": csrf_token(html)})
    assert response.status_code == 302
    row = outbox(app, id=failed[0]["id"])[0]
    assert (row["status"], row["attempts"]) == ("pending", 0)
    with app.app_context():
        from eservice.models import AuditEntry

        assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "outbox.retry")) is not None
    assert deliver(app).sent == 1
    assert len(smtp.to("bounce@example.com")) == 1
    assert client.post("/admin/outbox/999999/retry", data={"csrf_token": csrf_token(html)}).status_code == 404


def test_admin_can_retry_every_failed_mail_at_once(app, client, smtp, make_user, login_as):
    smtp.handler.refuse = {"a@example.com", "b@example.com"}
    citizen_case(app, email="a@example.com")
    citizen_case(app, email="b@example.com")
    deliver(app)
    assert len(outbox(app, status="failed")) == 2
    login_as(make_user("admin1", roles=("admin",)))
    html = client.get("/admin/outbox").get_data(as_text=True)
    smtp.handler.refuse = set()
    assert client.post("/admin/outbox/retry-failed", data={"csrf_token": csrf_token(html)}).status_code == 302
    assert deliver(app).sent == 2
    assert "No failed mails" in client.get("/admin/outbox", headers={"Accept-Language": "en"}).get_data(
        as_text=True) or outbox(app, status="failed") == []


def test_a_sealed_reporters_address_never_shows_on_the_admin_page(app, client, smtp, make_user, login_as):
    smtp.handler.refuse = {"whistle@example.com"}
    citizen_case(app, case_type="corruption", category="bribery", email="whistle@example.com")
    deliver(app)
    assert outbox(app, status="failed")
    login_as(make_user("admin1", roles=("admin",)))
    html = client.get("/admin/outbox").get_data(as_text=True)
    assert "whistle" not in html
    assert "example.com" not in html


def test_description_is_in_no_outbox_row(app, smtp, officer):
    citizen_case(app, email="x@example.com")
    deliver(app)
    for row in outbox(app):
        assert DESCRIPTION not in (row["subject"] + row["body_text"] + row["body_html"])


def test_staff_see_a_new_case_in_their_queue_whatever_the_mail_server_does(app, client, smtp, officer, login_as):
    smtp.stop()
    case_id, code, _ = citizen_case(app)
    assert deliver(app).sent == 0  # the mail is stuck...
    login_as(officer)
    queue = client.get("/staff/")
    assert queue.status_code == 200
    assert code in queue.get_data(as_text=True)  # ...the case is not
