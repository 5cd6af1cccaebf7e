"""CSV and XLSX files of the statistics tables (Thai headers and Buddhist-era dates: the views build
the tables under the Thai locale for export)."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .tables import Table

# Excel refuses these in sheet names and allows at most 31 characters.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    text = str(value)
    # A cell starting with = + - @ is a formula to a spreadsheet: keep names typed by people inert.
    if isinstance(value, str) and text[:1] in ("=", "+", "-", "@"):
        return "'" + text
    return text


def table_csv(table: Table) -> bytes:
    """The table as UTF-8 CSV with a byte-order mark, so Excel shows Thai; header, rows, total."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    if table.total:
        writer.writerow([_csv_cell(cell) for cell in table.total])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def rows_csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def sheet_name(title: str, used: set[str]) -> str:
    name = _SHEET_FORBIDDEN.sub(" ", title).strip()[:31] or "Sheet"
    base, n = name, 2
    while name in used:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
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
        sheet = book.create_sheet(sheet_name(table.title, used))
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
