"""``sla-check``: reminders one working day before a due date, escalation to the heads after it,
the heads' daily digest; each once per case and threshold however often the check runs.

The clock is fixed: Wednesday 8 January 2025, 08:00 in Bangkok (1 January is the only holiday near).
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eservice.domain import clock
from eservice.domain.thai import bangkok_today
from eservice.extensions import db
from eservice.models.outbox import DigestMark, SlaNotice
from eservice.notifications.sla import run_sla_check

from .factories import DESCRIPTION, apply_action, citizen_case, mail_staff, set_case, set_user
from .smtp_server import deliver, outbox

WED = datetime(2025, 1, 8, 1, 0, tzinfo=UTC)  # 08:00 Bangkok
THU = WED + timedelta(days=1)
FRI = WED + timedelta(days=2)
SAT = WED + timedelta(days=3)
FILED = datetime(2025, 1, 6, 3, 0, tzinfo=UTC)  # Monday


@pytest.fixture
def app(mail_app):
    return mail_app


@pytest.fixture
def staff(app):
    return mail_staff(app, ("officer", "head", "health", "integrity"))


def check(app, now, **kwargs):
    with app.app_context():
        return run_sla_check(db.session, now=now, **kwargs)


def notices(app):
    with app.app_context():
        return sorted((n.case_id, n.threshold, n.due_on) for n in db.session.scalars(select(SlaNotice)))


def sla_mails(app, kind):
    return [r for r in outbox(app) if r["kind"] == kind]


def test_a_reminder_fires_once_one_working_day_before_the_due_date(app, smtp, staff):
    case_id, code, _ = citizen_case(app, email="", now=FILED)
    set_case(app, case_id, ack_due=date(2025, 1, 9))  # Thursday: one working day from Wednesday
    assert check(app, WED - timedelta(days=1)).reminders == 0  # Tuesday: two working days left

    first = check(app, WED)
    assert (first.reminders, first.escalations) == (1, 0)
    for _ in range(3):
        again = check(app, WED + timedelta(hours=2))
        assert (again.reminders, again.escalations, again.mails) == (0, 0, 0)
    assert notices(app) == [(case_id, "ack_reminder", date(2025, 1, 9))]
    assert sorted(r["user_id"] for r in sla_mails(app, "reminder")) == sorted([staff["officer"], staff["head"]])

    deliver(app)
    mail = smtp.to("officer@borplathong.go.th")[-1]
    assert mail.subject == f"[{code}] One working day left: due 9 Jan 2025"
    assert f"Case {code} must be acknowledged by 9 Jan 2025." in mail.text
    assert "Assigned to: nobody yet" in mail.text
    assert DESCRIPTION not in mail.everything


def test_the_reminder_goes_to_the_assignee_only_once_assigned(app, smtp, staff):
    case_id, code, _ = citizen_case(app, email="", now=FILED)
    apply_action(app, case_id, "acknowledge", actor_id=staff["head"], now=FILED)
    set_case(app, case_id, assigned_to_id=staff["officer"], resolve_due=date(2025, 1, 9))
    assert check(app, WED).reminders == 1
    assert [r["user_id"] for r in sla_mails(app, "reminder")] == [staff["officer"]]
    assert [r["data"]["stage"] for r in sla_mails(app, "reminder")] == ["resolve"]


def test_an_overdue_case_is_escalated_to_the_head_once(app, smtp, staff):
    case_id, code, _ = citizen_case(app, email="", now=FILED)
    set_case(app, case_id, ack_due=date(2025, 1, 7))  # Tuesday: past on Wednesday
    first = check(app, WED)
    assert (first.reminders, first.escalations) == (0, 1)
    for moment in (WED + timedelta(hours=1), THU, FRI):
        assert check(app, moment).escalations == 0
    assert [r["user_id"] for r in sla_mails(app, "escalation")] == [staff["head"]]
    deliver(app)
    mail = smtp.to("head@borplathong.go.th")[-1]
    assert mail.subject == f"[{code}] Overdue since 7 Jan 2025"
    assert "please follow it up" in mail.text
    assert not [m for m in smtp.to("officer@borplathong.go.th") if "Overdue" in m.subject]


def test_running_sla_check_from_the_command_line_repeatedly_reminds_once(app, smtp, staff):
    case_id, code, _ = citizen_case(app, email="")
    with app.app_context():
        today = bangkok_today()
        tomorrow = clock.add_working_days(today, 1, clock.holidays_from(db.session, today))
    set_case(app, case_id, ack_due=tomorrow)
    runner = app.test_cli_runner()
    outputs = [runner.invoke(args=["sla-check", "--no-digest"]) for _ in range(3)]
    assert all(o.exit_code == 0 for o in outputs), outputs[0].output
    assert outputs[0].output.startswith("1 reminders, 0 escalations")
    assert outputs[1].output.startswith("0 reminders, 0 escalations")
    assert outputs[2].output.startswith("0 reminders, 0 escalations")
    assert len(sla_mails(app, "reminder")) == 2  # officer and head, once each


def test_a_due_date_that_moves_is_reminded_about_again(app, staff):
    case_id, _, _ = citizen_case(app, email="", now=FILED)
    set_case(app, case_id, ack_due=date(2025, 1, 9))
    assert check(app, WED).reminders == 1
    set_case(app, case_id, ack_due=date(2025, 1, 13))  # moved to Monday
    assert check(app, THU).reminders == 0  # Thursday: two working days to Monday
    assert check(app, FRI).reminders == 1  # Friday: one
    assert [n[2] for n in notices(app)] == [date(2025, 1, 9), date(2025, 1, 13)]


def test_no_reminder_while_waiting_for_the_citizen_or_once_finished(app, staff):
    waiting, _, _ = citizen_case(app, email="", now=FILED)
    apply_action(app, waiting, "request_info", actor_id=staff["officer"], note="Which house?", now=FILED)
    finished, _, _ = citizen_case(app, email="", now=FILED)
    apply_action(app, finished, "resolve", actor_id=staff["officer"], note="Done", now=FILED)
    for case_id in (waiting, finished):
        set_case(app, case_id, ack_due=date(2025, 1, 2), resolve_due=date(2025, 1, 2))
    result = check(app, WED)
    assert (result.reminders, result.escalations) == (0, 0)
    assert notices(app) == []


def test_a_division_without_a_head_still_hears_of_an_overdue_case(app, staff):
    case_id, _, _ = citizen_case(app, email="", category="garbage", now=FILED)  # health division: no head
    set_case(app, case_id, ack_due=date(2025, 1, 7))
    assert check(app, WED).escalations == 1
    assert [r["user_id"] for r in sla_mails(app, "escalation")] == [staff["health"]]


def test_integrity_reminders_carry_no_detail(app, smtp, staff):
    case_id, code, _ = citizen_case(app, case_type="corruption", category="bribery", email="", now=FILED)
    set_case(app, case_id, ack_due=date(2025, 1, 7), resolve_due=date(2025, 1, 9))
    result = check(app, WED)
    assert (result.reminders, result.escalations) == (1, 1)
    rows = [r for r in outbox(app) if r["data"] and r["data"].get("reason") in ("reminder", "overdue")]
    assert {r["kind"] for r in rows} == {"integrity_notice"}
    assert {r["user_id"] for r in rows} == {staff["integrity"]}
    deliver(app)
    for mail in smtp.to("integrity@borplathong.go.th"):
        assert code not in mail.everything and DESCRIPTION not in mail.everything
    texts = " ".join(m.text for m in smtp.to("integrity@borplathong.go.th"))
    assert "A report is past its due date." in texts and "one working day from its due date" in texts
    for who in ("officer", "head", "health"):
        assert smtp.to(f"{who}@borplathong.go.th") == []


# --- the daily digest --------------------------------------------------------------------------------


def test_the_daily_digest_goes_once_a_working_day_to_heads_who_opted_in(app, smtp, staff, make_user):
    set_user(app, staff["head"], wants_daily_digest=True)
    other_head = make_user("noone", roles=("head",), divisions=("health",))
    set_user(app, other_head, email="other-head@borplathong.go.th")  # did not opt in
    overdue_id, overdue_code, _ = citizen_case(app, email="", now=FILED)
    soon_id, soon_code, _ = citizen_case(app, email="", now=FILED)
    later_id, later_code, _ = citizen_case(app, email="", now=FILED)
    set_case(app, overdue_id, ack_due=date(2025, 1, 7))
    set_case(app, soon_id, ack_due=date(2025, 1, 10))
    set_case(app, later_id, ack_due=date(2025, 1, 20), resolve_due=date(2025, 1, 31))

    assert check(app, WED - timedelta(hours=2)).digests == 0  # 06:00 Bangkok: too early
    assert check(app, WED).digests == 1
    assert check(app, WED + timedelta(hours=3)).digests == 0  # once a day
    assert check(app, SAT).digests == 0  # not on a weekend
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DigestMark)) == 1
    deliver(app)
    digest = [m for m in smtp.to("head@borplathong.go.th") if m.subject.startswith("Daily summary")]
    assert len(digest) == 1
    assert digest[0].subject == "Daily summary of cases, 8 Jan 2025"
    text = digest[0].text
    assert "Engineering Division" in text and "Open cases: 3" in text
    assert overdue_code in text and soon_code in text and later_code not in text
    assert "https://eservice.borplathong.go.th/staff/cases/" in digest[0].html
    assert "/notifications/digest" in text
    assert smtp.to("other-head@borplathong.go.th") == []
    assert check(app, THU).digests == 1  # the next working day, the next digest


def test_the_integrity_heads_digest_counts_reports_without_listing_them(app, smtp, make_user):
    head = make_user("chief", roles=("integrity", "head"), divisions=("integrity",))
    set_user(app, head, email="chief@borplathong.go.th", wants_daily_digest=True, locale="en")
    case_id, code, _ = citizen_case(app, case_type="gift", category="gift", email="", now=FILED)
    set_case(app, case_id, ack_due=date(2025, 1, 7))
    assert check(app, WED).digests == 1
    deliver(app)
    digest = [m for m in smtp.to("chief@borplathong.go.th") if m.subject.startswith("Daily summary")][0]
    assert "Open cases: 1" in digest.text and "Overdue: 1" in digest.text
    assert code not in digest.everything and DESCRIPTION not in digest.everything
    assert "never listed in mail" in digest.text


def test_a_head_chooses_the_digest_on_a_page(app, client, staff, login_as):
    from .web import csrf_token

    login_as(staff["officer"])
    assert client.get("/notifications/digest").status_code == 403  # heads only
    login_as(staff["head"])
    page = client.get("/notifications/digest")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="wants_daily_digest"' in html
    assert client.post("/notifications/digest", data={"wants_daily_digest": "y"}).status_code == 400  # no CSRF
    response = client.post("/notifications/digest", data={"csrf_token": csrf_token(html), "wants_daily_digest": "y"})
    assert response.status_code == 302
    from eservice.models import User

    with app.app_context():
        assert db.session.get(User, staff["head"]).wants_daily_digest is True
    client.post("/notifications/digest", data={"csrf_token": csrf_token(html)})
    with app.app_context():
        assert db.session.get(User, staff["head"]).wants_daily_digest is False
