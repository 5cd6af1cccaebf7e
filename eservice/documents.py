"""What the printed documents share (the measures report, the complaint-handling summary): the logo inside
the page, and the DOCX building blocks (Thai fonts set for complex script, headings that repeat on every
page, shading, and a footer with the page number as a Word field)."""

import base64

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

# Thai government documents are set in TH Sarabun New (the national font); Word falls back to another
# Thai font where it is missing, and the clerk can change it in one place (the Normal style).
DOCX_FONT = "TH Sarabun New"
DOCX_BODY_PT = 14
DOCX_TITLE_PT = 16
def logo_data_uri(logo: bytes | None, content_type: str = "image/png") -> str | None:
    """The logo inside the page itself, so that a saved or printed report carries it."""
    if not logo:
        return None
    return f"data:{content_type};base64,{base64.b64encode(logo).decode()}"


def set_run_font(run, size_pt: float, *, bold: bool = False) -> None:
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


def style_normal(document) -> None:
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


def paragraph(container, text: str, *, size=DOCX_BODY_PT, bold=False, align=None, first=False):
    paragraph = container.paragraphs[0] if first and container.paragraphs and not container.paragraphs[0].text \
        else container.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    set_run_font(paragraph.add_run(text), size, bold=bold)
    return paragraph


def repeat_as_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def shade(cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tc_pr.append(shading)




def _field(paragraph, instruction: str, size_pt: float) -> None:
    """A Word field (``PAGE``): begin, instruction, separate, a placeholder result, end."""
    def run_with(element):
        run = paragraph.add_run()
        set_run_font(run, size_pt)
        run._element.append(element)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run_with(text)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    set_run_font(paragraph.add_run("1"), size_pt)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def page_number_footer(section, *, word: str, thai_digits: bool, note: str = "", size_pt: float = 12) -> None:
    """A footer with "หน้า <PAGE>" (the page number a Word field, so it is right on every page), in Thai
    digits when asked (the section's page numbers are then formatted as thaiNumbers), and a note (when the
    figures were taken) before it."""
    footer = section.footer
    footer.is_linked_to_previous = False
    line = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if note:
        set_run_font(line.add_run(f"{note}    "), size_pt)
    set_run_font(line.add_run(f"{word} "), size_pt)
    _field(line, "PAGE", size_pt)
    sect_pr = section._sectPr
    numbering = sect_pr.find(qn("w:pgNumType"))
    if numbering is None:
        numbering = OxmlElement("w:pgNumType")
        sect_pr.append(numbering)
    numbering.set(qn("w:fmt"), "thaiNumbers" if thai_digits else "decimal")
