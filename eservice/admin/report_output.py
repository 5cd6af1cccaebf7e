"""The measures report as files: a printable HTML document and a DOCX a clerk can edit in Word.

Both are drawn from one :class:`eservice.domain.measures.MeasuresReport`, so their figures agree.
"""

import base64
import io
import os
from datetime import UTC, datetime

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from flask import current_app, render_template, url_for

from ..domain.measures import MeasuresReport

# Thai government documents are set in TH Sarabun New (the national font); Word falls back to another
# Thai font where it is missing, and the clerk can change it in one place (the Normal style).
DOCX_FONT = "TH Sarabun New"
DOCX_BODY_PT = 14
DOCX_TITLE_PT = 16
# Share of the printable width per column, in the order of the six headings.
COLUMN_SHARES = (0.16, 0.20, 0.11, 0.11, 0.21, 0.21)
A4_LONG, A4_SHORT = Mm(297), Mm(210)
MARGIN = Mm(12)


def logo_data_uri(logo: bytes | None, content_type: str = "image/png") -> str | None:
    """The logo inside the page itself, so that a saved or printed report carries it."""
    if not logo:
        return None
    return f"data:{content_type};base64,{base64.b64encode(logo).decode()}"


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


def _set_run_font(run, size_pt: float, *, bold: bool = False) -> None:
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), DOCX_FONT)
    # Thai is a complex script: Word sizes and bolds it by the cs properties.
    size_cs = OxmlElement("w:szCs")
    size_cs.set(qn("w:val"), str(int(size_pt * 2)))
    r_pr.append(size_cs)
    if bold:
        r_pr.append(OxmlElement("w:bCs"))


def _style_normal(document) -> None:
    style = document.styles["Normal"]
    style.font.name = DOCX_FONT
    style.font.size = Pt(DOCX_BODY_PT)
    r_pr = style.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.append(fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), DOCX_FONT)
    size_cs = OxmlElement("w:szCs")
    size_cs.set(qn("w:val"), str(DOCX_BODY_PT * 2))
    r_pr.append(size_cs)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "th-TH")
    language.set(qn("w:bidi"), "th-TH")
    r_pr.append(language)
    paragraph = style.paragraph_format
    paragraph.space_before = Pt(0)
    paragraph.space_after = Pt(0)
    paragraph.line_spacing = 1.0


def _paragraph(container, text: str, *, size=DOCX_BODY_PT, bold=False, align=None, first=False):
    paragraph = container.paragraphs[0] if first and container.paragraphs and not container.paragraphs[0].text \
        else container.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    _set_run_font(paragraph.add_run(text), size, bold=bold)
    return paragraph


def _repeat_as_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _shade(cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tc_pr.append(shading)


def docx_bytes(report: MeasuresReport, *, logo: bytes | None = None) -> bytes:
    document = Document()
    _style_normal(document)
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
    _paragraph(document, report.title, size=DOCX_TITLE_PT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    if report.subtitle:
        _paragraph(document, report.subtitle, size=DOCX_TITLE_PT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    intro = _paragraph(document, report.intro)
    intro.paragraph_format.first_line_indent = Mm(12)
    intro.paragraph_format.space_before = Pt(8)
    intro.paragraph_format.space_after = Pt(8)

    table = document.add_table(rows=1, cols=len(report.headings))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    usable = A4_LONG - 2 * MARGIN
    widths = [int(usable * share) for share in COLUMN_SHARES]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid: Word and LibreOffice lay the table out from it
    header = table.rows[0]
    _repeat_as_header(header)
    for cell, heading, width in zip(header.cells, report.headings, widths, strict=True):
        cell.width = width
        _shade(cell, "E8EEF3")
        _paragraph(cell, heading, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, first=True)
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
                _paragraph(cell, text, first=index == 0, bold=position == 0)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
