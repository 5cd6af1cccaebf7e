"""The annual complaint-handling summary (รายงานสรุปผลการดำเนินการเรื่องร้องเรียน): its figures are the
statistics' figures, its half-year bounds are Bangkok midnights, it never prints 0 for a time before the
e-Service went into use nor for months not reached, it publishes corruption and gift reports only as the
public statistics do, and the administrators' words are saved whole and audited."""

import io
from datetime import UTC, date, datetime

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from eservice.domain import complaint_summary as summaries
from eservice.domain import stats
from eservice.domain.case_types import GENERAL_TYPES
from eservice.domain.statuses import Status
from eservice.extensions import db
from eservice.models import Organisation
from eservice.models.measures import ComplaintSummaryNote

from .factories import audit_count, last_audit, make_case, set_case
from .web import english, post

MARCH = datetime(2025, 3, 3, 3, 0, tzinfo=UTC)
MAY = datetime(2025, 5, 6, 3, 0, tzinfo=UTC)


def set_in_use_since(app, day):
    with app.app_context():
        db.session.scalar(select(Organisation)).in_use_since = day
        db.session.commit()


@pytest.fixture
def cases(app):
    """FY2568 cases of every kind, some resolved (on time or late, rated, reopened), in both halves."""
    set_in_use_since(app, date(2024, 1, 1))
    ids = {}
    ids["web1"] = make_case(app, MARCH, "complaint", "web")
    ids["web2"] = make_case(app, MARCH, "complaint", "web")
    ids["phone"] = make_case(app, MARCH, "suggestion", "phone")
    ids["line"] = make_case(app, MAY, "inquiry", "line")
    ids["letter"] = make_case(app, MAY, "objection", "letter")
    ids["gift"] = make_case(app, MARCH, "gift", "web")
    ids["corruption"] = make_case(app, MAY, "corruption", "walk_in")
    set_case(app, ids["web1"], status=Status.RESOLVED, resolved_on_time=True, resolve_working_days=4,
             ack_working_days=1, acknowledged_on_time=True, rating_score=5)
    set_case(app, ids["web2"], status=Status.CLOSED, resolved_on_time=False, resolve_working_days=20,
             ack_working_days=3, acknowledged_on_time=False, rating_score=2, reopen_count=1)
    set_case(app, ids["phone"], status=Status.RESOLVED, resolved_on_time=True, resolve_working_days=6,
             ack_working_days=1, acknowledged_on_time=True)
    set_case(app, ids["gift"], status=Status.RESOLVED, resolved_on_time=True, resolve_working_days=30,
             rating_score=1)
    return app


def counts_of(counts):
    return (counts.received, counts.completed, counts.in_progress, counts.on_time, counts.late, counts.reopened)


def test_its_figures_are_the_statistics_figures(cases):
    today = date(2026, 12, 2)
    with cases.app_context():
        whole = summaries.build(db.session, 2568, "fy", today=today, include_confidential=True)
        figures = stats.compute(db.session, stats.make_period("fy", 2568), today)
        assert counts_of(whole.totals) == counts_of(figures.summary.totals)
        assert whole.durations.resolve_median == figures.summary.durations.resolve_median
        assert whole.satisfaction.mean == figures.summary.satisfaction.mean
        assert whole.totals.on_time_pct == figures.summary.totals.on_time_pct
        for row in whole.by_channel:
            assert counts_of(row.counts) == counts_of(figures.by_channel.get(row.key, stats.Counts())), row.key
        for row in whole.by_division:
            assert counts_of(row.counts) == counts_of(figures.by_division[row.key])
        for row in whole.by_category:
            assert counts_of(row.counts) == counts_of(figures.by_category[row.key])
        for row in whole.by_type:
            assert counts_of(row.counts) == counts_of(figures.by_type.get(row.key, stats.Counts()))
        # The published summary: the general cases only, each figure the statistics' figure for them.
        public = summaries.build(db.session, 2568, "fy", today=today)
        general = stats.Counts()
        for code in GENERAL_TYPES:
            general.merge(figures.by_type.get(code, stats.Counts()))
        # (The statistics count reopened cases for the whole period only, not per type.)
        assert counts_of(public.totals)[:5] == counts_of(general)[:5] == (5, 3, 2, 2, 3)
        assert [row.key for row in public.by_type] == list(GENERAL_TYPES)
        assert sum(row.counts.received for row in public.by_channel) == 5
        assert public.durations.resolve_median == 6.0  # 4, 6, 20: the gift report's 30 days are not in it
        assert public.satisfaction.mean == 3.5 and public.satisfaction.responses == 2
        assert public.totals.reopened == 1 and public.totals.reopen_rate_pct == round(100 / 3, 2)


def test_the_first_half_is_october_to_march_in_bangkok(app):
    set_in_use_since(app, date(2024, 1, 1))
    make_case(app, datetime(2024, 9, 30, 16, 30, tzinfo=UTC), "complaint")  # 30 Sep 23:30 Bangkok: FY2567
    make_case(app, datetime(2024, 9, 30, 17, 30, tzinfo=UTC), "complaint")  # 1 Oct 00:30 Bangkok: H1
    make_case(app, datetime(2025, 3, 31, 16, 30, tzinfo=UTC), "complaint")  # 31 Mar 23:30 Bangkok: H1
    make_case(app, datetime(2025, 3, 31, 17, 30, tzinfo=UTC), "complaint")  # 1 Apr 00:30 Bangkok: H2
    with app.app_context():
        half = summaries.build(db.session, 2568, "h1", today=date(2026, 1, 1))
        whole = summaries.build(db.session, 2568, "fy", today=date(2026, 1, 1))
    assert (half.period.start, half.period.end) == (date(2024, 10, 1), date(2025, 4, 1))
    assert [m.first.month for m in half.months] == [10, 11, 12, 1, 2, 3]
    assert half.totals.received == 2 and whole.totals.received == 3
    assert len(whole.months) == 12 and not half.so_far


def test_no_zero_before_the_go_live_date_and_no_zero_for_months_not_reached(app):
    set_in_use_since(app, date(2025, 1, 15))
    make_case(app, MARCH, "complaint")
    with app.app_context():
        before = summaries.build(db.session, 2567, "fy", today=date(2025, 5, 10))
        assert before.no_data and not before.has_figures and before.months == []
        current = summaries.build(db.session, 2568, "fy", today=date(2025, 5, 10))
    assert current.so_far and current.covered_from == date(2025, 1, 15)
    states = [m.state for m in current.months]
    assert states == ["before_use"] * 3 + ["data"] * 5 + ["not_reached"] * 4
    assert [m.counts.received for m in current.months if m.counts] == [0, 0, 1, 0, 0]


def test_the_page_says_no_data_and_since_when_and_so_far(app, client):
    english(client)
    set_in_use_since(app, date(2025, 1, 15))
    make_case(app, MARCH, "complaint")
    html = client.get("/stats/summary?fy=2567").get_data(as_text=True)
    assert "No data: the e-Service has recorded cases since 15 Jan 2025" in html
    assert 'id="summary-headline"' not in html and ">0<" not in html
    html = client.get("/stats/summary?fy=2568").get_data(as_text=True)
    assert "The e-Service has recorded cases since 15 Jan 2025" in html
    months = html.split('id="summary-month"')[1].split("</table>")[0]
    assert "<th scope=\"row\">October 2024</th><td class=\"num\">no data</td>" in months
    assert "<th scope=\"row\">January 2025 (from 15 Jan 2025)</th>" in months
    current = stats.current_fiscal_year()
    html = client.get(f"/stats/summary?fy={current}").get_data(as_text=True)
    assert "So far, as of " in html
    september = html.split('id="summary-month"')[1].split("</table>")[0].split(f"September {current - 543}")[1]
    assert september.startswith('</th><td class="num"></td><td class="num"></td>')  # not reached: empty


def test_corruption_and_gift_reports_follow_the_public_small_count_rule(cases, client):
    english(client)
    html = client.get("/stats/summary?fy=2568&part=h1").get_data(as_text=True)
    # Two integrity reports in the year, one in each half: the public statistics withhold the halves.
    assert "are not counted by half year here" in html
    assert "Gift report" not in html and "Corruption report" not in html
    headline = html.split('id="summary-headline"')[1].split("</table>")[0]
    assert "<td class=\"num\">3</td>" in headline  # H1: two complaints and a suggestion, not the gift report
    html = client.get("/stats/summary?fy=2568").get_data(as_text=True)
    assert "2 received, 1 completed, 1 in progress" in html  # the year's total, as /stats publishes it
    with cases.app_context():
        public = stats.public_statistics(db.session, 2568)
    assert public.integrity.total.received == 2 and "half" in public.integrity.withheld


def test_the_statistics_page_links_to_the_summary(app, client):
    html = client.get("/stats").get_data(as_text=True)
    assert 'id="summary-link" href="/stats/summary?fy=' in html


@pytest.mark.parametrize("query", ["fy=abc", "fy=2025", "fy=2568&part=h2", "fy=9999"])
def test_bad_periods_are_refused_clearly(app, client, query):
    response = client.get(f"/stats/summary?{query}")
    assert response.status_code == 400
    assert 'class="error-summary' in response.get_data(as_text=True) or "error" in response.get_data(as_text=True)


def test_the_docx_has_the_same_figures_and_page_numbers(cases, client):
    english(client)
    response = client.get("/stats/summary.docx?fy=2568&part=fy")
    assert response.status_code == 200 and "complaint-summary-2568-fy.docx" in response.headers["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.data))
    headline = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert headline["Cases received"] == "5" and headline["Resolved on time"] == "40.00%"  # 2 on time, 3 late
    assert headline["Median working days to resolve"] == "6.00"
    assert "PAGE" in document.sections[0].footer._element.xml
    text = "\n".join(p.text for p in document.paragraphs)
    assert "2 received, 1 completed, 1 in progress" in text
    assert "Gift report" not in text


# --- the administrators' words ---------------------------------------------------------------------------


def test_problems_and_improvements_are_saved_audited_and_published(app, admin):
    set_in_use_since(app, date(2024, 1, 1))
    url = "/admin/complaint-summary/note?fy=2568&part=h1"
    response = post(admin, url, {"problems": "ตอบช้าในเดือนธันวาคม\nช่วงวันหยุดยาว", "improvements": "เพิ่มเวรรับเรื่อง"},
                    token_page=url)
    assert response.status_code == 302 and "/stats/summary?fy=2568&part=h1" in response.headers["Location"]
    entry = last_audit(app, "admin.complaint_summary.update")
    assert entry.details["part"] == "h1" and entry.details["improvements"] == ["", "เพิ่มเวรรับเรื่อง"]
    html = admin.get("/stats/summary?fy=2568&part=h1").get_data(as_text=True)
    assert "<p>ตอบช้าในเดือนธันวาคม</p><p>ช่วงวันหยุดยาว</p>" in html and "เพิ่มเวรรับเรื่อง" in html
    assert "/admin/complaint-summary/note?fy=2568&amp;part=h1" in html
    # The whole year has its own text.
    assert "ตอบช้า" not in admin.get("/stats/summary?fy=2568&part=fy").get_data(as_text=True)
    # Citizens read the text but get no edit link; only administrators may edit.
    citizen = app.test_client()
    html = citizen.get("/stats/summary?fy=2568&part=h1").get_data(as_text=True)
    assert "เพิ่มเวรรับเรื่อง" in html and "complaint-summary/note" not in html


def test_only_administrators_edit_the_words(app, client, make_user, login_as):
    assert client.get("/admin/complaint-summary/note?fy=2568&part=fy").status_code in (302, 401, 403)
    login_as(make_user("boss", roles=("executive",)))
    assert client.get("/admin/complaint-summary/note?fy=2568&part=fy").status_code == 403


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=5000)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(problems=TEXT, improvements=TEXT, part=st.sampled_from(["h1", "fy"]))
def test_any_text_is_saved_whole_or_refused_whole(app, admin, problems, improvements, part):
    url = f"/admin/complaint-summary/note?fy=2568&part={part}"

    def stored():
        with app.app_context():
            row = db.session.scalar(select(ComplaintSummaryNote).where(ComplaintSummaryNote.fiscal_year == 2568,
                                                                        ComplaintSummaryNote.part == part))
            return None if row is None else (row.problems, row.improvements)

    before, entries = stored(), audit_count(app)
    response = post(admin, url, {"problems": problems, "improvements": improvements}, token_page=url)
    assert response.status_code in (302, 400, 422)  # 400: text the input guard refuses
    if response.status_code in (400, 422):
        assert stored() == before and audit_count(app) == entries
    else:
        assert stored() == (summaries._tidy(problems), summaries._tidy(improvements))
        assert admin.get(f"/stats/summary?fy=2568&part={part}").status_code == 200


def test_the_words_page_opens_on_this_fiscal_year_and_refuses_bad_periods(app, admin):
    html = admin.get("/admin/complaint-summary/note").get_data(as_text=True)
    assert f"fiscal year {stats.current_fiscal_year()}" in html
    assert admin.get("/admin/complaint-summary/note?fy=2568&part=q3").status_code == 400
    assert admin.get("/admin/complaint-summary/note?fy=2025").status_code == 400
