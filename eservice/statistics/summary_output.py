"""The complaint-handling summary as labelled tables, the one shape the page and the DOCX both read (so
their figures agree), and the DOCX itself."""

import io
from dataclasses import dataclass, field
from datetime import UTC, datetime

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from flask_babel import gettext as _

from ..documents import DOCX_TITLE_PT, page_number_footer, paragraph, repeat_as_header, shade, style_normal
from ..domain import complaint_summary as summaries
from ..domain.stats import Counts
from ..domain.thai import format_date


@dataclass
class SummaryTable:
    key: str
    title: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    note: str = ""


def count(value) -> str:
    return "–" if value is None else f"{value:,}"


def rate(value) -> str:
    return "–" if value is None else f"{value:,.2f}%"


def days(value) -> str:
    return "–" if value is None else f"{value:,.2f}"


def _counts_row(label: str, counts: Counts) -> list[str]:
    return [label, count(counts.received), count(counts.completed), count(counts.in_progress),
            rate(counts.on_time_pct)]


def status_lines(summary: summaries.ComplaintSummary, locale: str) -> list[str]:
    """What the reader must know before the figures: no data before the go-live date, "so far", ..."""
    lines = []
    if summary.no_data:
        lines.append(_("No data: the e-Service has recorded cases since %(date)s, after this period ended. "
                       "There are no figures for it here.", date=format_date(summary.in_use_since, locale)))
        return lines
    if summary.not_started:
        lines.append(_("This period has not begun yet."))
        return lines
    if summary.covered_from is not None:
        lines.append(_("The e-Service has recorded cases since %(date)s: the figures cover %(date)s to %(end)s; "
                       "there is no data for the days before.", date=format_date(summary.covered_from, locale),
                       end=format_date(summary.last_day, locale)))
    if summary.so_far:
        lines.append(_("So far, as of %(date)s: the period runs until %(end)s, and months not reached yet are "
                       "left empty.", date=format_date(summary.today, locale),
                       end=format_date(summary.period.last_day, locale)))
    return lines


def _next_month(first):
    return first.replace(year=first.year + 1, month=1) if first.month == 12 else first.replace(month=first.month + 1)


def summary_tables(summary: summaries.ComplaintSummary, locale: str = "th") -> list[SummaryTable]:
    if not summary.has_figures:
        return []
    totals = summary.totals
    satisfaction = summary.satisfaction
    headline = SummaryTable("headline", _("The period at a glance"), [_("Figure"), _("Value")], [
        [_("Cases received"), count(totals.received)],
        [_("Completed"), count(totals.completed)],
        [_("In progress"), count(totals.in_progress)],
        [_("Resolved on time"), rate(totals.on_time_pct)],
        [_("Median working days to resolve"), days(summary.durations.resolve_median)],
        [_("Median working days to acknowledge"), days(summary.durations.ack_median)],
        [_("Satisfaction (mean of 1 to 5)"), days(satisfaction.mean)],
        [_("Satisfaction ratings received"), count(satisfaction.responses)],
        [_("Reopened cases"), count(totals.reopened)],
        [_("Share of answered cases reopened"), rate(totals.reopen_rate_pct)],
    ])
    header = [_("Cases received"), _("Completed"), _("In progress"), _("Resolved on time")]
    tables = [headline]
    for key, title, first, rows in (
        ("type", _("By type of case"), _("Type of case"), summary.by_type),
        ("channel", _("By channel"), _("Channel"), summary.by_channel),
        ("category", _("By category"), _("Category"), summary.by_category),
        ("division", _("By division"), _("Division"), summary.by_division),
    ):
        tables.append(SummaryTable(key, title, [first, *header], [_counts_row(r.label, r.counts) for r in rows]))
    months = SummaryTable("month", _("By month"), [_("Month"), _("Cases received"), _("Completed"),
                                                  _("In progress")])
    for month in summary.months:
        if month.state == summaries.MONTH_BEFORE_USE:
            months.rows.append([month.label, _("no data"), "", ""])
        elif month.state == summaries.MONTH_NOT_REACHED:
            months.rows.append([month.label, "", "", ""])
        else:
            c = month.counts
            label = month.label
            since = summary.in_use_since
            if since is not None and month.first < since < _next_month(month.first):
                label = _("%(month)s (from %(date)s)", month=label, date=format_date(since, locale))
            months.rows.append([label, count(c.received), count(c.completed), count(c.in_progress)])
    tables.append(months)
    return tables


def integrity_line(summary: summaries.ComplaintSummary) -> str:
    integrity = summary.integrity
    if integrity is None:
        return ""
    if not integrity.published:
        return _("Corruption and misconduct reports (No Gift Policy reports included) are not counted by half "
                 "year here: in a half with fewer than %(n)d reports the count could point at the people "
                 "involved. The whole year's count is in the summary of the whole fiscal year.",
                 n=integrity.min_breakdown)
    return _("Corruption and misconduct reports (No Gift Policy reports included), received through a separate "
             "channel that protects the reporter: %(received)s received, %(completed)s completed, %(open)s in "
             "progress. They are not part of the figures above.", received=count(integrity.received),
             completed=count(integrity.completed), open=count(integrity.in_progress))


def title_of(summary: summaries.ComplaintSummary) -> str:
    if summary.part == "h1":
        return _("Complaint-handling summary, first half of fiscal year %(fy)d (October to March)",
                 fy=summary.fiscal_year)
    return _("Complaint-handling summary, fiscal year %(fy)d", fy=summary.fiscal_year)


def summary_docx(summary: summaries.ComplaintSummary, *, org, locale: str) -> bytes:
    document = Document()
    style_normal(document)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    title = title_of(summary)
    document.core_properties.title = title
    document.core_properties.author = org.name(locale) if org else ""
    document.core_properties.created = datetime.now(UTC)
    paragraph(document, title, size=DOCX_TITLE_PT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    if org is not None:
        paragraph(document, org.name(locale), size=DOCX_TITLE_PT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    period = summary.period
    paragraph(document, f"{format_date(period.start, locale)} – {format_date(period.last_day, locale)}",
              align=WD_ALIGN_PARAGRAPH.CENTER)
    for line in status_lines(summary, locale):
        paragraph(document, line, bold=True).paragraph_format.space_before = Pt(6)
    for table_data in summary_tables(summary, locale):
        heading = paragraph(document, table_data.title, bold=True)
        heading.paragraph_format.space_before = Pt(10)
        table = document.add_table(rows=1, cols=len(table_data.header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        repeat_as_header(table.rows[0])
        for cell, text in zip(table.rows[0].cells, table_data.header, strict=True):
            shade(cell, "E8EEF3")
            paragraph(cell, text, bold=True, first=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        for row in table_data.rows:
            for index, (cell, text) in enumerate(zip(table.add_row().cells, row, strict=True)):
                paragraph(cell, text, first=True, align=None if index == 0 else WD_ALIGN_PARAGRAPH.RIGHT)
    line = integrity_line(summary)
    if line:
        paragraph(document, line).paragraph_format.space_before = Pt(10)
    if summary.has_figures or summary.problems or summary.improvements:
        for heading, text in ((_("Problems found"), summary.problems),
                              (_("Improvements made"), summary.improvements)):
            paragraph(document, heading, bold=True).paragraph_format.space_before = Pt(10)
            for line in (text or _("Not written yet.")).split("\n"):
                paragraph(document, line)
    page_number_footer(section, word=_("Page"), thai_digits=False,
                       note=_("Figures as of %(date)s", date=format_date(summary.today, locale)))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
