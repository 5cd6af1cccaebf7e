"""Every CSV file the application writes goes through here, so that no cell — a header cell no more
than a data cell — reads as a formula when a spreadsheet opens the file.

A spreadsheet takes a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and one that
starts with a tab or a carriage return may be trimmed to one that does (OWASP "CSV injection"). Such a
text cell is written with a leading apostrophe, which the spreadsheet shows as text; nothing else in it
changes. Numbers stay numbers (a negative change is ``-3``, not a formula).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def inert(text: str) -> str:
    """``text`` as a spreadsheet shows it without evaluating it: an apostrophe before a formula trigger."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def cell(value) -> str:
    """A statistics or list value as CSV text: nothing for None, two decimals for a rate, text kept inert."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, int):
        return str(value)
    return inert(str(value))


def csv_text(rows: Iterable[Iterable], *, lineterminator: str = "\r\n") -> str:
    """The rows (the header row first) as CSV text, every cell through :func:`cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return out.getvalue()


def csv_bytes(rows: Iterable[Iterable]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel shows Thai; lines end in CR LF."""
    return ("\ufeff" + csv_text(rows)).encode("utf-8", errors="replace")
