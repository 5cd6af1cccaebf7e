"""Corruption and gift reports in /admin/stats, its CSV and XLSX exports and ``flask stats``: someone
outside the integrity unit (an administrator, an executive) learns of them no more than the public page's
small-count rule publishes; the integrity role sees the exact figures (issue 9)."""

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook

from eservice.domain import stats
from eservice.domain.integrity_figures import public_count
from eservice.extensions import db
from eservice.statistics.tables import INTEGRITY_LINE_CODE

from .factories import make_case, utc
from .test_stats_views import _cells

TABLES = ("summary", "channel_type", "channel", "type", "month", "month_channel", "division", "category",
          "village", "satisfaction")
# Every kind of period, down to one day: the fiscal year, a half, a quarter, a month, a week and a day.
PERIODS = (
    ("period=fy&fy=2568", ["--fy", "2568"]),
    ("period=half&fy=2568&half=2", ["--fy", "2568", "--half", "2"]),
    ("period=quarter&fy=2568&quarter=3", ["--fy", "2568", "--quarter", "3"]),
    ("period=month&fy=2568&month=6", ["--fy", "2568", "--month", "6"]),
    ("period=range&start=2025-06-01&end=2025-06-07", ["--from", "2025-06-01", "--to", "2025-06-07"]),
    ("period=range&start=2025-06-02&end=2025-06-02", ["--from", "2025-06-02", "--to", "2025-06-02"]),
)
LINE_LABELS = ("Corruption and gift reports", "เรื่องแจ้งเบาะแสการทุจริตและการรับของขวัญ")


def _general_cases(app):
    make_case(app, utc(2024, 10, 7, 3), "complaint", "web", "road", village=1,
              actions=[("acknowledge", utc(2024, 10, 7, 4)), ("resolve", utc(2024, 10, 9, 3))],
              rating=(4, "yes", utc(2024, 10, 10, 3)))
    make_case(app, utc(2025, 2, 4, 3), "inquiry", "phone", "tax")
    make_case(app, utc(2025, 6, 2, 4), "complaint", "line", "road", village=3)
    make_case(app, utc(2024, 6, 2, 3), "complaint", "web", "road")  # a year earlier


def _small_integrity_cases(app):
    """Three reports, each alone on its day, channel and month: what an executive must not be able to count."""
    make_case(app, utc(2025, 6, 2, 3), "corruption", "web")
    make_case(app, utc(2025, 6, 3, 3), "gift", "line")
    make_case(app, utc(2025, 2, 10, 3), "corruption", "phone",
              actions=[("acknowledge", utc(2025, 2, 10, 4))])
    make_case(app, utc(2024, 6, 2, 3), "corruption", "walk_in")  # a year earlier


def _without_line(rows: list[list], labels=LINE_LABELS) -> list[list]:
    return [row for row in rows if not row or row[0] not in labels]


def _everything_seen(client, runner) -> dict:
    """Every figure the signed-in reader gets, in every view and export, for every period, the line of
    integrity reports apart."""
    seen, lines = {}, {}
    for query, cli_args in PERIODS:
        html = client.get(f"/admin/stats?{query}").get_data(as_text=True)
        headline = re.search(r'<dl class="headline-grid">(.*?)</dl>', html, re.S).group(1)
        seen[(query, "headline")] = re.sub(r"\s+", " ", headline)
        for key in TABLES:
            cells = _cells(html, key)
            seen[(query, "page", key)] = _without_line(cells)
            if key == "type":
                lines[(query, "page")] = [row for row in cells if row[0] in LINE_LABELS]
            response = client.get(f"/admin/stats/export.csv?{query}&table={key}")
            assert response.status_code == 200
            rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
            seen[(query, "csv", key)] = [row for row in rows if row[-1] != INTEGRITY_LINE_CODE]
        book = load_workbook(io.BytesIO(client.get(f"/admin/stats/export.xlsx?{query}").data))
        for sheet in book.worksheets:
            values = [[cell.value for cell in row] for row in sheet.iter_rows()]
            seen[(query, "xlsx", sheet.title)] = _without_line(values)
        for by in (None, "channel", "type", "division", "category", "village", "month"):
            args = ["stats", *cli_args, "--lang", "en", *(["--by", by] if by else [])]
            data = json.loads(runner.invoke(args=[*args, "--format", "json"]).output)
            rows = [row for row, code in zip(data["rows"], data["row_codes"], strict=True)
                    if code != INTEGRITY_LINE_CODE]
            seen[(query, "json", by)] = (data["header"], rows, data["total"])
            output = runner.invoke(args=[*args, "--format", "csv"]).output
            seen[(query, "cli-csv", by)] = [row for row in csv.reader(io.StringIO(output))
                                            if row[-1] != INTEGRITY_LINE_CODE]
            text = runner.invoke(args=args).output
            seen[(query, "cli", by)] = [line for line in text.splitlines()
                                        if not line.startswith(LINE_LABELS)]
    return seen, lines


@pytest.fixture(params=["executive", "admin"])
def outsider(request, client, make_user, login_as):
    login_as(make_user(f"stats-{request.param}", roles=(request.param,)))
    client.get("/lang/en")
    return client


def test_nothing_an_outsider_sees_changes_with_small_counts_of_integrity_reports(app, outsider, runner):
    """Every table, export and command-line output for every period is the same with and without three
    corruption and gift reports (one per day, channel and month), the one line of them apart; so no
    breakdown, total minus parts or day can tell them."""
    _general_cases(app)
    before, _lines = _everything_seen(outsider, runner)
    _small_integrity_cases(app)
    after, lines = _everything_seen(outsider, runner)
    assert before.keys() == after.keys()
    for key in before:
        assert before[key] == after[key], key
    # The line itself: the public page's figure for the year (it publishes the year's total whatever it
    # is), and nothing for a half, quarter, month, week or day, whose breakdown the rule withholds.
    fy_line = lines[("period=fy&fy=2568", "page")]
    assert fy_line == [["Corruption and gift reports", "3", "0", "3", "–", "–", "–", "1"]]
    for query, _args in PERIODS[1:]:
        assert lines[(query, "page")] == [["Corruption and gift reports", "–", "–", "–", "–", "–", "–", "–"]]


def test_the_line_follows_the_public_rule_when_every_month_has_enough(app, outsider):
    """Five reports in one month and none in the others: the public page gives them by month, and so
    does the line here (the rule is the one function, stats.publishable)."""
    for day in range(2, 7):
        make_case(app, utc(2025, 6, day, 3), "corruption", "web")
    month = {r[0]: r[1:] for r in _cells(outsider.get("/admin/stats?period=month&fy=2568&month=6")
                                         .get_data(as_text=True), "type")}
    assert month["Corruption and gift reports"][:3] == ["5", "0", "5"]
    # The day stays withheld, and no table of the day counts them.
    html = outsider.get("/admin/stats?period=range&start=2025-06-02&end=2025-06-02").get_data(as_text=True)
    assert {r[0]: r[1] for r in _cells(html, "type")}["Corruption and gift reports"] == "–"
    assert {r[0]: r[1] for r in _cells(html, "summary")}["Cases received"] == "0"
    channels = {r[0]: r[1] for r in _cells(html, "channel")}
    assert channels["e-Service (web)"] == "0"


def test_the_integrity_role_sees_exact_figures(app, client, make_user, login_as, runner):
    _general_cases(app)
    _small_integrity_cases(app)
    login_as(make_user("stats-integrity-admin", roles=("admin", "integrity")))
    client.get("/lang/en")
    html = client.get("/admin/stats?period=range&start=2025-06-02&end=2025-06-02").get_data(as_text=True)
    types = {r[0]: r[1] for r in _cells(html, "type")}
    assert types["Corruption report"] == "1" and types["Gift report"] == "0"
    assert "Corruption and gift reports" not in types
    assert {r[0]: r[1] for r in _cells(html, "summary")}["Cases received"] == "2"
    matrix = {r[0]: r[1:] for r in _cells(html, "channel_type")}
    assert matrix["e-Service (web)"][4] == "1"  # complaint, suggestion, inquiry, objection, corruption
    # The command line gives exact figures only when asked.
    exact = json.loads(runner.invoke(args=["stats", "--from", "2025-06-02", "--to", "2025-06-02", "--by", "type",
                                           "--format", "json", "--lang", "en", "--exact-integrity"]).output)
    assert dict(zip(exact["row_codes"], (r[1] for r in exact["rows"]), strict=True))["corruption"] == 1
    default = json.loads(runner.invoke(args=["stats", "--from", "2025-06-02", "--to", "2025-06-02", "--by",
                                             "type", "--format", "json", "--lang", "en"]).output)
    assert "corruption" not in default["row_codes"]
    assert dict(zip(default["row_codes"], (r[1] for r in default["rows"]), strict=True))[INTEGRITY_LINE_CODE] is None


def test_public_count_is_the_public_pages_figure(app):
    for month, n in ((10, 6), (11, 0), (2, 5)):
        for i in range(n):
            make_case(app, utc(2024 if month >= 10 else 2025, month, 4 + i, 3), "gift", "web")
    with app.app_context():
        public = stats.public_statistics(db.session, 2568)
        assert public_count(db.session, stats.make_period("fy", 2568)).received == public.integrity.total.received
        october = public_count(db.session, stats.make_period("month", 2568, 10))
        assert october.received == 6 == public.integrity.levels["month"][0].received
        assert public_count(db.session, stats.make_period("quarter", 2568, 2)).received == 5
        assert public_count(db.session, stats.make_period("range", start=utc(2024, 10, 1).date(),
                                                          end=utc(2025, 9, 30).date())) is None
        assert stats.publishable([0, 5, 6]) and not stats.publishable([0, 4, 6])


def _counts(client, page: str) -> str:
    html = client.get(f"/admin/{page}").get_data(as_text=True)
    return re.sub(r"\s+", " ", html.split('<table class="admin-table">', 1)[1].split("</table>", 1)[0])


def test_reference_lists_count_integrity_reports_only_for_the_integrity_role(app, client, make_user, login_as):
    """The case counts beside the channels, divisions and categories would move by one with each new
    report; only the integrity role sees them counted."""
    _general_cases(app)
    login_as(make_user("lists-admin", roles=("admin",)))
    client.get("/lang/en")
    before = {page: _counts(client, page) for page in ("channels", "divisions", "categories")}
    _small_integrity_cases(app)
    for page, table in before.items():
        assert _counts(client, page) == table, page
    assert "only the integrity unit sees them counted" in client.get("/admin/channels").get_data(as_text=True)
    login_as(make_user("lists-integrity", roles=("admin", "integrity")))
    for page, table in before.items():
        assert _counts(client, page) != table, page
