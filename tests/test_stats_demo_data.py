"""`flask --app eservice demo-data`: reproducible, spread over everything the statistics count, and
consistent with the rules production follows (due dates, working days, months, fiscal years)."""

from datetime import UTC, date, datetime

from sqlalchemy import delete, func, select

from eservice.domain import clock, stats
from eservice.domain.fiscal import fiscal_year_of
from eservice.domain.thai import to_bangkok
from eservice.extensions import db
from eservice.models import Case, CaseEvent, Category, Rating, TrackingSequence
from eservice.models.case import bangkok_month_number
from eservice.statistics.demo_data import digest, generate

TODAY = date(2026, 11, 27)


def test_command_adds_cases_over_every_channel_type_and_year(app, runner):
    result = runner.invoke(args=["demo-data", "--cases", "3000", "--from-fy", "2566", "--to-fy", "2568",
                                 "--seed", "11"])
    assert result.exit_code == 0, result.output
    assert "Added 3,000 cases" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == 3000
        channels = set(db.session.scalars(select(Case.channel_code).distinct()))
        assert channels == set(stats.CHANNEL_CODES)
        types = set(db.session.scalars(select(Case.case_type).distinct()))
        assert types == {"complaint", "suggestion", "inquiry", "objection", "corruption", "gift"}
        years = set(db.session.scalars(select(Case.fiscal_year).distinct()))
        assert years == {2566, 2567, 2568}
        months = set(db.session.scalars(select(Case.received_month).distinct()))
        assert len(months) == 36
        assert db.session.scalar(select(func.count()).select_from(Rating)) > 500
        assert db.session.scalar(select(func.count()).select_from(CaseEvent)) > 3000
        # Confidential types only reach the integrity unit, and carry no village.
        confidential = db.session.scalars(select(Case).where(Case.case_type.in_(("corruption", "gift")))).all()
        assert confidential and all(c.confidential and c.division.is_integrity_unit and c.village_id is None
                                    for c in confidential)
        figures = stats.named_figures(db.session, 2567)
        assert figures["cases_total"] == sum(figures[f"channel_{c}"] for c in stats.CHANNEL_CODES)
        assert figures["cases_total"] == sum(figures[k] for k in stats.TYPE_FIGURES)
        assert 0 < figures["eservice_share_pct"] < 100 and 50 < figures["on_time_pct"] < 100
        assert 1 <= figures["satisfaction_mean"] <= 5


def test_refuses_a_window_that_ends_before_it_starts(runner):
    result = runner.invoke(args=["demo-data", "--cases", "10", "--from-fy", "2569", "--to-fy", "2566"])
    assert result.exit_code != 0 and "--from-fy" in result.output


def test_same_seed_same_cases(app):
    with app.app_context():
        generate(db.session, 400, first_fy=2567, last_fy=2568, seed=5, today=TODAY)
        db.session.commit()
        first = digest(db.session)
        for model in (CaseEvent, Rating, Case, TrackingSequence):
            db.session.execute(delete(model))
        db.session.commit()
        generate(db.session, 400, first_fy=2567, last_fy=2568, seed=5, today=TODAY)
        db.session.commit()
        assert digest(db.session) == first
        for model in (CaseEvent, Rating, Case, TrackingSequence):
            db.session.execute(delete(model))
        db.session.commit()
        generate(db.session, 400, first_fy=2567, last_fy=2568, seed=6, today=TODAY)
        db.session.commit()
        assert digest(db.session) != first


def test_demo_cases_follow_the_rules_of_real_ones(app):
    with app.app_context():
        generate(db.session, 600, first_fy=2568, last_fy=2569, seed=3, today=TODAY)
        db.session.commit()
        categories = {c.id: c for c in db.session.scalars(select(Category))}
        cases = db.session.scalars(select(Case).where(Case.category_id.is_not(None)).limit(300)).all()
        for case in cases:
            received = to_bangkok(case.received_at).date()
            holidays = clock.holidays_from(db.session, received)
            category = categories[case.category_id]
            assert case.fiscal_year == fiscal_year_of(case.received_at)
            assert case.received_month == bangkok_month_number(case.received_at)
            assert case.ack_due == clock.add_working_days(received, category.ack_days, holidays)
            if case.acknowledged_at is not None:
                day = to_bangkok(case.acknowledged_at).date()
                assert case.ack_working_days == clock.working_days_between(received, day, holidays)
                assert case.acknowledged_on_time == (day <= case.ack_due)
            if case.resolve_working_days is not None:
                answered = case.resolved_at or next(e.created_at for e in case.events
                                                   if e.kind in ("reject", "mark_duplicate"))
                day = to_bangkok(answered).date()
                worked = clock.working_days_between(received, day, holidays) - case.paused_days
                assert case.resolve_working_days == max(0, worked)
                assert case.resolved_on_time == (day <= case.resolve_due)
            if case.rating is not None:
                assert case.rating_score == case.rating.score
            assert [e.kind for e in case.events][0] == "filed"


def test_filing_after_demo_data_continues_the_numbering(app):
    from eservice.database import begin_write
    from eservice.domain.filing import Intake, file_case

    with app.app_context():
        generate(db.session, 50, first_fy=2568, last_fy=2568, seed=1, today=TODAY)
        db.session.commit()
        last = db.session.scalar(select(func.max(Case.number)).where(Case.fiscal_year == 2568))
        begin_write(db.session)
        road = db.session.scalar(select(Category).where(Category.code == "road"))
        filed = file_case(db.session, Intake(case_type="complaint", description="ทดสอบ", category=road),
                          now=datetime(2025, 6, 2, 3, tzinfo=UTC))
        db.session.commit()
        assert filed.case.number == last + 1
        assert filed.case.id == db.session.scalar(select(func.max(Case.id)))
