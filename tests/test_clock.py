"""The working-day clock of a case: weekends, holidays, the pause while waiting for the citizen,
overdue and due-soon flags (in Python and as the queue's SQL), and "on time" that counts a case still
open past its date as late."""

from datetime import UTC, date, datetime, time
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from eservice.domain import clock, workflow
from eservice.domain.thai import BANGKOK
from eservice.extensions import db
from eservice.models import Case

from .factories import new_case

SONGKRAN = {date(2025, 4, 14), date(2025, 4, 15)}  # a set given by hand (the clock's arithmetic alone)


def at_bangkok(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=BANGKOK).astimezone(UTC)


# --- plain working-day arithmetic --------------------------------------------------------------------


def test_weekends_are_skipped():
    assert clock.add_working_days(date(2025, 1, 3), 1, ()) == date(2025, 1, 6)  # Friday -> Monday
    assert clock.add_working_days(date(2025, 1, 4), 1, ()) == date(2025, 1, 6)  # Saturday -> Monday
    assert clock.add_working_days(date(2025, 1, 6), 5, ()) == date(2025, 1, 13)


def test_holidays_are_skipped():
    assert clock.add_working_days(date(2025, 4, 11), 1, SONGKRAN) == date(2025, 4, 16)
    assert clock.add_working_days(date(2025, 4, 12), 0, SONGKRAN) == date(2025, 4, 16)  # first working day on/after


def test_working_days_between_counts_the_half_open_span():
    assert clock.working_days_between(date(2025, 1, 3), date(2025, 1, 6), ()) == 1  # Sat, Sun, Mon
    assert clock.working_days_between(date(2025, 4, 11), date(2025, 4, 16), SONGKRAN) == 1
    assert clock.working_days_between(date(2025, 1, 6), date(2025, 1, 6), ()) == 0
    assert clock.working_days_between(date(2025, 1, 7), date(2025, 1, 6), ()) == 0


# --- the deadline of one case -------------------------------------------------------------------------


def fake(status, ack_due, resolve_due, **extra):
    values = dict(status=status, ack_due=ack_due, resolve_due=resolve_due, paused_since=None, resolved_at=None,
                  events=[])
    values.update(extra)
    return SimpleNamespace(**values)


MONDAY = date(2025, 1, 6)


def test_until_acknowledged_the_office_works_to_the_acknowledge_date():
    case = fake("received", date(2025, 1, 3), date(2025, 1, 20))
    assert clock.next_due(case) == date(2025, 1, 3)
    assert clock.deadline_state(case, MONDAY) == "overdue"  # not acknowledged in time
    case.status = "acknowledged"
    assert clock.next_due(case) == date(2025, 1, 20)
    assert clock.deadline_state(case, MONDAY) == "on_track"


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (date(2025, 1, 3), "overdue"),  # the Friday before
        (MONDAY, "due_soon"),  # today is the last day: not late yet
        (date(2025, 1, 8), "due_soon"),  # two working days ahead
        (date(2025, 1, 9), "on_track"),
    ],
)
def test_overdue_and_due_soon(due, expected):
    case = fake("in_progress", date(2025, 1, 1), due)
    assert clock.deadline_state(case, MONDAY) == expected


def test_due_soon_counts_working_days_not_calendar_days():
    friday = date(2025, 1, 3)
    case = fake("in_progress", friday, date(2025, 1, 7))  # the Tuesday after: two working days on
    assert clock.deadline_state(case, friday) == "due_soon"
    case.resolve_due = date(2025, 1, 8)
    assert clock.deadline_state(case, friday) == "on_track"


def test_waiting_for_the_citizen_stops_the_clock():
    case = fake("awaiting_citizen", date(2025, 1, 1), date(2025, 1, 3), paused_since=at_bangkok(date(2025, 1, 2)))
    # Past the date on the calendar, but the office is waiting: neither overdue nor due soon.
    assert clock.deadline_state(case, date(2025, 1, 20)) == "paused"
    # The resolve-by date moves on by the working days of waiting so far (3 Jan .. 20 Jan: 12).
    assert clock.resolve_due_as_of(case, date(2025, 1, 20), ()) == clock.add_working_days(date(2025, 1, 3), 12, ())


def test_finished_cases_have_no_deadline():
    for status in ("resolved", "closed", "rejected", "duplicate"):
        assert clock.deadline_state(fake(status, date(2025, 1, 1), date(2025, 1, 2)), MONDAY) == "finished"


# --- on time, for the statistics: one definition (clock.on_time over what the workflow stores) --------
#
# The cases below are real ones moved by the workflow, so that the stored verdict the statistics count
# (resolved_on_time) and clock.on_time are the same rule.

STREET_LIGHT_DAYS = 7  # street_light: 7 working days to answer


def _case_due_monday(app):
    """A street-light case filed so that its resolve-by date is Monday 6 January 2025."""
    filed_on = date(2024, 12, 24)  # Tuesday; 7 working days on, with 31 Dec and 1 Jan off, is 6 Jan
    case_id = _file(app, at_bangkok(filed_on))
    case = db.session.get(Case, case_id)
    case.resolve_due = MONDAY  # whatever the calendar of the year says, the date under test is Monday
    db.session.commit()
    return case


def test_answered_by_the_date_is_on_time_and_after_it_late(app):
    with app.app_context():
        case = _case_due_monday(app)
        workflow.transition(db.session, case, "resolve", note="ซ่อมแล้ว", now=at_bangkok(MONDAY, 16))
        assert clock.on_time(case, date(2025, 2, 1)) is True
        late = _case_due_monday(app)
        workflow.transition(db.session, late, "resolve", note="ซ่อมแล้ว", now=at_bangkok(date(2025, 1, 7), 9))
        assert clock.on_time(late, date(2025, 2, 1)) is False


def test_open_past_its_date_counts_as_late(app):
    with app.app_context():
        case = _case_due_monday(app)
        workflow.transition(db.session, case, "start", now=at_bangkok(date(2025, 1, 2)))
        case.resolve_due = date(2025, 1, 3)
        assert clock.on_time(case, MONDAY) is False
        case.resolve_due = date(2025, 1, 10)
        assert clock.on_time(case, MONDAY) is None  # still within time: not decided


def test_a_case_paused_after_its_date_stays_late(app):
    with app.app_context():
        case = _case_due_monday(app)
        case.resolve_due = date(2025, 1, 3)
        workflow.transition(db.session, case, "request_info", note="?", now=at_bangkok(date(2025, 1, 8)))
        assert clock.on_time(case, date(2025, 1, 20)) is False
        on_time_pause = _case_due_monday(app)
        on_time_pause.resolve_due = date(2025, 1, 10)
        workflow.transition(db.session, on_time_pause, "request_info", note="?", now=at_bangkok(date(2025, 1, 6)))
        assert clock.on_time(on_time_pause, date(2025, 1, 20)) is None


def test_a_rejection_is_an_answer_timed_by_its_event(app):
    with app.app_context():
        case = _case_due_monday(app)
        workflow.transition(db.session, case, "reject", note="ไม่อยู่ในอำนาจ", now=at_bangkok(date(2025, 1, 3)))
        workflow.transition(db.session, case, "close", now=at_bangkok(date(2025, 1, 20)))
        assert clock.on_time(case, date(2025, 2, 1)) is True


def test_the_statistics_sql_counts_late_as_clock_on_time_does(app):
    """The SQL the statistics use for open cases agrees with clock.on_time, case by case."""
    today = date(2025, 1, 20)
    with app.app_context():
        running_late = _case_due_monday(app)
        workflow.transition(db.session, running_late, "start", now=at_bangkok(date(2025, 1, 2)))
        within_time = _case_due_monday(app)
        within_time.resolve_due = date(2025, 1, 31)
        paused_late = _case_due_monday(app)
        workflow.transition(db.session, paused_late, "request_info", note="?", now=at_bangkok(date(2025, 1, 8)))
        paused_in_time = _case_due_monday(app)
        workflow.transition(db.session, paused_in_time, "request_info", note="?", now=at_bangkok(date(2025, 1, 2)))
        answered_late = _case_due_monday(app)
        workflow.transition(db.session, answered_late, "resolve", note="ok", now=at_bangkok(date(2025, 1, 9)))
        db.session.commit()
        cases = [running_late, within_time, paused_late, paused_in_time, answered_late]
        late_by_sql = set(db.session.scalars(select(Case.id).where(
            clock.late_open_clause(today) | Case.resolved_on_time.is_(False))))
        late_by_rule = {c.id for c in cases if clock.on_time(c, today) is False}
        assert late_by_sql == late_by_rule == {running_late.id, paused_late.id, answered_late.id}


# --- with the database: the pause through the workflow, and the queue's SQL --------------------------


def _file(app, when: datetime, category="street_light") -> int:
    return new_case(app, now=when, category=category, description="ไฟดับ").id


def test_pause_moves_the_resolve_date_by_the_working_days_waited(app):
    with app.app_context():
        case_id = _file(app, at_bangkok(date(2025, 1, 6)))  # Monday; street_light: 7 working days
        case = db.session.get(Case, case_id)
        assert case.resolve_due == date(2025, 1, 15)
        workflow.transition(db.session, case, "request_info", note="ขอทราบเลขเสาไฟ", now=at_bangkok(date(2025, 1, 8)))
        db.session.commit()
        assert case.status == "awaiting_citizen"
        # The citizen answers the next Wednesday: Thu, Fri, Mon, Tue, Wed = 5 working days of waiting.
        workflow.transition(db.session, case, "citizen_answer", note="เสาที่ 12", now=at_bangkok(date(2025, 1, 15)))
        db.session.commit()
        assert case.status == "in_progress"
        assert case.paused_days == 5
        assert case.resolve_due == date(2025, 1, 22)
        assert case.paused_since is None


def test_pause_over_a_holiday_does_not_count_the_holiday(app):
    with app.app_context():
        case_id = _file(app, at_bangkok(date(2025, 4, 8)))  # Tuesday before Songkran
        case = db.session.get(Case, case_id)
        before = case.resolve_due
        workflow.transition(db.session, case, "request_info", note="?", now=at_bangkok(date(2025, 4, 11)))
        workflow.transition(db.session, case, "resume", now=at_bangkok(date(2025, 4, 17)))
        db.session.commit()
        # 12-13 a weekend, 14-15 Songkran, 16 in lieu of Songkran's Sunday: only the 17th counts
        assert case.paused_days == 1
        assert case.resolve_due == clock.add_working_days(before, 1, clock.holidays_from(db.session, before))


def test_queue_sql_agrees_with_the_python_flags(app):
    today = date(2025, 1, 6)
    with app.app_context():
        ids = [
            _file(app, at_bangkok(date(2024, 12, 20))),  # long overdue
            _file(app, at_bangkok(date(2025, 1, 3))),  # acknowledge by today: due soon
            _file(app, at_bangkok(date(2025, 1, 6))),  # filed today
        ]
        waiting = db.session.get(Case, ids[0])
        paused_id = _file(app, at_bangkok(date(2024, 12, 20)))
        paused = db.session.get(Case, paused_id)
        workflow.transition(db.session, paused, "request_info", note="?", now=at_bangkok(date(2024, 12, 23)))
        done = db.session.get(Case, ids[1])
        assert waiting.status == "received"
        db.session.commit()
        ids.append(paused_id)

        holidays = clock.holidays_from(db.session, today)
        limit = clock.due_soon_limit(today, holidays)
        states = {i: clock.deadline_state(db.session.get(Case, i), today, holidays, limit) for i in ids}
        overdue = set(db.session.scalars(select(Case.id).where(clock.overdue_clause(today))))
        soon = set(db.session.scalars(select(Case.id).where(clock.due_soon_clause(today, limit))))
        assert overdue == {i for i, s in states.items() if s == "overdue"}
        assert soon == {i for i, s in states.items() if s == "due_soon"}
        assert states[ids[0]] == "overdue" and states[ids[1]] == "due_soon" and states[paused_id] == "paused"
        assert done.id not in overdue
