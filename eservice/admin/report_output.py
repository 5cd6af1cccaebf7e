"""The measures report as files: a printable HTML document and a DOCX a clerk can edit in Word.

Both are drawn from one :class:`eservice.domain.measures.MeasuresReport`, so their figures agree.
"""

import io
import os
from datetime import UTC, datetime

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from flask import current_app, render_template, url_for

from ..documents import (
    DOCX_TITLE_PT,
    logo_data_uri,
    page_number_footer,
    paragraph,
    repeat_as_header,
    shade,
    style_normal,
)
from ..domain.measures import MeasuresReport

__all__ = ["docx_bytes", "html_document", "logo_data_uri"]

# Share of the printable width per column, in the order of the six headings.
COLUMN_SHARES = (0.16, 0.20, 0.11, 0.11, 0.21, 0.21)
A4_LONG, A4_SHORT = Mm(297), Mm(210)
MARGIN = Mm(12)


def html_document(report: MeasuresReport, *, logo: bytes | None = None, logo_type: str = "image/png") -> str:
    """The report as a file that works on its own: the print stylesheet is inlined (a served page links it
    instead, since the Content-Security-Policy forbids inline styles there) and the logo is embedded."""
    stylesheet = url_for("static", filename="css/report.css")
    html = render_template("report/standalone.html", report=report, logo_src=logo_data_uri(logo, logo_type),
                           stylesheet=stylesheet)
    with open(os.path.join(current_app.static_folder, "css", "report.css"), encoding="utf-8") as handle:
        css = handle.read()
    marker = f'<link rel="stylesheet" href="{stylesheet}">'
    return html.replace(marker, "<style>\n" + css + "\n</style>", 1)


# --- DOCX -----------------------------------------------------------------------------------------


def docx_bytes(report: MeasuresReport, *, logo: bytes | None = None) -> bytes:
    document = Document()
    style_normal(document)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = A4_LONG, A4_SHORT
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    document.core_properties.title = report.title
    document.core_properties.author = report.organisation
    document.core_properties.created = datetime.now(UTC)
    document.core_properties.language = "th-TH" if report.locale == "th" else "en-GB"

    if logo:
        picture = document.add_paragraph()
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.add_run().add_picture(io.BytesIO(logo), height=Mm(22))
    paragraph(document, report.title, size=DOCX_TITLE_PT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    if report.subtitle:
        paragraph(document, report.subtitle, size=DOCX_TITLE_PT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    intro = paragraph(document, report.intro)
    intro.paragraph_format.first_line_indent = Mm(12)
    intro.paragraph_format.space_before = Pt(8)
    intro.paragraph_format.space_after = Pt(8)
    for line in report.coverage:
        paragraph(document, line, bold=True).paragraph_format.space_after = Pt(6)

    table = document.add_table(rows=1, cols=len(report.headings))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    usable = A4_LONG - 2 * MARGIN
    widths = [int(usable * share) for share in COLUMN_SHARES]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid: Word and LibreOffice lay the table out from it
    header = table.rows[0]
    repeat_as_header(header)
    for cell, heading, width in zip(header.cells, report.headings, widths, strict=True):
        cell.width = width
        shade(cell, "E8EEF3")
        paragraph(cell, heading, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, first=True)
    for row in report.rows:
        cells = table.add_row().cells
        columns = (
            [f"{row.number} {row.title}"],
            row.methods,
            [row.period],
            [row.responsible],
            row.results,
            row.outcome,
        )
        for position, (cell, paragraphs, width) in enumerate(zip(cells, columns, widths, strict=True)):
            cell.width = width
            for index, text in enumerate(paragraphs or [""]):
                paragraph(cell, text, first=index == 0, bold=position == 0)
    _sign_off_docx(document, report)
    page_number_footer(section, word=report.sign_words["page"], thai_digits=report.digits == "thai",
                       note=report.taken_at)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _sign_off_docx(document, report: MeasuresReport) -> None:
    """The sign-off block under the table: for each of prepared by / approved by, a line to sign on, the
    name in brackets and the position, side by side in a borderless table."""
    taken = paragraph(document, report.taken_at)
    taken.paragraph_format.space_before = Pt(6)
    block = document.add_table(rows=1, cols=len(report.sign_off))
    block.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, line in zip(block.rows[0].cells, report.sign_off, strict=True):
        words = report.sign_words
        paragraph(cell, f"{words['sign']} ....................................... {line.role}", first=True,
                  align=WD_ALIGN_PARAGRAPH.CENTER).paragraph_format.space_before = Pt(18)
        paragraph(cell, f"( {line.name or '.......................................'} )",
                  align=WD_ALIGN_PARAGRAPH.CENTER)
        paragraph(cell, f"{words['position']} {line.position or '.......................................'}",
                  align=WD_ALIGN_PARAGRAPH.CENTER)
