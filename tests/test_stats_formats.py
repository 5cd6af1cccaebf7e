"""The statistics' file formats: CSV cells that never read as formulas (headers too), codes beside the
labels in the machine formats, whole sheet names in XLSX, command-line tables that line up with Thai."""

import csv
import io
import json

import pytest
import wcwidth
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import select

from eservice.csv_files import FORMULA_TRIGGERS, cell, csv_bytes, csv_text, inert
from eservice.models import Channel, Division
from eservice.statistics.cli import display_width, text_table
from eservice.statistics.exports import SHEET_NAME_LIMIT, sheet_name
from eservice.statistics.tables import Table

from .factories import make_case, session_for, utc


@pytest.fixture
def admin(client, make_user, login_as):
    login_as(make_user("formats-admin", roles=("admin", "integrity")))
    client.get("/lang/en")
    return client


def _rename(app, model, code, name):
    with session_for(app) as session:
        row = session.scalar(select(model).where(model.code == code))
        row.name_th = row.name_en = name
        session.commit()


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


# --- CSV: no cell is a formula ------------------------------------------------------------------------


def test_header_cells_and_tab_or_carriage_return_cells_are_kept_inert(app, admin):
    """A channel's name is a header cell of the channel × month table; a division's name a data cell."""
    make_case(app, utc(2024, 10, 7, 3), "complaint", "web", "road")
    _rename(app, Channel, "web", "=HYPERLINK(\"http://x\")")
    _rename(app, Channel, "line", "\t=1+1")
    _rename(app, Division, "engineering", "\r@SUM(A1)")
    header = _csv(admin.get("/admin/stats/export.csv?period=fy&fy=2568&table=month_channel"))[0]
    assert "'=HYPERLINK(\"http://x\")" in header and "'\t=1+1" in header
    rows = _csv(admin.get("/admin/stats/export.csv?period=fy&fy=2568&table=division"))
    assert [row[0] for row in rows if "SUM" in row[0]] == ["'\r@SUM(A1)"]
    for table in ("channel", "channel_type", "month_channel", "division"):
        for row in _csv(admin.get(f"/admin/stats/export.csv?period=fy&fy=2568&table={table}")):
            assert not [value for value in row if value.startswith(FORMULA_TRIGGERS)], (table, row)


def test_numbers_stay_numbers():
    assert [cell(v) for v in (-3, 2.5, None, 0, True)] == ["-3", "2.50", "", "0", "True"]
    assert cell("-3") == "'-3"  # a text that looks like a negative number is text


# What a spreadsheet takes for the start of a formula (OWASP), written out here rather than imported.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def test_the_helper_knows_every_trigger():
    assert set(FORMULA_TRIGGERS) == set(TRIGGERS)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.text(), min_size=1, max_size=5), min_size=1, max_size=5))
def test_any_text_reads_back_inert_and_otherwise_unchanged(rows):
    back = list(csv.reader(io.StringIO(csv_text(rows), newline="")))
    assert len(back) == len(rows)
    for written, read in zip(rows, back, strict=True):
        assert len(read) == len(written)
        for original, value in zip(written, read, strict=True):
            assert not value.startswith(TRIGGERS)
            assert value == inert(original)
            assert value == original or (value == "'" + original and original.startswith(TRIGGERS))
    assert csv_bytes(rows).startswith("\ufeff".encode())


# --- codes beside the labels --------------------------------------------------------------------------


def test_machine_formats_carry_codes_beside_the_labels(app, admin, runner):
    make_case(app, utc(2024, 10, 7, 3), "complaint", "web", "road", village=1)
    make_case(app, utc(2024, 11, 4, 3), "inquiry", "line", "tax")
    rows = _csv(admin.get("/admin/stats/export.csv?period=fy&fy=2568&table=channel"))
    codes = {row[-1]: row[0] for row in rows[1:]}
    assert codes["web"] == "e-Service (เว็บไซต์)" and "line" in codes and codes["total"] == "รวม"
    rows = _csv(admin.get("/admin/stats/export.csv?period=fy&fy=2568&table=month"))
    assert [row[-1] for row in rows[1:4]] == ["2024-10", "2024-11", "2024-12"]

    data = json.loads(runner.invoke(args=["stats", "--fy", "2568", "--by", "type", "--format", "json",
                                          "--lang", "en", "--exact-integrity"]).output)
    assert data["row_codes"][:2] == ["complaint", "suggestion"] and data["total_code"] == "total"
    assert data["columns"][1] == {"code": "received", "label": "Cases received"}
    received = dict(zip(data["row_codes"], (row[1] for row in data["rows"]), strict=True))
    assert received["complaint"] == 1 and received["inquiry"] == 1
    data = json.loads(runner.invoke(args=["stats", "--fy", "2568", "--format", "json", "--lang", "en"]).output)
    assert data["row_codes"][0] == "received" and data["rows"][0][:2] == ["Cases received", 2]
    data = json.loads(runner.invoke(args=["stats", "--fy", "2568", "--by", "village", "--format", "json",
                                          "--lang", "en"]).output)
    assert "1" in data["row_codes"] and data["row_codes"][-1] == "none"
    rows = list(csv.reader(io.StringIO(runner.invoke(args=["stats", "--fy", "2568", "--by", "channel",
                                                           "--format", "csv", "--lang", "en"]).output)))
    assert rows[0][-1] == "Code" and {row[-1] for row in rows[1:]} >= {"web", "line", "total"}

    rows = _csv(admin.get("/stats.csv?fy=2568"))
    assert rows[1][-3:] == ["general", "month", "2024-10"] and rows[-1][-3:][1:] == ["year", "fy2568"]


# --- XLSX sheet names ---------------------------------------------------------------------------------


def test_sheet_names_are_whole(app, admin):
    make_case(app, utc(2024, 10, 7, 3), "complaint", "web", "road")
    book = load_workbook(io.BytesIO(admin.get("/admin/stats/export.xlsx?period=fy&fy=2568").data))
    assert book.sheetnames == ["สรุป", "ตามช่องทางและประเภท", "ตามช่องทาง", "ตามประเภท", "รายเดือน",
                               "รายเดือนตามช่องทาง", "ตามหน่วยงาน", "ตามหมวดหมู่", "ตามหมู่บ้าน",
                               "การประเมินความพึงพอใจ"]
    # The full title is still on each sheet, below the heading.
    assert book.worksheets[1]["A2"].value == "จำนวนเรื่องจำแนกตามช่องทางและประเภท"


def test_a_long_name_is_cut_between_words_or_letters_never_before_a_mark():
    used: set[str] = set()
    assert sheet_name("Cases by intake channel and type of case", used) == "Cases by intake channel and"
    thai = "จำนวนเรื่องจำแนกตามช่องทางและประเภท"  # 35 characters, no spaces
    name = sheet_name(thai, used)
    assert len(name) <= SHEET_NAME_LIMIT and thai.startswith(name)
    assert not thai[len(name)].isspace() and wcwidth.wcwidth(thai[len(name)]) != 0  # the next is not a mark
    assert name[-1] not in "เแโใไ"
    again = sheet_name(thai, used)
    assert again.endswith(" (2)") and len(again) <= SHEET_NAME_LIMIT


@given(st.text(min_size=1, max_size=80))
def test_any_sheet_name_is_valid_and_unique(title):
    used: set[str] = set()
    names = [sheet_name(title, used) for _ in range(3)]
    assert len(set(names)) == 3
    for name in names:
        assert 0 < len(name) <= SHEET_NAME_LIMIT and not set(name) & set("[]:*?/\\")


# --- command-line tables ------------------------------------------------------------------------------


def _columns(line: str, cells: list[str]) -> list[int]:
    """The display column where each cell ends on a printed line."""
    ends, position = [], 0
    for text in cells:
        position = line.index(text, position) + len(text)
        ends.append(wcwidth.wcswidth(line[:position]))
    return ends


def test_thai_rows_line_up():
    table = Table("t", "t", ["หมู่บ้าน", "จำนวนเรื่องที่รับ"],
                  [["หมู่ที่ 1 บ้านน้ำใส", 12], ["Moo 2", 3], ["ที่นี่\u200bไม่มีชื่อ", 1_234]], ["รวม", 1_249])
    lines = text_table(table, "th").splitlines()
    assert display_width("น้ำ") == 2 and display_width("ที่นี่") == 2
    assert display_width("ไลน์\u200bออฟฟิศ") == 8  # the zero-width space Thai text puts between words
    assert len({wcwidth.wcswidth(line) for line in lines}) == 1  # every line as wide as the rule
    # The numbers end in one column: the labels before them were padded by their display width.
    ends = {_columns(line, cells)[1] for line, cells in zip(
        lines[2:5], [["หมู่ที่ 1 บ้านน้ำใส", "12"], ["Moo 2", "3"], ["ที่นี่\u200bไม่มีชื่อ", "1,234"]], strict=True)}
    assert ends == {wcwidth.wcswidth(lines[0])}


# Text a terminal shows: letters with their marks, digits, punctuation and symbols, no spaces at the ends.
_PRINTABLE = st.text(st.characters(categories=("L", "M", "N", "P", "S"), exclude_characters="\u00ad"),
                     min_size=1, max_size=12).filter(lambda text: wcwidth.wcswidth(text) > 0)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 4).flatmap(lambda n: st.tuples(
    st.lists(_PRINTABLE, min_size=n, max_size=n),
    st.lists(st.lists(_PRINTABLE, min_size=n, max_size=n), min_size=1, max_size=5))))
def test_every_column_ends_at_the_same_display_column(header_and_rows):
    header, rows = header_and_rows
    lines = text_table(Table("t", "t", header, rows), "th").splitlines()
    assert len(lines) == 2 + len(rows)
    expected = None
    for line, cells in zip([lines[0], *lines[2:]], [header, *rows], strict=True):
        ends = _columns(line, cells)
        # The first column is left-aligned: it starts at 0; the others are right-aligned: they end together.
        ends[0] = display_width(line[:line.index(cells[0])])
        expected = expected or ends
        assert ends == expected
    if len(header) > 1:  # the last column is right-aligned: every line is as wide as the rule
        assert {wcwidth.wcswidth(line) for line in lines} == {wcwidth.wcswidth(lines[1])}
