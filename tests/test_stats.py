"""Every statistics figure against cases made for the purpose (eservice.domain.stats).

The world below is fiscal year 2568 (1 Oct 2024 – 30 Sep 2025 in Bangkok) seen on 1 Dec 2025, with
cases on both sides of each boundary. Working days are worked out by hand beside each case; the
reference holidays of 2025 (1 Jan, 14–15 Apr, 1 and 5 May …) matter where noted.
"""

import statistics as pystats
from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from eservice.domain import stats
from eservice.domain.errors import DomainError
from eservice.extensions import db
from eservice.models import Case, Category, Division

from .factories import make_case, utc

TODAY = date(2025, 12, 1)


@pytest.fixture
def world(app):
    ids = {}
    # A: 1 Oct 2024 00:30 in Bangkok (still 30 Sep in UTC): the first moment that counts for FY2568.
    # Acknowledged the same day (0 working days, due 2 Oct), resolved 8 Oct (2,3,4,7,8 = 5 working
    # days; due 22 Oct: on time), rated 5.
    ids["A"] = make_case(app, utc(2024, 9, 30, 17, 30), "complaint", "web", "road", village=1,
                         actions=[("acknowledge", utc(2024, 10, 1, 3)), ("resolve", utc(2024, 10, 8, 3))],
                         rating=(5, "yes", utc(2024, 10, 9, 3)))
    # B: 30 Sep 2024 23:59 in Bangkok: FY2567. Never acknowledged: late on both counts.
    ids["B"] = make_case(app, utc(2024, 9, 30, 16, 59), "complaint", "phone", "road")
    # C: 30 Sep 2025 23:59:59 in Bangkok, the last moment of FY2568. Still open, both due dates passed.
    ids["C"] = make_case(app, utc(2025, 9, 30, 16, 59, 59), "suggestion", "line", "garbage", village=2)
    # D: 1 Oct 2025 00:00 in Bangkok: FY2569.
    ids["D"] = make_case(app, utc(2025, 9, 30, 17, 0), "complaint", "web", "road")
    # E: corruption report, Mon 6 Jan 2025. Acknowledged Wed 8 Jan (2 working days; due 7 Jan: late),
    # resolved Fri 10 Jan (4 working days; due in 30: on time), closed.
    ids["E"] = make_case(app, utc(2025, 1, 6, 3), "corruption", "web",
                         actions=[("acknowledge", utc(2025, 1, 8, 3)), ("resolve", utc(2025, 1, 10, 3)),
                                  ("close", utc(2025, 1, 13, 3))])
    # F: Thu 2 Jan 2025, walk-in, street light (7 working days: due 13 Jan). Started Fri 3 Jan (1 working
    # day, on time), resolved Thu 9 Jan, rated 2, reopened Fri 10 Jan (a new resolve-by date: 7 working
    # days on, 21 Jan), resolved again 22 Jan: 3,6,7,8,9,10,13,14,15,16,17,20,21,22 = 14 working days,
    # late by its new date.
    ids["F"] = make_case(app, utc(2025, 1, 2, 3), "complaint", "walk_in", "street_light", village=1,
                         actions=[("start", utc(2025, 1, 3, 3)), ("resolve", utc(2025, 1, 9, 3))],
                         rating=(2, "partly", utc(2025, 1, 9, 5)))
    with app.app_context():
        from eservice.database import begin_write
        from eservice.domain import workflow

        begin_write(db.session)
        case = db.session.get(Case, ids["F"])
        workflow.transition(db.session, case, "reopen", now=utc(2025, 1, 10, 3))
        assert case.resolve_due == date(2025, 1, 21)
        workflow.transition(db.session, case, "resolve", now=utc(2025, 1, 22, 3))
        db.session.commit()
    # G: inquiry by phone, Thu 10 Apr 2025 (tax, 15 days). Acknowledged the same day; waiting for the
    # citizen from Fri 11 to Thu 17 Apr (17 = 1 working day; 14–16 Apr are days off, the 16th Songkran's
    # substitute day); resolved Fri 18 Apr: 11,17,18 = 3 less 1 paused = 2 working days, on time. Rated 4.
    ids["G"] = make_case(app, utc(2025, 4, 10, 3), "inquiry", "phone", "tax",
                         actions=[("acknowledge", utc(2025, 4, 10, 8)), ("request_info", utc(2025, 4, 11, 3)),
                                  ("citizen_answer", utc(2025, 4, 17, 3)), ("resolve", utc(2025, 4, 18, 3))],
                         rating=(4, "yes", utc(2025, 4, 19, 3)))
    # H: objection by letter, 1 Jul 2025, not accepted the next day (1 working day, on time).
    ids["H"] = make_case(app, utc(2025, 7, 1, 3), "objection", "letter",
                         actions=[("reject", utc(2025, 7, 2, 3))])
    # I: gift report, 3 Mar 2025, acknowledged the same hour and still in progress, past its due date.
    ids["I"] = make_case(app, utc(2025, 3, 3, 3), "gift", "web", actions=[("acknowledge", utc(2025, 3, 3, 4))])
    # K: 29 Sep 2025, waiting for the citizen: open, but its clock stands still (neither on time nor late).
    ids["K"] = make_case(app, utc(2025, 9, 29, 3), "complaint", "web", "road",
                         actions=[("request_info", utc(2025, 9, 29, 4))])
    return ids


def _fy(app, fiscal_year=2568):
    with app.app_context():
        return stats.compute(db.session, stats.make_period("fy", fiscal_year), today=TODAY)


def test_stored_durations_are_working_days(app, world):
    with app.app_context():
        got = {name: db.session.get(Case, case_id) for name, case_id in world.items()}
        assert (got["A"].ack_working_days, got["A"].resolve_working_days) == (0, 5)
        assert (got["A"].acknowledged_on_time, got["A"].resolved_on_time) == (True, True)
        assert (got["E"].ack_working_days, got["E"].acknowledged_on_time) == (2, False)
        assert (got["F"].ack_working_days, got["F"].resolve_working_days, got["F"].resolved_on_time) == (1, 14, False)
        assert got["F"].reopen_count == 1
        assert (got["G"].paused_days, got["G"].resolve_working_days, got["G"].resolved_on_time) == (1, 2, True)
        assert (got["H"].resolve_working_days, got["H"].resolved_on_time, got["H"].ack_working_days) == (1, True, None)
        assert got["K"].resolved_on_time is None


def test_received_completed_in_progress_and_fiscal_year_boundaries(app, world):
    figures = _fy(app)
    totals = figures.summary.totals
    assert (totals.received, totals.completed, totals.in_progress) == (8, 5, 3)
    # The previous fiscal year holds B alone (30 Sep 2024 23:59 in Bangkok).
    assert figures.previous.totals.received == 1
    assert figures.previous.by_channel == {"phone": 1}
    assert _fy(app, 2569).summary.totals.received == 1  # D: 1 Oct 2025 00:00 in Bangkok


def test_channel_by_type(app, world):
    figures = _fy(app)
    assert figures.channel_type == {
        ("web", "complaint"): 2, ("web", "corruption"): 1, ("web", "gift"): 1, ("line", "suggestion"): 1,
        ("walk_in", "complaint"): 1, ("phone", "inquiry"): 1, ("letter", "objection"): 1,
    }
    assert figures.summary.by_type == {"complaint": 3, "suggestion": 1, "corruption": 1, "inquiry": 1,
                                       "objection": 1, "gift": 1}
    assert figures.summary.eservice_share_pct == 50.0


def test_by_division_category_and_village(app, world):
    figures = _fy(app)
    with app.app_context():
        division = {d.code: d.id for d in db.session.scalars(select(Division))}
        category = {c.code: c.id for c in db.session.scalars(select(Category))}
    received = {k: v.received for k, v in figures.by_division.items()}
    assert received == {division["engineering"]: 3, division["health"]: 1, division["integrity"]: 2,
                        division["finance"]: 2}
    engineering = figures.by_division[division["engineering"]]
    # A on time; F late; K waiting (not counted).
    assert (engineering.completed, engineering.in_progress, engineering.on_time, engineering.late) == (2, 1, 1, 1)
    assert figures.by_category[category["road"]].received == 2
    assert figures.by_category[category["street_light"]].received == 1
    assert figures.by_category[category["bribery"]].received == 1
    assert {k: v.received for k, v in figures.by_village.items() if k is not None} and \
        figures.by_village[None].received == 5
    with app.app_context():
        from eservice.models import Village

        village = {v.number: v.id for v in db.session.scalars(select(Village))}
    assert figures.by_village[village[1]].received == 2
    assert figures.by_village[village[2]].received == 1


def test_on_time_counts_open_cases_past_due_as_late(app, world):
    totals = _fy(app).summary.totals
    # On time: A, E, G, H. Late: F (answered late), C and I (open, past due). K waits for the citizen.
    assert (totals.on_time, totals.late, totals.on_time_pct) == (4, 3, 57.14)
    # Acknowledged on time: A, F, G, I. Late: E (acknowledged late), C (never acknowledged, past due).
    assert (totals.ack_on_time, totals.ack_late, totals.ack_on_time_pct) == (4, 2, 66.67)
    # Seen on the day C was received, its due dates have not passed: it is neither on time nor late.
    with app.app_context():
        early = stats.compute(db.session, stats.make_period("fy", 2568), today=date(2025, 9, 30))
    assert early.summary.totals.late == 2  # F, and I (due in April)


def test_durations_median_and_90th_percentile(app, world):
    durations = _fy(app).summary.durations
    ack, resolve = [0, 2, 1, 0, 0], [5, 4, 14, 2, 1]  # A E F G I / A E F G H
    assert durations.ack_median == pystats.median(ack) == 0
    assert durations.ack_p90 == pytest.approx(pystats.quantiles(ack, n=10, method="inclusive")[8]) == 1.6
    assert durations.resolve_median == pystats.median(resolve) == 4
    assert durations.resolve_p90 == pytest.approx(pystats.quantiles(resolve, n=10, method="inclusive")[8])
    assert durations.resolve_p90 == 10.4


def test_satisfaction_and_reopen_rate(app, world):
    summary = _fy(app).summary
    sat = summary.satisfaction
    assert sat.distribution == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
    assert (sat.responses, sat.mean) == (3, 3.67)
    assert sat.answered_pct == 75.0  # 3 ratings for A, E, F, G resolved or closed
    # Reopened: F, of the five answered at least once (A, E, F, G, and H not accepted).
    assert (summary.totals.reopened, summary.totals.answered_ever, summary.totals.reopen_rate_pct) == (1, 5, 20.0)


def test_months_quarters_and_halves(app, world):
    figures = _fy(app)
    assert len(figures.months) == 12 and figures.months[0] == date(2024, 10, 1)
    received = {key: counts.received for key, counts in figures.summary.by_month.items()}
    assert received == {202410: 1, 202501: 2, 202503: 1, 202504: 1, 202507: 1, 202509: 2}
    assert figures.summary.month_channel[(202509, "line")] == 1
    # September: C open and late, K waiting; January: E on time, F late.
    assert (figures.summary.by_month[202509].late, figures.summary.by_month[202501].on_time_pct) == (1, 50.0)
    with app.app_context():
        def count(kind, part):
            return stats.summarise(db.session, stats.make_period(kind, 2568, part), today=TODAY).totals.received

        assert [count("quarter", q) for q in (1, 2, 3, 4)] == [1, 3, 1, 3]
        assert [count("half", h) for h in (1, 2)] == [4, 4]
        assert count("month", 10) == 1 and count("month", 9) == 2 and count("month", 2) == 0


def test_month_boundary_is_bangkok_midnight(app):
    make_case(app, utc(2024, 12, 31, 16, 59, 59), "complaint", "web")  # 31 Dec 23:59:59 in Bangkok
    make_case(app, utc(2024, 12, 31, 17, 0), "complaint", "phone")  # 1 Jan 00:00 in Bangkok
    with app.app_context():
        figures = stats.compute(db.session, stats.make_period("fy", 2568), today=TODAY)
        assert figures.summary.month_channel == {(202412, "web"): 1, (202501, "phone"): 1}
        december = stats.summarise(db.session, stats.make_period("month", 2568, 12), today=TODAY)
        january = stats.summarise(db.session, stats.make_period("month", 2568, 1), today=TODAY)
        assert december.by_channel == {"web": 1} and january.by_channel == {"phone": 1}
        q1 = stats.summarise(db.session, stats.make_period("quarter", 2568, 1), today=TODAY)
        assert q1.by_channel == {"web": 1}
        # The same boundary through a range of dates (compared as UTC times, not stored months).
        new_year = stats.make_period("range", start=date(2025, 1, 1), end=date(2025, 1, 1))
        assert stats.summarise(db.session, new_year, today=TODAY).by_channel == {"phone": 1}
        assert {c.received_month for c in db.session.scalars(select(Case))} == {202412, 202501}


def test_date_range_includes_its_last_day(app, world):
    with app.app_context():
        period = stats.parse_period(db.session, "range", start=date(2025, 1, 2), end=date(2025, 1, 6), today=TODAY)
        assert stats.summarise(db.session, period, today=TODAY).totals.received == 2  # F (2 Jan), E (6 Jan)
        previous = period.previous_year()
        assert (previous.start, previous.end) == (date(2024, 1, 2), date(2024, 1, 7))


def test_previous_year_of_each_kind():
    assert stats.make_period("quarter", 2568, 2).previous_year() == stats.make_period("quarter", 2567, 2)
    assert stats.make_period("month", 2568, 2).previous_year().start == date(2024, 2, 1)
    leap = stats.make_period("range", start=date(2024, 2, 29), end=date(2024, 2, 29)).previous_year()
    assert (leap.start, leap.end) == (date(2023, 2, 28), date(2023, 3, 1))


def test_named_figures_contract(app, world):
    with app.app_context():
        figures = stats.named_figures(db.session, 2568, today=TODAY)
        descriptions = stats.figure_descriptions(db.session)
    required = {
        "cases_total", "cases_web", "eservice_share_pct", "complaints", "suggestions", "inquiries",
        "objections", "corruption_reports", "gift_reports", "received", "completed", "in_progress",
        "on_time_pct", "ack_median_days", "resolve_median_days", "satisfaction_mean",
        "satisfaction_responses", "reopen_rate_pct",
    } | {f"channel_{code}" for code in stats.CHANNEL_CODES}
    assert required <= set(figures)
    assert set(figures) <= set(stats.FIGURE_DESCRIPTIONS) | set(descriptions)
    assert set(stats.FIGURE_DESCRIPTIONS) >= required
    assert figures["cases_total"] == figures["received"] == 8
    assert figures["cases_web"] == 4 and figures["eservice_share_pct"] == 50.0
    assert (figures["complaints"], figures["suggestions"], figures["inquiries"], figures["objections"],
            figures["corruption_reports"], figures["gift_reports"]) == (3, 1, 1, 1, 1, 1)
    assert (figures["channel_web"], figures["channel_line"], figures["channel_walk_in"], figures["channel_phone"],
            figures["channel_letter"], figures["channel_facebook"]) == (4, 1, 1, 1, 1, 0)
    assert (figures["completed"], figures["in_progress"], figures["on_time_pct"]) == (5, 3, 57.14)
    assert (figures["ack_median_days"], figures["resolve_median_days"]) == (0.0, 4.0)
    assert (figures["satisfaction_mean"], figures["satisfaction_responses"], figures["reopen_rate_pct"]) == \
        (3.67, 3, 20.0)
    for value in figures.values():
        assert value is None or isinstance(value, int | float)


def test_named_figures_of_an_empty_year_are_zeros_and_nones(app):
    with app.app_context():
        figures = stats.named_figures(db.session, 2568, today=TODAY)
    assert figures["cases_total"] == 0 and figures["channel_web"] == 0
    assert figures["on_time_pct"] is None and figures["satisfaction_mean"] is None
    assert figures["eservice_share_pct"] is None


def test_statistics_never_load_case_rows(app, world):
    """Every statement the page's figures run is an aggregate (GROUP BY or COUNT), none selects case rows."""
    from sqlalchemy import event

    statements = []
    with app.app_context():
        engine = db.engine

        def remember(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", remember)
        try:
            stats.compute(db.session, stats.make_period("fy", 2568), today=TODAY)
        finally:
            event.remove(engine, "before_cursor_execute", remember)
    case_queries = [s for s in statements if 'FROM "case"' in s or "FROM case" in s]
    assert case_queries
    assert all("GROUP BY" in s for s in case_queries), case_queries


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"kind": "fy", "fiscal_year": 2025}, "fy", "Christian era"),
        ({"kind": "fy", "fiscal_year": 2600}, "fy", "no statistics for fiscal year 2600"),
        ({"kind": "fy", "fiscal_year": 2400}, "fy", "no statistics for fiscal year 2400"),
        ({"kind": "quarter", "fiscal_year": 2568, "part": 5}, "part", "quarter"),
        ({"kind": "half", "fiscal_year": 2568, "part": None}, "part", "half"),
        ({"kind": "range", "start": date(2025, 3, 1), "end": date(2025, 2, 1)}, "end", "ends before it starts"),
        ({"kind": "range", "start": date(2025, 3, 1)}, "end", "last day"),
        ({"kind": "week", "fiscal_year": 2568}, "period", "Choose"),
    ],
)
def test_bad_periods_are_refused_with_a_message(app, kwargs, field, words):
    with app.app_context(), force_locale("en"), pytest.raises(DomainError) as caught:
        stats.parse_period(db.session, today=TODAY, **kwargs)
    assert caught.value.field == field
    assert words.lower() in str(caught.value.message).lower()


def test_known_fiscal_years_run_from_the_first_case_to_the_next_year(app, world):
    with app.app_context():
        assert stats.fiscal_years(db.session, today=TODAY) == [2570, 2569, 2568, 2567]
        assert stats.check_fiscal_year(db.session, 2567, today=TODAY) == 2567
