"""/admin/stats: who may see it, the period chooser and its refusals, the tables and charts, and the
CSV and XLSX exports read back."""

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from .factories import make_case, utc


@pytest.fixture
def cases(app):
    """A small fiscal year 2568: three web complaints (one resolved on time), a phone inquiry, a LINE
    suggestion in village 3, and a corruption report; one web complaint in FY2567."""
    make_case(app, utc(2024, 10, 7, 3), "complaint", "web", "road", village=1,
              actions=[("acknowledge", utc(2024, 10, 7, 4)), ("resolve", utc(2024, 10, 9, 3))],
              rating=(4, "yes", utc(2024, 10, 10, 3)))
    make_case(app, utc(2024, 11, 4, 3), "complaint", "web", "garbage", village=1)
    make_case(app, utc(2025, 2, 3, 3), "complaint", "web", "road")
    make_case(app, utc(2025, 2, 4, 3), "inquiry", "phone", "tax")
    make_case(app, utc(2025, 5, 6, 3), "suggestion", "line", "road", village=3)
    make_case(app, utc(2025, 6, 2, 3), "corruption", "web")
    make_case(app, utc(2024, 5, 6, 3), "complaint", "web", "road")


@pytest.fixture
def admin(client, make_user, login_as):
    login_as(make_user("stats-admin", roles=("admin", "integrity")))  # exact figures: see test_stats_disclosure
    client.get("/lang/en")
    return client


def _cells(html: str, table_key: str) -> list[list[str]]:
    """The rows of one statistics table as text cells (header cell first)."""
    section = re.search(rf'<table class="stats-table stats-{table_key}">(.*?)</table>', html, re.S)
    assert section, f"no table {table_key}"
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", section.group(1), re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return rows


def test_the_page_shows_every_table_and_chart_for_a_fiscal_year(admin, cases):
    response = admin.get("/admin/stats?period=fy&fy=2568")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for key in ("summary", "channel_type", "channel", "type", "month", "month_channel", "division", "category",
                "village", "satisfaction"):
        assert f'id="table-{key}"' in html
        assert f"table={key}&amp;" in html or f"table={key}&" in html  # its CSV link
    for chart in ("channels_over_months", "types", "on_time"):
        assert f'id="chart-{chart}"' in html
    summary = {row[0]: row[1:] for row in _cells(html, "summary")}
    assert summary["Cases received"] == ["6", "1", "5"]
    assert summary["Received through the e-Service"] == ["4", "1", "3"]
    assert summary["e-Service share (%)"] == ["66.67", "100.00", "-33.33"]
    channel_type = {row[0]: row[1:] for row in _cells(html, "channel_type")}
    # Columns: complaint, suggestion, inquiry, objection, corruption, gift, total.
    assert channel_type["e-Service (web)"] == ["3", "0", "0", "0", "1", "0", "4"]
    assert channel_type["Telephone"] == ["0", "0", "1", "0", "0", "0", "1"]
    assert channel_type["Total"] == ["3", "1", "1", "0", "1", "0", "6"]
    villages = {row[0]: row[1] for row in _cells(html, "village")}
    assert villages["Moo 1"] == "2" and villages["Moo 3"] == "1" and villages["No village given"] == "3"
    months = {row[0]: row[1] for row in _cells(html, "month")}
    assert months["Oct 2024"] == "1" and months["Feb 2025"] == "2" and months["Sep 2025"] == "0"
    assert "<script>" not in html and 'style="' not in html and "<style" not in html


def test_charts_draw_the_numbers_of_their_tables(admin, cases):
    html = admin.get("/admin/stats?period=fy&fy=2568").get_data(as_text=True)
    chart = re.search(r'id="chart-types"(.*?)</figure>', html, re.S).group(1)
    labels = re.findall(r'<span class="chart-label">([^<]+)</span>', chart)
    values = re.findall(r'<span class="chart-value">([^<]+)</span>', chart)
    # Each type: this period, then the same period a year earlier.
    type_rows = {row[0]: row for row in _cells(html, "type")}
    for label, (now, before) in zip(labels, zip(values[::2], values[1::2], strict=True), strict=True):
        assert type_rows[label][1] == now and type_rows[label][-1] == before
    # The largest bar fills the chart; others are in proportion.
    widths = [float(w) for w in re.findall(r'<rect class="series-0" x="0.0" width="([0-9.]+)"', chart)]
    assert max(widths) == 1000.0 and sorted(widths) == [333.3, 333.3, 333.3, 1000.0]  # 3 complaints; 1 each of 3 types


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("period=fy&fy=2600", "fy", "There are no statistics for fiscal year 2600"),
        ("period=fy&fy=2025", "fy", "looks like a year of the Christian era"),
        ("period=fy&fy=twenty", "fy", "Enter the fiscal year as a Buddhist-era year"),
        ("period=range&start=2025-03-01&end=2025-01-31", "end", "The range ends before it starts"),
        ("period=range&start=2025-03-01", "end", "Enter the last day of the range"),
        ("period=range&start=31/01/2025&end=2025-02-01", "start", "Enter a date as year-month-day"),
        ("period=quarter&fy=2568&quarter=9", "quarter", "Choose a quarter from 1 to 4"),
        ("period=decade&fy=2568", "period", "Not a valid choice"),
    ],
)
def test_bad_periods_are_refused_with_a_message_beside_the_field(admin, cases, query, field, message):
    response = admin.get(f"/admin/stats?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert message in html
    assert 'id="table-summary"' not in html  # no figures for a period that does not exist


def test_bad_periods_are_refused_by_the_exports_too(admin, cases):
    assert admin.get("/admin/stats/export.xlsx?period=fy&fy=2600").status_code == 400
    assert admin.get("/admin/stats/export.csv?period=range&start=2025-03-01&end=2025-01-01&table=summary"
                     ).status_code == 400
    assert admin.get("/admin/stats/export.csv?period=fy&fy=2568&table=nothing").status_code == 404


def test_a_quarter_a_month_and_a_range(admin, cases):
    html = admin.get("/admin/stats?period=quarter&fy=2568&quarter=2").get_data(as_text=True)
    assert {r[0]: r[1] for r in _cells(html, "summary")}["Cases received"] == "2"  # both in February
    html = admin.get("/admin/stats?period=month&fy=2568&month=10").get_data(as_text=True)
    assert {r[0]: r[1] for r in _cells(html, "summary")}["Cases received"] == "1"
    html = admin.get("/admin/stats?period=range&start=2025-02-04&end=2025-06-02").get_data(as_text=True)
    assert {r[0]: r[1] for r in _cells(html, "summary")}["Cases received"] == "3"
    assert "4 Feb 2025 – 2 Jun 2025" in html


def test_csv_export_reads_back_with_thai_names_and_buddhist_era_months(admin, cases):
    response = admin.get("/admin/stats/export.csv?period=fy&fy=2568&table=month")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="statistics-fy2568-month.csv"' in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 1 + 12 + 1  # header, twelve months, total
    assert [r[0] for r in rows[1:4]] == ["ต.ค. 2567", "พ.ย. 2567", "ธ.ค. 2567"]
    assert rows[-1][1] == "6"
    channels = list(csv.reader(io.StringIO(
        admin.get("/admin/stats/export.csv?period=fy&fy=2568&table=channel").data.decode("utf-8-sig"))))
    by_name = {r[0]: r for r in channels[1:]}
    assert by_name["e-Service (เว็บไซต์)"][1] == "4"  # the Thai name, though the page is in English
    assert by_name["โทรศัพท์"][1] == "1"


def test_xlsx_export_has_a_sheet_per_table_with_numbers(admin, cases):
    response = admin.get("/admin/stats/export.xlsx?period=fy&fy=2568")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.data))
    assert len(book.sheetnames) == 10
    for sheet in book.worksheets:
        titles = [sheet.cell(row=r, column=1).value for r in range(1, 5)]
        assert "2568" in titles[2] and "ต.ค. 2567" in titles[2] and "ก.ย. 2568" in titles[2]  # the period, B.E.
    channel_sheet = book.worksheets[2]  # summary, channel × type, channel, … as on the page
    values = {row[0].value: [c.value for c in row[1:]] for row in channel_sheet.iter_rows(min_row=7)}
    assert values["e-Service (เว็บไซต์)"][0] == 4 and isinstance(values["e-Service (เว็บไซต์)"][0], int)
    assert values["e-Service (เว็บไซต์)"][6] == pytest.approx(66.67)  # the share, a number
    matrix = book.worksheets[1]
    assert [c.value for c in next(matrix.iter_rows(min_row=7, max_row=7))][:2] == ["e-Service (เว็บไซต์)", 3]


def test_figures_are_the_same_on_the_page_in_csv_and_in_xlsx(admin, cases):
    html = admin.get("/admin/stats?period=fy&fy=2568").get_data(as_text=True)
    page = [row[1:] for row in _cells(html, "division")[1:]]
    rows = list(csv.reader(io.StringIO(
        admin.get("/admin/stats/export.csv?period=fy&fy=2568&table=division").data.decode("utf-8-sig"))))
    exported = [[("–" if v == "" else f"{float(v):,.2f}" if "." in v else f"{int(v):,}") for v in r[1:-1]]
                for r in rows[1:]]
    assert page == exported
    assert rows[0][-1] == "รหัส" and rows[-1][-1] == "total"  # each row's code, last


def test_non_staff_are_sent_to_sign_in_and_officers_get_403(client, make_user, login_as, cases):
    response = client.get("/admin/stats")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    assert client.get("/admin/stats/export.csv?table=summary").status_code == 302
    login_as(make_user("officer-a", roles=("officer",), divisions=("engineering",)))
    for url in ("/admin/stats", "/admin/stats/export.xlsx", "/admin/stats/export.csv?table=summary"):
        assert client.get(url).status_code == 403


def test_executives_read_the_statistics_and_change_nothing(client, make_user, login_as, cases):
    login_as(make_user("mayor", roles=("executive",)))
    assert client.get("/admin/stats?period=fy&fy=2568").status_code == 200
    assert client.get("/admin/stats/export.xlsx?period=fy&fy=2568").status_code == 200
    # Nothing here accepts a change: no form posts, and POST is not a method of these addresses.
    html = client.get("/admin/stats").get_data(as_text=True)
    assert 'method="post"' not in html.split('<div class="stats-page">')[1]
    assert client.post("/admin/stats").status_code in (400, 405)  # CSRF refuses first, or the method


def test_the_default_is_the_current_fiscal_year(admin, cases):
    from eservice.domain.fiscal import fiscal_year_of

    html = admin.get("/admin/stats").get_data(as_text=True)
    assert f"Fiscal year {fiscal_year_of(date.today())}" in html


def test_cli_prints_the_same_figures(app, runner, cases):
    result = runner.invoke(args=["stats", "--fy", "2568", "--lang", "en", "--exact-integrity"])
    assert result.exit_code == 0, result.output
    assert "Summary – Fiscal year 2568" in result.output
    line = next(text for text in result.output.splitlines() if text.startswith("Cases received"))
    assert line.split()[-3:] == ["6", "1", "5"]

    result = runner.invoke(args=["stats", "--fy", "2568", "--by", "channel", "--format", "csv", "--lang", "en",
                                 "--exact-integrity"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0][0] == "Channel" and {r[0]: r[1] for r in rows[1:]}["e-Service (web)"] == "4"

    import json

    result = runner.invoke(args=["stats", "--fy", "2568", "--quarter", "2", "--by", "type", "--format", "json",
                                 "--lang", "en"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["period"] == {"kind": "quarter", "fiscal_year": 2568, "part": 2, "start": "2025-01-01",
                              "end": "2025-03-31", "label": data["period"]["label"]}
    received = {row[0]: row[1] for row in data["rows"]}
    assert (received["Complaint"], received["Inquiry"], data["total"][1]) == (1, 1, 2)

    result = runner.invoke(args=["stats", "--fy", "2568", "--by", "month", "--lang", "th"])
    assert result.exit_code == 0 and "ต.ค. 2567" in result.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--fy", "2600"], "no statistics for fiscal year 2600"),
        (["--fy", "2025"], "Christian era"),
        (["--from", "2025-03-01", "--to", "2025-02-01"], "ends before it starts"),
        (["--fy", "2568", "--half", "1", "--quarter", "2"], "at most one of"),
        (["--fy", "2568", "--by", "planet"], "Invalid value"),
        (["--fy", "2568", "--from", "2025-01-01", "--to", "2025-02-01"], "not both"),
    ],
)
def test_cli_refuses_bad_input(runner, cases, args, words):
    result = runner.invoke(args=["stats", *args, "--lang", "en"])
    assert result.exit_code != 0
    assert words.lower() in result.output.lower()


def test_exports_have_thai_headers_once_the_thai_catalogue_holds_this_fragment(make_app, tmp_path):
    """Merge the main catalogue with eservice/translations/fragments/statistics.po, as the lead will, and
    check the export speaks Thai even to a client reading the page in English."""
    import os

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from eservice import PACKAGE_DIR

    translations = os.path.join(PACKAGE_DIR, "translations")
    with open(os.path.join(translations, "th", "LC_MESSAGES", "messages.po"), "rb") as handle:
        catalog = read_po(handle)
    with open(os.path.join(translations, "fragments", "statistics.po"), "rb") as handle:
        for message in read_po(handle):
            if message.id:
                if message.id in catalog:  # Catalog.__setitem__ would keep the old, empty msgstr
                    del catalog[message.id]
                catalog[message.id] = message
    target = tmp_path / "translations" / "th" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / "messages.mo", "wb") as handle:
        write_mo(handle, catalog)

    app = make_app(BABEL_TRANSLATION_DIRECTORIES=str(tmp_path / "translations"))
    # Flask-Babel caches catalogues per process by locale only: forget the real one, and ours after.
    cache = app.extensions["babel"].instance.domain_instance.cache
    cache.clear()
    try:
        _check_thai_exports(app)
    finally:
        cache.clear()


def _check_thai_exports(app):
    from eservice.domain.accounts import create_user
    from eservice.extensions import db

    make_case(app, utc(2024, 10, 7, 3), "complaint", "web", "road")
    with app.app_context():
        user_id = create_user(db.session, "stats-th", "correct horse battery", roles=("admin",), divisions=[]).id
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
    client.get("/lang/en")
    header = next(csv.reader(io.StringIO(client.get(
        "/admin/stats/export.csv?period=fy&fy=2568&table=month").data.decode("utf-8-sig"))))
    assert header[:4] == ["เดือน", "จำนวนเรื่องที่รับ", "ดำเนินการแล้วเสร็จ", "อยู่ระหว่างดำเนินการ"]
    book = load_workbook(io.BytesIO(client.get("/admin/stats/export.xlsx?period=fy&fy=2568").data))
    assert book.worksheets[0]["A1"].value == "สถิติการใช้ช่องทาง"
    assert book.worksheets[0]["A3"].value == "ปีงบประมาณ พ.ศ. 2568 (1 ต.ค. 2567 – 30 ก.ย. 2568)"
    # The page itself stays in the language the reader chose.
    assert "Cases by month" in client.get("/admin/stats?period=fy&fy=2568").get_data(as_text=True)
