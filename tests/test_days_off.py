"""The days off from the holidays package (issue 10, "The calendar"): what counts as closed, the dates the
hand-typed list missed, Songkran and the year's end, an administrator's changes surviving a sync, open cases
moved with an event when the days off change (finished ones kept), the `holidays` commands, the staff pages'
warning while a year ahead is not loaded, and the administrators' forms under arbitrary input."""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from eservice.domain import clock, days_off
from eservice.domain.thai import bangkok_today
from eservice.extensions import db
from eservice.models import AuditEntry, CalendarYear, Case, CaseEvent, Holiday, HolidaySource

from .factories import last_audit, load_case, make_user, new_case
from .web import csrf_token, post, signed_in_client

BANGKOK = ZoneInfo("Asia/Bangkok")

# What the hand-typed list missed (issue 10).
KNOWN_MISSES = {
    date(2026, 3, 3): "วันมาฆบูชา",  # Makha Bucha
    date(2026, 6, 1): "ชดเชยวันวิสาขบูชา",  # Visakha Bucha falls on Sunday 31 May
    date(2026, 7, 29): "วันอาสาฬหบูชา",  # Asanha Bucha
    date(2026, 7, 30): "วันเข้าพรรษา",  # Khao Phansa
    date(2025, 4, 16): "ชดเชยวันสงกรานต์",  # Songkran's Sunday (13 April 2025) in lieu
}


def at_bangkok(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=BANGKOK).astimezone(UTC)


def days_off_of(app) -> dict[date, Holiday]:
    with app.app_context():
        rows = db.session.scalars(select(Holiday)).all()
        db.session.expunge_all()
        return {h.day: h for h in rows if h.is_day_off}


def unload(app, year: int) -> None:
    """As if ``year`` had never been loaded: its package days and its calendar_year row gone."""
    with app.app_context():
        db.session.execute(delete(Holiday).where(Holiday.day >= date(year, 1, 1), Holiday.day < date(year + 1, 1, 1),
                                                 Holiday.source == HolidaySource.PACKAGE.value))
        db.session.execute(delete(CalendarYear).where(CalendarYear.year == year))
        db.session.commit()


def sync(app, *years, now=None):
    with app.app_context():
        result = days_off.sync(db.session, years, now=now)
        db.session.commit()
        return result


def moved_events(app, code) -> list[CaseEvent]:
    return [e for e in load_case(app, code).events if e.kind == "due_dates_moved"]


# --- what the package gives ---------------------------------------------------------------------------


def test_the_days_the_hand_typed_list_missed_are_days_off(app):
    off = days_off_of(app)
    for day, name in KNOWN_MISSES.items():
        assert day in off, day
        assert off[day].name == name and off[day].source == HolidaySource.PACKAGE
        assert off[day].name_en  # English names from the package's en_US
    assert off[date(2026, 6, 1)].name_en == "Visakha Bucha (in lieu)"


def test_public_and_government_days_close_the_office_bank_and_others_do_not():
    assert days_off.OFFICE_CLOSED_CATEGORIES == ("public", "government")
    days = {d for d, _, _ in days_off.package_days(2026)}
    assert date(2026, 5, 13) in days  # Royal Ploughing Ceremony: GOVERNMENT
    assert date(2026, 4, 13) in days  # Songkran: PUBLIC
    assert date(2026, 1, 18) not in days  # Royal Thai Armed Forces Day: ARMED_FORCES only
    assert date(2026, 1, 16) not in days  # Teacher's Day: SCHOOL only
    assert date(2026, 2, 26) not in days  # National Artist Day: a WORKDAY observance


def test_songkran_2027_a_case_filed_on_8_april_is_due_in_may(app):
    # Songkran 13-15 April 2027, Labour Day (Sat 1 May) in lieu on Monday 3 May, Coronation Day 4 May.
    case = load_case(app, new_case(app, now=at_bangkok(date(2027, 4, 8))).code)  # road: 15 working days
    assert case.resolve_due >= date(2027, 5, 5)
    assert case.resolve_due == date(2027, 5, 6)


def test_the_year_boundary_a_case_filed_on_9_december_is_not_due_on_new_years_day(app):
    case = load_case(app, new_case(app, now=at_bangkok(date(2026, 12, 9))).code)
    # 10 Dec Constitution Day, 31 Dec and 1 Jan off: the 15th working day is Monday 4 January 2027.
    assert case.resolve_due != date(2027, 1, 1)
    assert case.resolve_due == date(2027, 1, 4)


def test_a_substitution_day_is_skipped(app):
    # Friday 29 May 2026 + 1 working day: Monday 1 June is Visakha Bucha in lieu, so Tuesday 2 June.
    case = load_case(app, new_case(app, now=at_bangkok(date(2026, 5, 29))).code)
    assert case.ack_due == date(2026, 6, 2)


def test_moved_due_keeps_the_number_of_working_days():
    before, after = set(), {date(2027, 4, 13), date(2027, 4, 14), date(2027, 4, 15)}
    due = clock.add_working_days(date(2027, 4, 8), 15, before)
    assert due == date(2027, 4, 29)
    later = clock.moved_due(date(2027, 4, 8), due, before, after)
    assert later == clock.add_working_days(date(2027, 4, 8), 15, after) == date(2027, 5, 4)
    assert clock.moved_due(date(2027, 4, 8), later, after, before) == due  # and back
    assert clock.moved_due(date(2027, 4, 20), date(2027, 4, 20), before, after) == date(2027, 4, 20)


# --- administrators' changes and syncs ----------------------------------------------------------------


def test_an_administrators_changes_survive_a_sync(app, admin, runner):
    with app.app_context():
        ploughing = db.session.scalar(select(Holiday.id).where(Holiday.day == date(2026, 5, 13)))
    # The Cabinet declares a special day off; the office works on the Royal Ploughing Ceremony.
    assert post(admin, "/admin/holidays/add", {"day": "2026-12-28", "name": "วันหยุดพิเศษ (มติ ครม.)",
                                               "name_en": "Special day off"},
                token_page="/admin/holidays").status_code == 302
    assert post(admin, f"/admin/holidays/{ploughing}/delete", token_page="/admin/holidays").status_code == 302
    assert last_audit(app, "admin.holiday.delete").details["source"] == "package"

    result = runner.invoke(args=["holidays", "sync", "--year", "2026"])
    assert result.exit_code == 0, result.output
    off = days_off_of(app)
    assert off[date(2026, 12, 28)].name == "วันหยุดพิเศษ (มติ ครม.)"
    assert off[date(2026, 12, 28)].source == HolidaySource.ADMIN_ADDED
    assert date(2026, 5, 13) not in off
    with app.app_context():
        assert date(2026, 5, 13) not in clock.holidays_from(db.session, date(2026, 1, 1))
        assert db.session.scalar(select(Holiday.source).where(Holiday.day == date(2026, 5, 13))) == "admin_removed"
    listed = runner.invoke(args=["holidays", "list", "--year", "2569"]).output  # B.E. works too
    assert "2026-12-28 วันหยุดพิเศษ (มติ ครม.)" in listed and "2026-05-13" not in listed

    page = admin.get("/admin/holidays?year=2026").get_data(as_text=True)
    assert "Removed by an administrator" in page and "Added by an administrator" in page
    # Put back: a day off again, under the package's name, and it stays so through a sync.
    assert post(admin, f"/admin/holidays/{ploughing}/restore", token_page="/admin/holidays").status_code == 302
    sync(app, 2026)
    assert days_off_of(app)[date(2026, 5, 13)].name == "วันพืชมงคล"


def test_removing_an_administrators_own_day_deletes_it(app, admin):
    post(admin, "/admin/holidays/add", {"day": "2031-05-13", "name": "วันหยุดท้องถิ่น"}, token_page="/admin/holidays")
    with app.app_context():
        row = db.session.scalar(select(Holiday.id).where(Holiday.day == date(2031, 5, 13)))
    post(admin, f"/admin/holidays/{row}/delete", token_page="/admin/holidays")
    with app.app_context():
        assert db.session.get(Holiday, row) is None


def test_a_sync_follows_the_package_for_its_own_days(app):
    with app.app_context():  # a package day the package no longer has, and one renamed
        db.session.add(Holiday(day=date(2026, 9, 9), name="ผิด", source=HolidaySource.PACKAGE.value))
        db.session.scalar(select(Holiday).where(Holiday.day == date(2026, 3, 3))).name = "ชื่อเก่า"
        db.session.commit()
    result = sync(app, 2026)
    assert [(c.day, c.off) for c in result.changes] == [(date(2026, 9, 9), False)] and result.renamed == 1
    off = days_off_of(app)
    assert date(2026, 9, 9) not in off and off[date(2026, 3, 3)].name == "วันมาฆบูชา"
    assert last_audit(app, "holiday.sync").details["removed"] == ["2026-09-09"]
    assert sync(app, 2026).changes == []  # a second sync changes nothing


# --- open cases moved, finished cases kept -------------------------------------------------------------


def test_loading_a_year_moves_open_cases_with_an_event_and_keeps_finished_ones(app):
    unload(app, 2027)
    filed = at_bangkok(date(2027, 4, 8))
    waiting = new_case(app, now=filed)  # received, not acknowledged
    working = new_case(app, now=filed, actions=[("acknowledge", filed), ("start", filed)])
    paused = new_case(app, now=filed, actions=[("acknowledge", filed), ("request_info", filed)])
    finished = new_case(app, now=filed, actions=[("acknowledge", filed), ("resolve", at_bangkok(date(2027, 4, 9)))])
    unacknowledged = new_case(app, now=at_bangkok(date(2027, 4, 12)))  # acknowledge by the 13th without Songkran
    before = {c.code: load_case(app, c.code) for c in (waiting, working, paused, finished, unacknowledged)}
    assert before[waiting.code].resolve_due == date(2027, 4, 29)  # the wrong date
    assert before[unacknowledged.code].ack_due == date(2027, 4, 13)

    result = sync(app, 2027, now=at_bangkok(date(2026, 12, 2)))

    assert {m.code for m in result.moved} == {waiting.code, working.code, paused.code, unacknowledged.code}
    for code in (waiting.code, working.code, paused.code):
        case = load_case(app, code)
        assert case.resolve_due == date(2027, 5, 6)
        (event,) = moved_events(app, code)
        assert event.public is False and event.actor_kind == "system"
        assert event.data["why"] == "sync" and event.data["resolve"] == ["2027-04-29", "2027-05-06"]
        # The weekdays that became days off inside its count (Saturday 1 May changes nothing).
        assert {d["day"] for d in event.data["days"]} == {"2027-04-13", "2027-04-14", "2027-04-15", "2027-05-03",
                                                          "2027-05-04"}
    assert load_case(app, working.code).ack_due == before[working.code].ack_due  # acknowledged: kept
    moved_ack = load_case(app, unacknowledged.code)
    assert moved_ack.ack_due == date(2027, 4, 16)
    assert moved_events(app, unacknowledged.code)[0].data["ack"] == ["2027-04-13", "2027-04-16"]
    kept = load_case(app, finished.code)
    assert (kept.ack_due, kept.resolve_due) == (before[finished.code].ack_due, date(2027, 4, 29))
    assert moved_events(app, finished.code) == [] and kept.resolved_on_time is True
    assert sorted(last_audit(app, "holiday.sync").details["cases_moved"]) == sorted(m.code for m in result.moved)

    # Staff read why on the case's timeline; the citizen's timeline does not show it.
    officer = signed_in_client(app, make_user(app, "engineer", divisions=("engineering",)))
    page = officer.get(f"/staff/cases/{waiting.code}").get_data(as_text=True)
    assert "Due dates moved: the days off changed" in page
    assert "Resolve by: 29 Apr 2027 → 6 May 2027" in page
    assert "13 Apr 2027 is now a day off: Songkran Festival" in page
    assert "The official calendar was loaded again from the holidays package." in page
    citizen = app.test_client()
    token = csrf_token(citizen.get("/track").get_data(as_text=True))
    citizen.post("/track", data={"csrf_token": token, "code": waiting.code, "key": waiting.key})
    tracking = citizen.get(f"/track/{waiting.code}?lang=en").get_data(as_text=True)
    assert waiting.code in tracking and "Due dates moved" not in tracking and "เลื่อนวันครบกำหนด" not in tracking
    reader = signed_in_client(app, make_user(app, "engineer2", divisions=("engineering",)), lang="th")
    thai = reader.get(f"/staff/cases/{waiting.code}").get_data(as_text=True)
    assert "13 เม.ย. 2570" in thai and "วันสงกรานต์" in thai


def test_an_administrators_new_day_moves_open_cases(app, admin):
    case = new_case(app, now=at_bangkok(date(2027, 6, 7)))  # Monday: acknowledge by Tuesday the 8th
    assert load_case(app, case.code).ack_due == date(2027, 6, 8)
    response = post(admin, "/admin/holidays/add", {"day": "2027-06-08", "name": "วันหยุดพิเศษ"},
                    token_page="/admin/holidays")
    assert response.status_code == 302
    assert "1 open case had its due dates moved" in admin.get(response.headers["Location"]).get_data(as_text=True)
    moved = load_case(app, case.code)
    assert moved.ack_due == date(2027, 6, 9)
    (event,) = moved_events(app, case.code)
    assert event.data["why"] == "administrator" and event.data["days"] == [
        {"day": "2027-06-08", "off": True, "name": "วันหยุดพิเศษ", "name_en": ""}]
    assert last_audit(app, "admin.holiday.create").details["cases_moved"] == [case.code]


def test_a_day_before_a_reopening_does_not_move_the_new_date(app):
    start = at_bangkok(date(2027, 8, 2))
    reopened_on = at_bangkok(date(2027, 8, 16))
    case = new_case(app, now=start, actions=[("resolve", start), ("reopen", reopened_on)])
    due = load_case(app, case.code).resolve_due
    with app.app_context():  # a day off between filing and reopening: the new count starts after it
        days_off.add_day(db.session, date(2027, 8, 10), "x", by=days_off.audit.By())
        db.session.commit()
    assert load_case(app, case.code).resolve_due == due and moved_events(app, case.code) == []


# --- the commands ---------------------------------------------------------------------------------------


def test_holidays_list_prints_one_line_per_day_off(runner):
    result = runner.invoke(args=["holidays", "list", "--year", "2026"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(re.fullmatch(r"2026-\d\d-\d\d \S.*", line) for line in lines), lines
    assert "2026-03-03 วันมาฆบูชา" in lines and "2026-06-01 ชดเชยวันวิสาขบูชา" in lines
    assert lines == sorted(lines)
    english = runner.invoke(args=["holidays", "list", "--year", "2026", "--lang", "en"]).output.splitlines()
    assert "2026-07-30 Buddhist Lent Day" in english


def test_holidays_list_of_a_year_not_loaded_says_so(runner):
    result = runner.invoke(args=["holidays", "list", "--year", "2090"])
    assert result.exit_code == 1 and "2090 is not loaded" in result.output
    assert runner.invoke(args=["holidays", "list", "--year", "1800"]).exit_code == 2


def test_holidays_sync_loads_a_year(app, runner):
    unload(app, 2030)
    result = runner.invoke(args=["holidays", "sync", "--year", "2030"])
    assert result.exit_code == 0, result.output
    assert "+ 2030-04-15 วันสงกรานต์" in result.output and "Loaded 2030" in result.output
    with app.app_context():
        assert db.session.get(CalendarYear, 2030).package_version == days_off.package_version()


def test_holidays_check_names_the_gap(app, runner):
    ok = runner.invoke(args=["holidays", "check"])
    assert ok.exit_code == 0 and "Days off loaded for the next 180 days" in ok.output
    ahead = (bangkok_today() + timedelta(days=179)).year
    unload(app, ahead)
    missing = runner.invoke(args=["holidays", "check"])
    assert missing.exit_code == 1
    first = max(bangkok_today(), date(ahead, 1, 1))
    assert f"Not covered: from {first.isoformat()} (year {ahead} not loaded)" in missing.output
    assert f"holidays sync --year {ahead}" in missing.output


def test_the_worker_keeps_a_year_ahead(app):
    unload(app, 2028)
    with app.app_context():
        loaded = days_off.keep_ahead(db.session, now=at_bangkok(date(2027, 11, 1)))
        db.session.commit()
        assert loaded.years == [2028] and 2028 in days_off.loaded_years(db.session)
        assert days_off.keep_ahead(db.session, now=at_bangkok(date(2027, 11, 1))).years == []


def test_the_running_worker_loads_a_missing_year(app):
    import threading
    import time as clock_time

    from eservice.notifications.worker import run_worker

    next_year = bangkok_today().year + 1
    unload(app, next_year)
    app.config.update(WORKER_POLL_SECONDS=0.2)
    stop = threading.Event()

    def work():
        with app.app_context():
            run_worker(stop=stop, sla=False)

    def loaded():
        with app.app_context():
            try:
                return next_year in days_off.loaded_years(db.session)
            finally:
                db.session.remove()

    thread = threading.Thread(target=work)
    thread.start()
    deadline = clock_time.monotonic() + 30
    while not loaded() and clock_time.monotonic() < deadline:
        clock_time.sleep(0.1)
    stop.set()
    thread.join(timeout=30)
    assert loaded()
    assert date(next_year, 4, 13) in days_off_of(app)


# --- the warning on staff and admin pages ---------------------------------------------------------------


def test_staff_and_admin_pages_warn_while_a_year_ahead_is_not_loaded(app, admin):
    warning = "are not loaded: due dates from"
    officer = signed_in_client(app, make_user(app, "engineer", divisions=("engineering",)))
    assert warning not in officer.get("/staff/").get_data(as_text=True)
    assert warning not in admin.get("/admin/").get_data(as_text=True)
    ahead = (bangkok_today() + timedelta(days=179)).year
    unload(app, ahead)
    for client, page in ((officer, "/staff/"), (admin, "/admin/"), (admin, "/admin/holidays")):
        html = client.get(page).get_data(as_text=True)
        assert warning in html and str(ahead + 543) in html, page
    assert "Ask an administrator to load them." in officer.get("/staff/").get_data(as_text=True)
    assert "Load them on the Holidays page" in admin.get("/admin/").get_data(as_text=True)
    assert warning not in app.test_client().get("/").get_data(as_text=True)  # the public site never shows it
    sync(app, ahead)
    assert warning not in admin.get("/admin/").get_data(as_text=True)
    assert warning not in officer.get("/staff/").get_data(as_text=True)


# --- the administrators' forms under arbitrary input -----------------------------------------------------

TEXT = st.one_of(st.text(max_size=30), st.text(min_size=190, max_size=400),
                 st.sampled_from(["2026-03-03", "2027-06-08", "13/4/2570", "2569", "2027", "0", "-1", "99999999",
                                  "\x00", "๒๕๗๐", "1e9", ""]))


def _state(app):
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Holiday)),
                db.session.scalar(select(func.count()).select_from(AuditEntry)),
                db.session.scalar(select(func.count()).select_from(CaseEvent)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(day=TEXT, name=TEXT, name_en=TEXT)
def test_the_add_form_never_fails_and_never_half_saves(app, admin, day, name, name_en):
    before = _state(app)
    response = post(admin, "/admin/holidays/add", {"day": day, "name": name, "name_en": name_en},
                    token_page="/admin/holidays")
    assert response.status_code in (302, 400, 422), response.status_code  # 400: text the input guard refuses
    after = _state(app)
    if response.status_code == 302:
        assert after[0] == before[0] + 1 and after[1] == before[1] + 1
    else:
        assert after == before


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(year=TEXT)
def test_the_sync_form_never_fails_and_never_half_saves(app, admin, year):
    before = _state(app)
    response = post(admin, "/admin/holidays/sync", {"sync-year": year}, token_page="/admin/holidays")
    assert response.status_code in (302, 400, 422), response.status_code  # 400: text the input guard refuses
    if response.status_code in (400, 422):
        assert _state(app) == before
    else:
        with app.app_context():
            value = int(year.strip()) if year.strip() else bangkok_today().year  # empty: this year (and the next)
            assert (value - 543 if value > 2400 else value) in days_off.loaded_years(db.session)


def test_the_sync_form_refuses_a_year_out_of_range(admin):
    response = post(admin, "/admin/holidays/sync", {"sync-year": "1800"}, token_page="/admin/holidays")
    assert response.status_code == 422 and "Choose a year from 2543 to 2693." in response.get_data(as_text=True)


@pytest.mark.parametrize("day", sorted(KNOWN_MISSES))
def test_no_case_is_due_on_a_day_the_hand_typed_list_missed(app, day):
    # A case acknowledged the working day before each missed day is never due on it.
    with app.app_context():
        off = clock.holidays_from(db.session, day - timedelta(days=10))
        start = day - timedelta(days=1)
        while not clock.is_working_day(start, off):
            start -= timedelta(days=1)
        assert clock.add_working_days(start, 1, off) != day
    case = load_case(app, new_case(app, now=at_bangkok(start)).code)
    assert case.ack_due != day and case.ack_due > day
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == 1
