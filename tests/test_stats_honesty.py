"""The statistics say only what is known (issue 10): no data (not 0) before the e-Service went into use,
months not yet reached left empty, the current year "so far, as of", totals from paper records counted and
marked, "the same period a year earlier" as the same days (across a leap day too), and every year picker
from the first year with anything to the next one.

"Today" is 2 December 2026 (fiscal year 2570) unless a test says otherwise: the domain takes ``today``;
the pages read it from ``eservice.domain.stats.bangkok_today``, which the ``today`` fixture fixes.
"""

import csv
import io
import json
import re
from datetime import date

import pytest
from flask_babel import force_locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import func, select

from eservice.domain import coverage, paper_totals, stats
from eservice.domain.audit import By
from eservice.domain.errors import DomainError
from eservice.domain.organisation import current as current_organisation
from eservice.extensions import db
from eservice.models.paper import PaperTotal
from eservice.statistics.tables import build_tables, period_caption

from .factories import audit_entries, make_case, make_user, session_for, utc
from .web import post, signed_in_client

TODAY = date(2026, 12, 2)


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(stats, "bangkok_today", lambda now=None: TODAY)
    return TODAY


def set_go_live(app, day):
    with session_for(app) as session:
        current_organisation(session).in_use_since = day
        session.commit()


def add_paper(app, fiscal_year, case_type, channel, received, note=""):
    with session_for(app) as session:
        row = paper_totals.save(session, paper_totals.PaperInput(fiscal_year, case_type, channel, received, note),
                                by=By())
        session.commit()
        return row.id


def _tables(app, period, today=TODAY, locale="en"):
    with app.app_context(), force_locale(locale):
        figures = stats.compute(db.session, period, today)
        return figures, {t.key: t for t in build_tables(db.session, figures, locale)}


def _rows(table):
    return {row[0]: row[1:] for row in table.rows}


# --- the same period a year earlier ------------------------------------------------------------------


def test_year_earlier_maps_29_february_to_28_february():
    assert coverage.year_earlier(date(2028, 2, 29)) == date(2027, 2, 28)
    assert coverage.year_earlier(date(2026, 12, 2)) == date(2025, 12, 2)


def test_same_period_to_date_across_a_leap_day():
    # Today is 29 Feb 2028 (FY2571): 1 Oct 2027 – 29 Feb 2028 against 1 Oct 2026 – 28 Feb 2027.
    fy = stats.make_period("fy", 2571)
    earlier = fy.comparison(date(2028, 2, 29))
    assert (earlier.kind, earlier.start, earlier.last_day) == ("range", date(2026, 10, 1), date(2027, 2, 28))
    # Today is 28 Feb 2025: the earlier span ends on 28 Feb 2024, the same calendar date (29 Feb 2024 is not
    # in it, as it is not in this year's span): the same dates, one day apart in length at most.
    earlier = stats.make_period("fy", 2568).comparison(date(2025, 2, 28))
    assert (earlier.start, earlier.last_day) == (date(2023, 10, 1), date(2024, 2, 28))
    with force_locale("th"):
        assert earlier.dates_label("th") == "1 ต.ค. 2566 – 28 ก.พ. 2567"


def test_a_finished_year_is_compared_with_the_whole_previous_year():
    earlier = stats.make_period("fy", 2569).comparison(TODAY)
    assert (earlier.kind, earlier.fiscal_year) == ("fy", 2568)
    quarter = stats.make_period("quarter", 2569, 2).comparison(TODAY)
    assert (quarter.kind, quarter.fiscal_year, quarter.part) == ("quarter", 2568, 2)


def test_this_year_so_far_is_compared_with_the_same_days_a_year_earlier(app):
    make_case(app, utc(2026, 11, 20, 3))  # FY2570, so far
    make_case(app, utc(2025, 11, 15, 3))  # FY2569, inside 1 Oct – 2 Dec 2025
    make_case(app, utc(2026, 1, 10, 3))  # FY2569, after 2 Dec 2025: not the same period
    figures, tables = _tables(app, stats.make_period("fy", 2570), locale="th")
    assert figures.previous.totals.received == 1  # not the 2 of the whole previous year
    header = tables["summary"].header
    assert header[1] == "ช่วงเวลานี้ (1 ต.ค. 2569 – 2 ธ.ค. 2569)"
    assert header[2] == "ช่วงเวลาเดียวกันของปีก่อน (1 ต.ค. 2568 – 2 ธ.ค. 2568)"
    assert _rows(tables["summary"])["จำนวนเรื่องที่รับ"][:3] == [1, 1, 0]
    assert tables["type"].header[-1] == "จำนวนที่รับ 1 ต.ค. 2568 – 2 ธ.ค. 2568"


# --- go-live: no data is not 0 -----------------------------------------------------------------------


def test_a_year_before_go_live_has_no_data_not_zeros(app):
    set_go_live(app, date(2025, 3, 15))
    make_case(app, utc(2025, 4, 2, 3))
    figures, tables = _tables(app, stats.make_period("fy", 2567))
    assert not figures.summary.known
    for table in tables.values():
        for row in table.rows + ([table.total] if table.total else []):
            numbers = [cell for cell in row[1:] if not isinstance(cell, str)]
            assert all(cell is None for cell in numbers), (table.key, row)
    with force_locale("en"):
        notes = figures.coverage.notes("en")
    assert any("no data for this period" in note and "15 Mar 2025" in note for note in notes)


def test_a_year_that_holds_go_live_counts_from_it_and_says_so(app):
    set_go_live(app, date(2025, 3, 15))
    make_case(app, utc(2025, 3, 20, 3))
    figures, tables = _tables(app, stats.make_period("fy", 2568))
    months = _rows(tables["month"])
    assert months["Oct 2024"][0] is None and months["Feb 2025"][0] is None  # before go-live: no data
    assert months["Mar 2025 (from 15 Mar 2025)"][0] == 1
    assert months["Apr 2025"][0] == 0  # known, and there were none
    with app.app_context(), force_locale("en"):
        caption = period_caption(figures.period, "en", figures.coverage)
    assert caption.endswith("data since 15 Mar 2025")
    # The comparison, FY2567, is before go-live: an empty column, not 0.
    assert _rows(tables["summary"])["Cases received"] == [1, None, None]


def test_cases_before_a_go_live_date_moved_later_are_still_shown(app):
    make_case(app, utc(2024, 11, 4, 3))  # FY2568, a pilot case before the go-live date now recorded
    set_go_live(app, date(2025, 3, 15))
    figures, tables = _tables(app, stats.make_period("fy", 2568))
    months = _rows(tables["month"])
    assert months["Nov 2024"][0] == 1 and months["Oct 2024"][0] is None
    assert figures.summary.known and _rows(tables["summary"])["Cases received"][0] == 1
    with app.app_context():
        public = stats.public_statistics(db.session, 2568, "en", TODAY)
    assert public.general.total.received == 1


def test_months_not_yet_reached_are_empty_and_the_year_is_so_far(app):
    make_case(app, utc(2026, 11, 20, 3))
    figures, tables = _tables(app, stats.make_period("fy", 2570))
    months = _rows(tables["month"])
    assert months["Nov 2026"][0] == 1 and months["Oct 2026"][0] == 0
    assert months["Dec 2026"][0] == 0  # today's month is reached
    for name in ("Jan 2027", "Jun 2027", "Sep 2027"):
        assert all(cell is None for cell in months[name]), name
    channel_months = _rows(tables["month_channel"])
    assert channel_months["Sep 2027"][-1] is None
    with app.app_context(), force_locale("en"):
        assert period_caption(figures.period, "en", figures.coverage) == (
            "Fiscal year 2570 so far, as of 2 Dec 2026 (1 Oct 2026 – 2 Dec 2026)")
    with app.app_context(), force_locale("th"):
        assert period_caption(figures.period, "th", figures.coverage) == (
            "ปีงบประมาณ พ.ศ. 2570 ถึงวันที่ 2 ธ.ค. 2569 (1 ต.ค. 2569 – 2 ธ.ค. 2569)")


# A new installation: in use since 1 Nov 2026 (FY2570). FY2569, last year, can be chosen and has no data.
NEW_GO_LIVE = date(2026, 11, 1)


def test_the_admin_page_and_exports_show_no_zero_before_go_live(app, today):
    set_go_live(app, NEW_GO_LIVE)
    make_case(app, utc(2026, 11, 20, 3))
    admin = signed_in_client(app, make_user(app, "stats-root", roles=("admin",)))
    html = admin.get("/admin/stats?period=fy&fy=2569").get_data(as_text=True)
    assert "There is no data for this period" in html and "1 Nov 2026" in html
    headline = re.search(r"<dt>Cases received</dt><dd>(.*?)</dd>", html).group(1)
    assert headline == "–"
    # The current year: counted from go-live, so far.
    html = admin.get("/admin/stats?period=fy&fy=2570").get_data(as_text=True)
    assert "Fiscal year 2570 so far, as of 2 Dec 2026" in html and "data since 1 Nov 2026" in html
    assert "Counted from 1 Nov 2026" in html
    data = admin.get("/admin/stats/export.csv?period=fy&fy=2569&table=month").data.decode("utf-8-sig")
    body = list(csv.reader(io.StringIO(data)))[1:]
    # Every figure empty; the last column is the row's code (2568-10 …), which stays.
    assert body and all(cell == "" for row in body for cell in row[1:-1])
    assert all(row[-1] for row in body)
    data = admin.get("/admin/stats/export.csv?period=fy&fy=2570&table=month").data.decode("utf-8-sig")
    months = {row[0]: row[1:] for row in csv.reader(io.StringIO(data))}
    assert months["ต.ค. 2569"][0] == ""  # before go-live
    assert months["พ.ย. 2569"][0] == "1" and months["ธ.ค. 2569"][0] == "0"
    assert months["ก.ย. 2570"][0] == ""  # not reached
    book = load_workbook(io.BytesIO(admin.get("/admin/stats/export.xlsx?period=fy&fy=2569").data))
    sheet = book.worksheets[0]
    assert "ไม่มีข้อมูล" in sheet["A4"].value
    numbers = [c.value for row in sheet.iter_rows(min_row=7) for c in row[1:] if c.value is not None]
    assert all(isinstance(v, str) for v in numbers)


def test_the_cli_says_no_data_and_so_far(app, today):
    set_go_live(app, NEW_GO_LIVE)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["stats", "--fy", "2569", "--format", "json", "--lang", "en"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["rows"][0][1] is None  # cases received: null, not 0
    assert any("no data" in note for note in data["notes"])
    result = runner.invoke(args=["stats", "--fy", "2570", "--by", "month", "--format", "json", "--lang", "en"])
    data = json.loads(result.output)
    assert data["so_far"] is True
    september = next(row for row in data["rows"] if row[0] == "Sep 2027")
    assert september[1:] == [None] * (len(september) - 1)
    text = runner.invoke(args=["stats", "--fy", "2570", "--lang", "th"]).output
    assert "ถึงวันที่ 2 ธ.ค. 2569" in text


def test_public_stats_before_go_live_and_so_far(app, client, today):
    set_go_live(app, NEW_GO_LIVE)
    make_case(app, utc(2026, 11, 20, 3))
    client.get("/lang/en")
    html = client.get("/stats?fy=2569").get_data(as_text=True)
    assert 'id="general-no-data"' in html and "There is no data for fiscal year 2569" in html
    assert "There were no general complaints" not in html
    html = client.get("/stats?fy=2570").get_data(as_text=True)
    assert "so far, as of 2 Dec 2026" in html
    september = re.search(r"<th scope=\"row\">September 2027</th>(.*?)</tr>", html, re.S).group(1)
    assert "0" not in re.sub(r"<[^>]+>", "", september)  # not reached: empty, not 0
    october = re.search(r"<th scope=\"row\">October 2026</th>(.*?)</tr>", html, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", october) == "–––"  # before go-live: no data, not 0
    assert "There were no general complaints" not in html  # there was one, in November
    html = client.get("/stats?fy=2571").get_data(as_text=True)  # the next year, offered by the picker
    assert "Fiscal year 2571 has not begun" in html
    data = client.get("/stats.csv?fy=2569").data.decode("utf-8-sig")
    year_rows = [r for r in csv.reader(io.StringIO(data)) if r[1] == "ปี"]
    assert year_rows and all(r[3] == "" for r in year_rows)


# --- totals from paper records -----------------------------------------------------------------------


def test_paper_totals_only_for_years_before_go_live(app):
    with (app.app_context(), force_locale("en"),
          pytest.raises(DomainError, match="went into use in the settings first")):
        paper_totals.check(db.session, paper_totals.PaperInput(2567, "complaint", "phone", 3))
    set_go_live(app, date(2025, 3, 15))  # FY2568
    with app.app_context(), force_locale("en"):
        assert paper_totals.years_open(date(2025, 3, 15))[:2] == [2568, 2567]
        assert paper_totals.years_open(date(2024, 10, 1))[0] == 2567  # go-live on 1 October
        for year in (2569, 2570):
            with pytest.raises(DomainError) as caught:
                paper_totals.check(db.session, paper_totals.PaperInput(year, "complaint", "phone", 3))
            assert caught.value.field == "fiscal_year" and "after the e-Service went into use" in str(
                caught.value.message)
        paper_totals.check(db.session, paper_totals.PaperInput(2568, "complaint", "phone", 3))
        with pytest.raises(DomainError) as caught:
            paper_totals.check(db.session, paper_totals.PaperInput(2567, "complaint", "phone", -1))
        assert caught.value.field == "cases"


def test_paper_totals_count_in_their_year_and_are_marked(app):
    set_go_live(app, date(2025, 3, 15))
    add_paper(app, 2567, "complaint", "phone", 40)
    add_paper(app, 2567, "complaint", "walk_in", 12)
    add_paper(app, 2567, "inquiry", "phone", 8)
    figures, tables = _tables(app, stats.make_period("fy", 2567))
    assert figures.summary.known and figures.summary.totals.received == 60
    summary = _rows(tables["summary"])
    assert summary["Cases received"][0] == 60 and summary["Of which from paper records"][0] == 60
    assert summary["Completed"][0] is None  # paper records do not say
    channel = tables["channel"]
    paper_column = channel.header.index("Of which from paper records")
    assert [row[paper_column] for row in channel.rows if row[0] == "Telephone"] == [48]
    assert "From paper records (not kept by month)" in _rows(tables["month"])
    assert all(cell is None for cell in _rows(tables["month"])["Oct 2023"])
    # A quarter cannot hold a yearly total: it has no data rather than a share of it.
    quarter, _ = _tables(app, stats.make_period("quarter", 2567, 1))
    assert not quarter.summary.known
    # FY2568 holds go-live: its total from paper is the days before it, counted with the cases after it.
    add_paper(app, 2568, "complaint", "letter", 5)
    make_case(app, utc(2025, 4, 2, 3))
    figures, _ = _tables(app, stats.make_period("fy", 2568))
    assert (figures.summary.totals.received, figures.summary.totals.paper) == (6, 5)
    # ... and FY2568's comparison is FY2567, known from paper.
    assert figures.previous.totals.received == 60


def test_paper_totals_in_public_stats_exports_and_cli(app, client, today):
    set_go_live(app, date(2025, 3, 15))
    add_paper(app, 2567, "complaint", "phone", 40)
    add_paper(app, 2567, "corruption", "letter", 2)
    client.get("/lang/en")
    html = client.get("/stats?fy=2567").get_data(as_text=True)
    assert "Of which from paper records" in html
    # The integrity total is published as the year's total only, as the small-count rule allows for cases.
    integrity = re.search(r'id="integrity".*?</section>', html, re.S).group(0)
    assert "by month" not in integrity and "by quarter" not in integrity and "Letter" not in integrity
    data = client.get("/stats.csv?fy=2567").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    paper = rows[0].index("ในจำนวนนี้จากบันทึกกระดาษ")  # before the three code columns
    assert paper == len(rows[0]) - 4
    assert [r[paper] for r in rows[1:] if r[1] == "ปี"] == ["40", "2"]
    result = app.test_cli_runner().invoke(args=["stats", "--fy", "2567", "--format", "json", "--lang", "en"])
    assert json.loads(result.output)["paper_records"] == 40  # corruption and gift reports left out by default
    result = app.test_cli_runner().invoke(args=["stats", "--fy", "2567", "--format", "json", "--lang", "en",
                                                "--exact-integrity"])
    assert json.loads(result.output)["paper_records"] == 42
    admin = signed_in_client(app, make_user(app, "stats-root", roles=("admin",)))
    csv_text = admin.get("/admin/stats/export.csv?period=fy&fy=2567&table=type").data.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(csv_text)))
    assert "ในจำนวนนี้จากบันทึกกระดาษ" in header


def test_paper_totals_page_adds_changes_and_removes_with_audit(app, today):
    set_go_live(app, date(2025, 3, 15))
    admin = signed_in_client(app, make_user(app, "paper-root", roles=("admin",)))
    page = admin.get("/admin/paper-totals").get_data(as_text=True)
    assert "No totals from paper records" in page
    response = post(admin, "/admin/paper-totals/new", {"fiscal_year": "2567", "case_type": "complaint",
                                                      "channel_code": "phone", "cases": "๑,๒๓๔",
                                                      "note": "ทะเบียนคุมเรื่องร้องเรียน 2567"})
    assert response.status_code == 302
    with app.app_context():
        row = db.session.scalar(select(PaperTotal))
        assert (row.fiscal_year, row.cases) == (2567, 1234)
        paper_total_id = row.id
    assert audit_entries(app, "admin.paper_total.create")
    refused = post(admin, "/admin/paper-totals/new", {"fiscal_year": "2569", "case_type": "complaint",
                                                     "channel_code": "phone", "cases": "3"})
    assert refused.status_code == 422 and "after the e-Service went into use" in refused.get_data(as_text=True)
    response = post(admin, f"/admin/paper-totals/{paper_total_id}", {"fiscal_year": "2567", "case_type": "complaint",
                                                           "channel_code": "phone", "cases": "1200"})
    assert response.status_code == 302
    assert audit_entries(app, "admin.paper_total.update")[-1].details["cases"] == [1234, 1200]
    # Go-live moved earlier: the row stays, marked as not counted, and the statistics leave it out.
    set_go_live(app, date(2023, 10, 1))  # the first day of FY2567: no day of it is before go-live
    page = admin.get("/admin/paper-totals").get_data(as_text=True)
    assert f'id="uncounted-{paper_total_id}"' in page
    figures, _ = _tables(app, stats.make_period("fy", 2567))
    assert figures.summary.totals.paper == 0
    audit_page = admin.get("/admin/audit").get_data(as_text=True)
    assert "Changed: total from paper records" in audit_page
    response = post(admin, f"/admin/paper-totals/{paper_total_id}/delete", token_page="/admin/paper-totals")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PaperTotal)) == 0
    assert audit_entries(app, "admin.paper_total.delete")


@pytest.mark.parametrize("roles", [("executive",), ("officer",), ("integrity",)])
def test_only_administrators_enter_paper_totals(app, roles):
    user = make_user(app, "not-admin", roles=roles, divisions=("engineering",) if "officer" in roles else ())
    other = signed_in_client(app, user)
    assert other.get("/admin/paper-totals").status_code == 403
    assert other.get("/admin/paper-totals/new").status_code == 403


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fiscal_year=st.one_of(st.text(max_size=12), st.sampled_from(["2566", "2567", "2568", "2569", "2025"])),
       case_type=st.one_of(st.text(max_size=30), st.sampled_from(["complaint", "gift"])),
       channel=st.one_of(st.text(max_size=50), st.sampled_from(["phone", "web"])),
       received=st.one_of(st.text(max_size=20), st.integers(-10, 2_000_000).map(str)),
       note=st.text(max_size=700))
def test_paper_total_form_never_fails_or_half_saves(make_app, fiscal_year, case_type, channel, received, note):
    app = _property_app(make_app)
    admin = app.config["_admin_client"]
    with app.app_context():
        db.session.query(PaperTotal).delete()
        db.session.commit()
        audits = len(audit_entries(app, "admin.paper_total.create"))
    response = post(admin, "/admin/paper-totals/new", {"fiscal_year": fiscal_year, "case_type": case_type,
                                                      "channel_code": channel, "cases": received,
                                                      "note": note})
    assert response.status_code in (302, 400, 422)  # 400: text the input guard refuses
    with app.app_context():
        rows = db.session.scalars(select(PaperTotal)).all()
        created = len(audit_entries(app, "admin.paper_total.create")) - audits
    if response.status_code == 302:
        assert len(rows) == 1 and created == 1
        assert rows[0].fiscal_year in (2566, 2567, 2568) and 0 <= rows[0].cases <= 1_000_000
    else:
        assert rows == [] and created == 0


_PROPERTY_APPS: dict = {}


def _property_app(make_app):
    """One app for all examples of the property test (a fresh one per example would be slow)."""
    key = id(make_app)
    if key not in _PROPERTY_APPS:
        app = make_app()
        set_go_live(app, date(2025, 3, 15))
        app.config["_admin_client"] = signed_in_client(app, make_user(app, "prop-root", roles=("admin",)))
        _PROPERTY_APPS.clear()
        _PROPERTY_APPS[key] = app
    return _PROPERTY_APPS[key]


# --- year pickers --------------------------------------------------------------------------------------


def _options(html: str, name: str = "fy") -> list[int]:
    select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [int(v) for v in re.findall(r'<option[^>]*value="(\d+)"', select_html)]


def _selected(html: str, name: str = "fy") -> int:
    select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return int(re.search(r'<option selected[^>]*value="(\d+)"|<option[^>]*value="(\d+)"[^>]*selected',
                         select_html).group(1) or 0)


def test_every_year_picker_runs_from_the_first_year_with_anything_to_the_next(app, client, today, seeded):
    make_case(app, utc(2025, 4, 2, 3))  # FY2568
    with app.app_context():
        assert stats.fiscal_years(db.session, TODAY) == [2571, 2570, 2569, 2568, 2567]  # ITA scores of 2567
    set_go_live(app, date(2025, 3, 15))
    add_paper(app, 2566, "complaint", "phone", 1)  # paper totals reach further back
    expected = [2571, 2570, 2569, 2568, 2567, 2566]
    with app.app_context():
        assert stats.fiscal_years(db.session, TODAY) == expected
    assert _options(client.get("/stats").get_data(as_text=True)) == expected
    assert client.get("/stats?fy=2569").status_code == 200  # last year's report, due now
    admin = signed_in_client(app, make_user(app, "years-root", roles=("admin",)))
    html = admin.get("/admin/stats").get_data(as_text=True)
    assert _options(html) == expected
    assert 'value="2570" selected' in html or 'selected value="2570"' in html  # the current year first shown
    for page in ("/admin/measures", "/admin/ita", "/admin/report?fy=2568"):
        response = admin.get(page)
        assert response.status_code == 200, (page, response.get_data(as_text=True)[-3000:])
        assert _options(response.get_data(as_text=True)) == expected, page
    assert admin.get("/admin/stats?period=fy&fy=2571").status_code == 200  # the next year: not begun
