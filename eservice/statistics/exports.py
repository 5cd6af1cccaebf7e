"""CSV and XLSX files of the statistics tables (Thai headers and Buddhist-era dates: the views build
the tables under the Thai locale for export)."""

from __future__ import annotations

import io
import re
import unicodedata

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..csv_files import csv_bytes
from .tables import TOTAL_CODE, Table

# Excel refuses these in sheet names and allows at most 31 characters.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_LIMIT = 31
_LEADING_VOWELS = "\u0e40\u0e41\u0e42\u0e43\u0e44"
# Each sheet's tab: a short name that fits whole (the full title is on the sheet's second line).
SHEET_NAMES = {
    "summary": _l("Summary"),
    "channel_type": _l("By channel and type"),
    "channel": _l("By channel"),
    "type": _l("By type"),
    "month": _l("By month"),
    "month_channel": _l("By month and channel"),
    "division": _l("By division"),
    "category": _l("By category"),
    "village": _l("By village"),
    "satisfaction": _l("Satisfaction ratings"),
}


def table_rows(table: Table) -> list[list]:
    """The rows of a CSV file of the table: header, rows, total, each ending with its code (``web``,
    ``complaint``, ``2024-10``, ``total``…)."""
    rows = [[*table.header, str(_l("Code"))]]
    rows += [[*row, code] for row, code in zip(table.rows, table.codes, strict=True)]
    if table.total:
        rows.append([*table.total, TOTAL_CODE])
    return rows


def table_csv(table: Table) -> bytes:
    """The table as UTF-8 CSV with a byte-order mark, so Excel shows Thai (see :func:`table_rows`)."""
    return csv_bytes(table_rows(table))


def rows_csv(header: list[str], rows: list[list]) -> bytes:
    return csv_bytes([header, *rows])


def _fit(name: str, limit: int) -> str:
    """``name`` in at most ``limit`` characters, cut at the last space that fits, or else (Thai writes
    no spaces between words) never between a character and the vowel or tone marks above or below it."""
    if len(name) <= limit:
        return name
    cut = name[:limit + 1].rfind(" ")
    if cut > 0:
        return name[:cut].rstrip()
    cut = limit
    while cut > 0 and unicodedata.category(name[cut]) == "Mn":  # the mark belongs to the letter before
        cut -= 1
    while cut > 0 and name[cut - 1] in _LEADING_VOWELS:  # เ แ โ ใ ไ are written before their consonant
        cut -= 1
    return name[:cut]


def sheet_name(title: str, used: set[str]) -> str:
    name = _fit(_SHEET_FORBIDDEN.sub(" ", title).strip(), SHEET_NAME_LIMIT) or "Sheet"
    base, n = name, 2
    while name in used:
        suffix = f" ({n})"
        name = _fit(base, SHEET_NAME_LIMIT - len(suffix)) + suffix
        n += 1
    used.add(name)
    return name


def tables_xlsx(tables: list[Table], heading: str, period: str, as_of: str) -> bytes:
    """One sheet per table: a heading, the period and the date of the figures, then the table with
    numbers as numbers (rates with two decimals)."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(sheet_name(str(SHEET_NAMES.get(table.key, table.title)), used))
        sheet.append([heading])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([table.title])
        sheet.append([period])
        sheet.append([as_of])
        sheet.append([])
        sheet.append(table.header)
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows:
            sheet.append(list(row))
        if table.total:
            sheet.append(list(table.total))
            for cell in sheet[sheet.max_row]:
                cell.font = bold
        for row in sheet.iter_rows(min_row=1):
            for cell in row:
                if cell.data_type == "f":  # a name starting with "=": text, never a formula
                    cell.data_type = "s"
                elif isinstance(cell.value, float):
                    cell.number_format = "0.00"
                elif isinstance(cell.value, int):
                    cell.number_format = "#,##0"
        if table.note:
            sheet.append([])
            sheet.append([table.note])
        sheet.column_dimensions["A"].width = 42
        for index in range(2, len(table.header) + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 14
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
