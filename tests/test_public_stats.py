"""/stats, the public complaint statistics of the ITA: general complaints and corruption complaints per
fiscal year by month, quarter and half; nothing that could identify anyone; "there were none" where
there were none; printable and downloadable as CSV."""

import csv
import io
import re

import pytest

from eservice.domain import stats
from eservice.extensions import db

from .factories import make_case, utc


@pytest.fixture
def english(client):
    client.get("/lang/en")
    return client


def _rows(html: str, caption: str) -> dict[str, list[str]]:
    table = re.search(rf"<caption>{re.escape(caption)}</caption>(.*?)</table>", html, re.S)
    assert table, f"no table {caption!r}"
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1), re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows[cells[0]] = cells[1:]
    return rows


def test_home_page_links_to_the_public_statistics(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/stats"' in html


def test_complaints_by_month_quarter_and_half_at_bangkok_boundaries(app, english):
    # 1 Oct 2024 00:30 in Bangkok (30 Sep in UTC): the first month of FY2568; resolved.
    make_case(app, utc(2024, 9, 30, 17, 30), "complaint", "web", "road",
              actions=[("resolve", utc(2024, 10, 2, 3))])
    make_case(app, utc(2024, 9, 30, 16, 59), "complaint", "phone", "road")  # FY2567
    make_case(app, utc(2024, 12, 31, 17, 0), "complaint", "letter", "road")  # 1 Jan 2025: quarter 2
    make_case(app, utc(2025, 4, 1, 2), "complaint", "web", "garbage", actions=[("reject", utc(2025, 4, 2, 2))])
    make_case(app, utc(2025, 9, 30, 16, 59), "complaint", "web", "road")  # 30 Sep 23:59: still FY2568
    make_case(app, utc(2025, 5, 5, 3), "inquiry", "web", "tax")  # not a complaint
    response = english.get("/stats?fy=2568")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    months = _rows(html, "General complaints by month")
    assert months["October 2024"] == ["1", "1", "0"]
    assert months["December 2024"] == ["0", "0", "0"]
    assert months["January 2025"] == ["1", "0", "1"]
    assert months["April 2025"] == ["1", "1", "0"]  # not accepted counts as completed
    assert months["September 2025"] == ["1", "0", "1"]
    assert months["Total"] == ["4", "2", "2"]
    assert _rows(html, "General complaints by quarter")["Quarter 1"] == ["1", "1", "0"]
    assert _rows(html, "General complaints by quarter")["Quarter 2"] == ["1", "0", "1"]
    assert _rows(html, "General complaints by quarter")["Quarter 4"] == ["1", "0", "1"]
    assert _rows(html, "General complaints by half of the fiscal year")["Half 2"] == ["2", "1", "1"]
    # No corruption complaints that year: said in words.
    assert 'id="integrity-none"' in html
    assert "There were no corruption or misconduct complaints in fiscal year 2568." in html
    assert 'id="general-none"' not in html


def test_a_year_without_complaints_says_so(app, english):
    make_case(app, utc(2025, 1, 6, 3), "inquiry", "web", "tax")
    html = english.get("/stats?fy=2568").get_data(as_text=True)
    assert "There were no general complaints in fiscal year 2568." in html
    assert "There were no corruption or misconduct complaints in fiscal year 2568." in html


def test_few_corruption_complaints_are_not_broken_down(app, english):
    make_case(app, utc(2025, 1, 6, 3), "corruption", "web", actions=[("resolve", utc(2025, 1, 8, 3))])
    make_case(app, utc(2025, 2, 3, 3), "gift", "letter")
    html = english.get("/stats?fy=2568").get_data(as_text=True)
    section = html.split('id="integrity"', 1)[1].split("</section>", 1)[0]
    assert "<table" not in section  # two reports: the year's total only
    totals = re.findall(r"<dd>(\d+)</dd>", section)
    assert totals == ["2", "1", "1"]
    assert 'id="integrity-withheld"' in section
    # Nothing about the reports themselves: no category, division, channel, village or text.
    text = re.sub(r"<[^>]+>", " ", section)
    for word in ("bribery", "Bribery", "Anti-Corruption", "letter", "Letter", "gift", "Gift", "เรื่องทดสอบสถิติ",
                 "BPT-"):
        assert word not in text


def test_corruption_complaints_are_broken_down_only_as_finely_as_is_safe(app):
    # Quarter 1: six reports over three months (2, 2, 2); quarter 2: five in January. Months would show
    # twos; quarters (6 and 5) are safe.
    for month, day in ((10, 7), (10, 8), (11, 4), (11, 5), (12, 2), (12, 3)):
        make_case(app, utc(2024, month, day, 3), "corruption", "web")
    for day in (6, 7, 8, 9, 10):
        make_case(app, utc(2025, 1, day, 3), "corruption", "web")
    with app.test_request_context():
        public = stats.public_statistics(db.session, 2568, "en")
    assert public.integrity.withheld == ["month"]
    assert [c.received for c in public.integrity.levels["quarter"]] == [6, 5, 0, 0]
    assert [c.received for c in public.integrity.levels["half"]] == [11, 0]
    assert public.integrity.total.received == 11
    # General complaints are always given by month.
    assert public.general.withheld == [] and len(public.general.levels["month"]) == 12


def test_csv_download_reads_back(app, client):
    make_case(app, utc(2025, 1, 6, 3), "complaint", "web", "road")
    make_case(app, utc(2025, 1, 7, 3), "corruption", "web")
    response = client.get("/stats.csv?fy=2568")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="complaint-statistics-2568.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    body = rows[1:]
    # General complaints: 12 months, 4 quarters, 2 halves and the year; corruption: the year alone.
    assert len(body) == 19 + 1
    january = [r for r in body if r[2] == "มกราคม 2568"]  # Buddhist-era month names
    assert len(january) == 1 and january[0][3:] == ["1", "0", "1", "", "general", "month", "2025-01"]  # codes last
    year_rows = [r for r in body if r[2] == body[-1][2]]
    assert [r[3] for r in year_rows] == ["1", "1"]
    assert [r[6] for r in year_rows] == ["0", "0"]  # of which from paper records: none


def test_unknown_fiscal_years_get_a_clear_message(english):
    for query, words in (("fy=2700", "There are no statistics for fiscal year 2700"),
                         ("fy=2024", "looks like a year of the Christian era"),
                         ("fy=last", "Enter the fiscal year as a Buddhist-era year")):
        response = english.get(f"/stats?{query}")
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert words in html and 'id="fy-error"' in html
    assert english.get("/stats.csv?fy=2700").status_code == 400


def test_page_is_printable_and_needs_no_inline_script_or_style(app, english):
    make_case(app, utc(2025, 1, 6, 3), "complaint", "web", "road")
    html = english.get("/stats?fy=2568").get_data(as_text=True)
    assert "statistics.css" in html and "data-print" in html
    assert "<script>" not in html and 'style="' not in html and "<style" not in html
