"""Due dates on filing: working days skip weekends and the administrator's holiday table, counted
from the Bangkok date of filing."""

from datetime import UTC, date, datetime

from eservice.domain.fiscal import fiscal_year_of
from eservice.extensions import db
from eservice.models import Holiday

from .factories import load_case, new_case


def _file_at(app, when: datetime, category_code="street_light", case_type="complaint"):
    filed = new_case(app, now=when, category=category_code, case_type=case_type, description="ไฟดับ")
    case = load_case(app, filed.code)
    return case.tracking_code, case.ack_due, case.resolve_due


def test_friday_filing_is_acknowledged_by_monday(app):
    # Friday 3 Jan 2025, 10:00 in Bangkok. street_light: 1 day to acknowledge, 7 to resolve.
    code, ack, resolve = _file_at(app, datetime(2025, 1, 3, 3, 0, tzinfo=UTC))
    assert ack == date(2025, 1, 6)
    assert resolve == date(2025, 1, 14)


def test_late_friday_utc_is_saturday_in_bangkok(app):
    # 18:00 UTC on Friday is 01:00 on Saturday in Bangkok: the clock counts from Saturday.
    _, ack, resolve = _file_at(app, datetime(2025, 1, 3, 18, 0, tzinfo=UTC))
    assert ack == date(2025, 1, 6)
    assert resolve == date(2025, 1, 14)


def test_holidays_are_skipped(app):
    # Songkran 2025: 13 (a Sunday), 14 and 15 April, and 16 April in lieu of the 13th (the hand-typed list
    # missed the substitution day and this test expected a due date on it).
    _, ack, resolve = _file_at(app, datetime(2025, 4, 11, 3, 0, tzinfo=UTC))  # Friday
    assert ack == date(2025, 4, 17)
    # 17,18,21,22,23,24,25 April
    assert resolve == date(2025, 4, 25)


def test_holiday_added_by_the_administrator_counts(app):
    with app.app_context():
        db.session.add(Holiday(day=date(2025, 1, 6), name="วันหยุดพิเศษ"))
        db.session.commit()
    _, ack, _ = _file_at(app, datetime(2025, 1, 3, 3, 0, tzinfo=UTC))
    assert ack == date(2025, 1, 7)


def test_fiscal_year_and_code_follow_bangkok_midnight(app):
    # 30 Sep 2024 17:30 UTC is 1 Oct 2024 00:30 in Bangkok: fiscal year 2568.
    code, _, _ = _file_at(app, datetime(2024, 9, 30, 17, 30, tzinfo=UTC))
    assert code.startswith("BPT-2568-")
    code, _, _ = _file_at(app, datetime(2024, 9, 30, 16, 59, tzinfo=UTC))
    assert code.startswith("BPT-2567-")
    assert code.endswith("-00001")  # each fiscal year has its own sequence


def test_fiscal_year_of_dates():
    assert fiscal_year_of(date(2024, 10, 1)) == 2568
    assert fiscal_year_of(date(2025, 9, 30)) == 2568
    assert fiscal_year_of(date(2025, 10, 1)) == 2569


def test_integrity_reports_use_their_category_limits(app):
    _, ack, resolve = _file_at(app, datetime(2025, 1, 6, 3, 0, tzinfo=UTC), "bribery", "corruption")
    assert ack == date(2025, 1, 7)
    assert resolve > date(2025, 2, 10)  # 30 working days
