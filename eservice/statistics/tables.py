"""The statistics as labelled tables: the one shape the page, its charts, the CSV and XLSX exports and
the command line all read, so that each shows the same numbers.

A cell holds a label (str), a count (int), a rate or a number of days (float, two decimals) or None
(nothing to measure, or withheld; shown as a dash). Beside the labels each table carries codes for the
machine formats (JSON, CSV): a code per row (channel ``web``, type ``complaint``, month ``2024-10``,
division and category codes, village numbers, ``total``) and a code per column.

Built with an :class:`~eservice.domain.integrity_figures.IntegrityLine` (for a reader outside the
integrity unit), the figures leave corruption and gift reports out and the type table gives them as one
line, as the public page's small-count rule allows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import stats
from ..domain.case_types import CASE_TYPES
from ..domain.coverage import BEFORE, NOT_REACHED, Coverage, month_caption
from ..domain.integrity_figures import INTEGRITY_TYPES, IntegrityLine
from ..domain.thai import format_date
from ..models import Category, Channel, Division, Village
from ..models.reference import village_label

# The tables ``flask stats --by`` can print, by the name given on the command line.
BY_TABLES = {
    "channel": "channel",
    "type": "type",
    "division": "division",
    "category": "category",
    "village": "village",
    "month": "month",
}


@dataclass
class Table:
    key: str  # stable: URL parameter, file and sheet names
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    total: list | None = None
    note: str = ""
    codes: list[str] = field(default_factory=list)  # one per row; the total row's is TOTAL_CODE
    column_codes: list[str] = field(default_factory=list)  # one per header cell

    def column(self, index: int) -> list:
        return [row[index] for row in self.rows]


TOTAL_CODE = "total"
NONE_CODE = "none"  # the row of cases without a category or a village
# The line of corruption and gift reports a reader outside the integrity unit sees in the type table.
INTEGRITY_LINE_CODE = "+".join(INTEGRITY_TYPES)
# The codes of the columns _counts_cells gives: the first five counts of a grouping, then the rate.
COUNTS_CODES = [*stats.COUNTS[:5], "on_time_pct"]


def format_cell(value, locale: str = "th") -> str:
    """How a cell reads on the page and on the command line."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def _change(now, before):
    if now is None or before is None:
        return None
    if isinstance(now, int) and isinstance(before, int):
        return now - before
    return round(now - before, 2)


def _unknown(cells: list) -> list:
    """The numbers of a row nothing is known of (before go-live, not yet reached) as empty cells: no data
    is not 0."""
    return [None if isinstance(cell, int | float) and not isinstance(cell, bool) else cell for cell in cells]


def _cases_known(figures: stats.Statistics) -> bool:
    """Whether the period has figures from cases (the tables that paper totals cannot fill)."""
    totals = figures.summary.totals
    return figures.coverage is None or figures.coverage.has_case_data or totals.received > totals.paper


def _paper_label() -> str:
    return str(_l("Of which from paper records"))


def _names(session: Session, model, locale: str) -> dict:
    return {row.id: row.name(locale) for row in session.scalars(select(model))}


def _channels(session: Session, figures: stats.Statistics, locale: str) -> list[tuple[str, str]]:
    """(code, name) for the brief's channels, the administrators' additions, and any code found in the
    cases that is no longer a channel."""
    names = {c.code: c.name(locale) for c in session.scalars(select(Channel))}
    codes = stats.channel_codes(session)
    seen = {code for code, _ in figures.channel_type} | set(figures.previous.by_channel)
    codes += sorted(seen - set(codes))
    return [(code, names.get(code, code)) for code in codes]


def _type_label(code: str) -> str:
    kind = CASE_TYPES.get(code)
    return str(kind.short) if kind else code


def summary_table(figures: stats.Statistics, locale: str = "th") -> Table:
    """The headline figures of the period beside the same period a year earlier, each column headed by
    the exact days it counts. A column whose period has no data is empty, not 0; figures that paper
    records cannot give (status, timing, ratings) are empty for a period known only from paper."""
    now, before = figures.summary, figures.previous
    rows, codes = [], []
    now_cases = now.coverage is None or now.coverage.has_case_data
    before_cases = before.coverage is None or before.coverage.has_case_data

    def add(code, label, this, previous, *, from_cases=True):
        if not now.known or (from_cases and not now_cases):
            this = None
        if not before.known or (from_cases and not before_cases):
            previous = None
        codes.append(code)  # the names of the measures report's figures
        rows.append([str(label), this, previous, _change(this, previous)])

    add("received", _l("Cases received"), now.totals.received, before.totals.received, from_cases=False)
    if now.totals.paper or before.totals.paper:
        add("paper", _l("Of which from paper records"), now.totals.paper, before.totals.paper, from_cases=False)
    add("completed", _l("Completed"), now.totals.completed, before.totals.completed)
    add("in_progress", _l("In progress"), now.totals.in_progress, before.totals.in_progress)
    add("cases_web", _l("Received through the e-Service"), now.by_channel.get("web", 0),
        before.by_channel.get("web", 0), from_cases=False)
    add("eservice_share_pct", _l("e-Service share (%)"), now.eservice_share_pct, before.eservice_share_pct,
        from_cases=False)
    add("on_time", _l("Answered on time"), now.totals.on_time, before.totals.on_time)
    add("late", _l("Late (answered late or open past the due date)"), now.totals.late, before.totals.late)
    add("on_time_pct", _l("On-time rate (%)"), now.totals.on_time_pct, before.totals.on_time_pct)
    add("ack_on_time_pct", _l("Acknowledged on time (%)"), now.totals.ack_on_time_pct,
        before.totals.ack_on_time_pct)
    add("ack_median_days", _l("Working days to acknowledge, median"), now.durations.ack_median,
        before.durations.ack_median)
    add("ack_p90_days", _l("Working days to acknowledge, 90th percentile"), now.durations.ack_p90,
        before.durations.ack_p90)
    add("resolve_median_days", _l("Working days to answer, median"), now.durations.resolve_median,
        before.durations.resolve_median)
    add("resolve_p90_days", _l("Working days to answer, 90th percentile"), now.durations.resolve_p90,
        before.durations.resolve_p90)
    add("satisfaction_mean", _l("Satisfaction, mean score (1–5)"), now.satisfaction.mean, before.satisfaction.mean)
    add("satisfaction_responses", _l("Satisfaction ratings"), now.satisfaction.responses,
        before.satisfaction.responses)
    add("satisfaction_answered_pct", _l("Resolved cases rated (%)"), now.satisfaction.answered_pct,
        before.satisfaction.answered_pct)
    add("reopened", _l("Reopened cases"), now.totals.reopened, before.totals.reopened)
    add("reopen_rate_pct", _l("Reopen rate (%)"), now.totals.reopen_rate_pct, before.totals.reopen_rate_pct)
    return Table(
        "summary",
        str(_l("Summary")),
        [str(_l("Figure")), this_period_header(figures, locale), previous_header(figures, locale),
         str(_l("Change"))],
        rows,
        note=str(_l("Rates are in per cent; their change is in percentage points.")),
        codes=codes,
        column_codes=["figure", "this_period", "year_earlier", "change"],
    )


def coverage_notes(figures: stats.Statistics, locale: str) -> list[str]:
    """What the figures of the period and of its comparison cannot know, as sentences for the page, the
    exports and the command line (see :meth:`eservice.domain.coverage.Coverage.notes`)."""
    notes = figures.coverage.notes(locale) if figures.coverage is not None else []
    before = figures.previous
    if before.coverage is not None and not before.known and before.coverage.in_use_since is not None:
        notes.append(str(_l("There is no data for %(period)s (%(since)s).", period=before.period.dates_label(locale),
                            since=before.coverage.since_label(locale))))
    return notes


def this_period_header(figures: stats.Statistics, locale: str) -> str:
    """"This period (1 ต.ค. 2569 – 2 ธ.ค. 2569)": the days counted, to today when the period holds it."""
    coverage = figures.coverage
    if coverage is not None and coverage.so_far and coverage.has_case_data:
        dates = f"{format_date(figures.period.start, locale)} – {format_date(coverage.today, locale)}"
    else:
        dates = figures.period.dates_label(locale)
    return str(_l("This period (%(dates)s)", dates=dates))


def previous_header(figures: stats.Statistics, locale: str) -> str:
    """"Same period a year earlier (1 ต.ค. 2568 – 2 ธ.ค. 2568)": exactly the days compared."""
    return str(_l("Same period a year earlier (%(dates)s)", dates=figures.previous.period.dates_label(locale)))


def previous_received_header(figures: stats.Statistics, locale: str) -> str:
    return str(_l("Received %(dates)s", dates=figures.previous.period.dates_label(locale)))


def _types(integrity: IntegrityLine | None) -> list[str]:
    """The case types a table breaks down by: all of them, or all but the integrity unit's."""
    return [t for t in CASE_TYPES if integrity is None or t not in INTEGRITY_TYPES]


def channel_type_table(figures: stats.Statistics, channels: list[tuple[str, str]],
                       integrity: IntegrityLine | None = None) -> Table:
    types = _types(integrity)
    paper = figures.summary.paper_by_channel
    rows = []
    for code, name in channels:
        counts = [figures.channel_type.get((code, t), 0) for t in types]
        rows.append([name, *counts, sum(counts)] + ([paper.get(code, 0)] if paper else []))
    width = len(types) + 1 + (1 if paper else 0)
    totals = [sum(row[i + 1] for row in rows) for i in range(width)]
    header = [str(_l("Channel")), *(_type_label(t) for t in types), str(_l("Total"))]
    column_codes = ["channel", *types, TOTAL_CODE]
    if paper:
        header.append(_paper_label())
        column_codes.append("paper")
    table = Table("channel_type", str(_l("Cases by intake channel and type")), header, rows,
                  [str(_l("Total")), *totals], codes=[code for code, _ in channels], column_codes=column_codes)
    return _blank_if_unknown(table, figures.summary.known)


def _blank_if_unknown(table: Table, known: bool) -> Table:
    if not known:
        table.rows = [_unknown(row) for row in table.rows]
        table.total = _unknown(table.total) if table.total else table.total
    return table


def _counts_header(first: str) -> list[str]:
    return [first, str(_l("Cases received")), str(_l("Completed")), str(_l("In progress")), str(_l("On time")),
            str(_l("Late")), str(_l("On-time rate (%)"))]


def _counts_cells(counts: stats.Counts) -> list:
    return [counts.received, counts.completed, counts.in_progress, counts.on_time, counts.late, counts.on_time_pct]


def _total_row(rows_counts: list[stats.Counts]) -> list:
    total = stats.Counts()
    for counts in rows_counts:
        total.merge(counts)
    return [str(_l("Total")), *_counts_cells(total)]


def _earlier(figures: stats.Statistics, value):
    return value if figures.previous.known else None


def _split_cells(figures: stats.Statistics, counts: stats.Counts) -> list:
    """A row's counts; only "received" when the period is known from paper records alone."""
    cells = _counts_cells(counts)
    if not figures.summary.known:
        return _unknown(cells)
    if not _cases_known(figures):
        return [cells[0], *(_unknown(cells[1:]))]
    return cells


def channel_table(figures: stats.Statistics, channels: list[tuple[str, str]], locale: str = "th") -> Table:
    paper = bool(figures.summary.totals.paper)
    rows, counted = [], []
    for code, name in channels:
        counts = figures.by_channel.get(code, stats.Counts())
        counted.append(counts)
        share = stats.percent(counts.received, figures.summary.totals.received)
        rows.append([name, *_split_cells(figures, counts), share if figures.summary.known else None]
                    + ([counts.paper] if paper else []) + [_earlier(figures, figures.previous.by_channel.get(code, 0))])
    total = stats.Counts()
    for counts in counted:
        total.merge(counts)
    total_row = [str(_l("Total")), *_split_cells(figures, total),
                 100.0 if figures.summary.totals.received else None] + ([total.paper] if paper else []) + [
        _earlier(figures, figures.previous.totals.received)]
    header = _counts_header(str(_l("Channel"))) + [str(_l("Share (%)"))]
    header += [_paper_label()] if paper else []
    return Table(
        "channel",
        str(_l("Cases by intake channel")),
        header + [previous_received_header(figures, locale)],
        rows,
        total_row,
        codes=[code for code, _ in channels],
        column_codes=["channel", *COUNTS_CODES, "share_pct", *(["paper"] if paper else []), "received_year_earlier"],
    )


def type_table(figures: stats.Statistics, locale: str = "th", integrity: IntegrityLine | None = None) -> Table:
    paper = bool(figures.summary.totals.paper)
    rows, counted = [], []
    types = _types(integrity)
    for code in types:
        counts = figures.by_type.get(code, stats.Counts())
        counted.append(counts)
        rows.append([_type_label(code), *_split_cells(figures, counts)] + ([counts.paper] if paper else [])
                    + [_earlier(figures, figures.previous.by_type.get(code, 0))])
    codes = list(types)
    note = ""
    if integrity is not None:
        now, before = integrity.current, integrity.previous
        rows.append([str(_l("Corruption and gift reports")),
                     *((now.received, now.completed, now.in_progress) if now else (None, None, None)),
                     None, None, None, *([None] if paper else []), before.received if before else None])
        codes.append(INTEGRITY_LINE_CODE)
        note = str(_l("Corruption and gift reports: the public statistics' figure for the period, given only when "
                      "no month, quarter or half of the fiscal year would show from 1 to %(n)d of them, and "
                      "never for a range of days. The total leaves them out, as do the other tables.",
                      n=integrity.min_breakdown - 1))
    total = stats.Counts()
    for counts in counted:
        total.merge(counts)
    header = _counts_header(str(_l("Type"))) + ([_paper_label()] if paper else [])
    return Table(
        "type",
        str(_l("Cases by type")),
        header + [previous_received_header(figures, locale)],
        rows,
        [str(_l("Total")), *_split_cells(figures, total)] + ([total.paper] if paper else [])
        + [_earlier(figures, figures.previous.totals.received)],
        note=note,
        codes=codes,
        column_codes=["type", *COUNTS_CODES, *(["paper"] if paper else []), "received_year_earlier"],
    )


def _month_code(first: date) -> str:
    return f"{first.year:04d}-{first.month:02d}"


def _month_rows(figures: stats.Statistics, locale: str):
    """(first day, row label, known) for each month of the period: months before go-live and months not
    yet reached are not known (their cells are empty); a month counted from go-live says so."""
    since = figures.coverage.in_use_since if figures.coverage else None
    for first in figures.months:
        state = figures.summary.month_state(first)
        label = month_caption(stats.month_label(first, locale), state, since, locale)
        # A month before go-live that holds cases anyway (the date was moved later) shows them.
        has_cases = stats.month_number(first) in figures.summary.by_month
        yield first, label, state not in (BEFORE, NOT_REACHED) or has_cases


def _sum(values) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _paper_month_label() -> str:
    return str(_l("From paper records (not kept by month)"))


def month_table(figures: stats.Statistics, locale: str) -> Table:
    rows, counted = [], []
    for first, label, known in _month_rows(figures, locale):
        key = stats.month_number(first)
        counts = figures.summary.by_month.get(key, stats.Counts())
        web = figures.summary.month_channel.get((key, "web"), 0)
        row = [label, *_counts_cells(counts), web, stats.percent(web, counts.received)]
        if known:
            counted.append(counts)
        rows.append(row if known else _unknown(row))
    paper = figures.summary.totals.paper
    if paper:
        paper_web = figures.summary.paper_by_channel.get("web", 0)
        rows.append([_paper_month_label(), paper, None, None, None, None, None, paper_web,
                     stats.percent(paper_web, paper)])
        counted.append(stats.Counts(received=paper, paper=paper))
    web_total = figures.summary.by_channel.get("web", 0)
    total = _total_row(counted) + [web_total, figures.summary.eservice_share_pct]
    table = Table(
        "month",
        str(_l("Cases by month")),
        _counts_header(str(_l("Month"))) + [str(_l("Through the e-Service")), str(_l("e-Service share (%)"))],
        rows,
        total,
        codes=[_month_code(first) for first in figures.months] + (["paper"] if paper else []),
        column_codes=["month", *COUNTS_CODES, "cases_web", "eservice_share_pct"],
    )
    return _blank_if_unknown(table, figures.summary.known)


def month_channel_table(figures: stats.Statistics, channels: list[tuple[str, str]], locale: str) -> Table:
    rows = []
    for first, label, known in _month_rows(figures, locale):
        key = stats.month_number(first)
        counts = [figures.summary.month_channel.get((key, code), 0) for code, _ in channels]
        row = [label, *counts, sum(counts)]
        rows.append(row if known else _unknown(row))
    paper = figures.summary.paper_by_channel
    if paper:
        counts = [paper.get(code, 0) for code, _ in channels]
        rows.append([_paper_month_label(), *counts, sum(counts)])
    width = len(channels) + 1
    table = Table(
        "month_channel",
        str(_l("Cases by month and intake channel")),
        [str(_l("Month")), *(name for _, name in channels), str(_l("Total"))],
        rows,
        [str(_l("Total")), *(_sum(row[i + 1] for row in rows) for i in range(width))],
        codes=[_month_code(first) for first in figures.months] + (["paper"] if paper else []),
        column_codes=["month", *(code for code, _ in channels), TOTAL_CODE],
    )
    return _blank_if_unknown(table, figures.summary.known)


def division_table(session: Session, figures: stats.Statistics, locale: str) -> Table:
    divisions = session.scalars(select(Division).order_by(Division.sort_order, Division.id)).all()
    rows, counted, codes = [], [], []
    for division in divisions:
        counts = figures.by_division.get(division.id)
        if counts is None and not division.active:
            continue
        counts = counts or stats.Counts()
        counted.append(counts)
        codes.append(division.code)
        rows.append([division.name(locale), *_counts_cells(counts)])
    return Table("division", str(_l("Cases by division")), _counts_header(str(_l("Division"))), rows,
                 _total_row(counted), codes=codes, column_codes=["division", *COUNTS_CODES])


def category_table(session: Session, figures: stats.Statistics, locale: str) -> Table:
    categories = session.scalars(select(Category).order_by(Category.sort_order, Category.id)).all()
    divisions = _names(session, Division, locale)
    rows, counted, codes = [], [], []
    for category in categories:
        counts = figures.by_category.get(category.id)
        if counts is None and not category.active:
            continue  # an inactive category with no cases in the period says nothing
        counts = counts or stats.Counts()
        counted.append(counts)
        codes.append(category.code)
        rows.append([category.name(locale), divisions.get(category.division_id, ""), *_counts_cells(counts)])
    if None in figures.by_category:
        counted.append(figures.by_category[None])
        codes.append(NONE_CODE)
        rows.append([str(_l("No category")), "", *_counts_cells(figures.by_category[None])])
    header = _counts_header(str(_l("Category")))
    header.insert(1, str(_l("Division")))
    total = _total_row(counted)
    total.insert(1, "")
    return Table("category", str(_l("Cases by category")), header, rows, total, codes=codes,
                 column_codes=["category", "division", *COUNTS_CODES])


def village_table(session: Session, figures: stats.Statistics, locale: str) -> Table:
    villages = session.scalars(select(Village).order_by(Village.number)).all()
    rows, counted, codes = [], [], []
    for village in villages:
        counts = figures.by_village.get(village.id)
        if counts is None and not village.active:
            continue
        counts = counts or stats.Counts()
        counted.append(counts)
        codes.append(str(village.number))
        rows.append([village_label(village, locale), *_counts_cells(counts)])
    if None in figures.by_village:
        counted.append(figures.by_village[None])
        codes.append(NONE_CODE)
        rows.append([str(_l("No village given")), *_counts_cells(figures.by_village[None])])
    return Table("village", str(_l("Cases by village")), _counts_header(str(_l("Village"))), rows,
                 _total_row(counted),
                 note=str(_l("Corruption and gift reports, and cases filed without a place, have no village.")),
                 codes=codes, column_codes=["village", *COUNTS_CODES])


def satisfaction_table(figures: stats.Statistics) -> Table:
    sat = figures.summary.satisfaction
    rows = [[str(score), sat.distribution.get(score, 0), stats.percent(sat.distribution.get(score, 0), sat.responses)]
            for score in range(5, 0, -1)]
    return Table(
        "satisfaction",
        str(_l("Satisfaction ratings")),
        [str(_l("Score (5 = very satisfied)")), str(_l("Ratings")), str(_l("Share (%)"))],
        rows,
        [str(_l("Total")), sat.responses, 100.0 if sat.responses else None],
        note=str(_l("Mean score %(mean)s from %(n)d ratings; %(pct)s%% of resolved cases were rated.",
                    mean=format_cell(sat.mean), n=sat.responses, pct=format_cell(sat.answered_pct))),
        codes=[str(score) for score in range(5, 0, -1)],
        column_codes=["score", "ratings", "share_pct"],
    )


def build_tables(session: Session, figures: stats.Statistics, locale: str,
                 integrity: IntegrityLine | None = None) -> list[Table]:
    """Every table of the statistics page, in the page's order. With ``integrity`` (a reader outside the
    integrity unit: figures from integrity_figures.statistics_for), every table says that it leaves
    corruption and gift reports out, and the type table gives them as one line."""
    channels = _channels(session, figures, locale)
    cases_only = [
        division_table(session, figures, locale),
        category_table(session, figures, locale),
        village_table(session, figures, locale),
        satisfaction_table(figures),
    ]
    for table in cases_only:
        _blank_if_unknown(table, _cases_known(figures))
        if figures.summary.totals.paper:
            extra = str(_l("Totals from paper records have no division, category, village or rating: they are "
                           "not in this table."))
            table.note = f"{table.note} {extra}".strip()
    tables = [
        summary_table(figures, locale),
        channel_type_table(figures, channels, integrity),
        channel_table(figures, channels, locale),
        type_table(figures, locale, integrity),
        month_table(figures, locale),
        month_channel_table(figures, channels, locale),
        *cases_only,
    ]
    if integrity is not None:
        left_out = str(_l("Corruption and gift reports are not counted in this table; the integrity unit has "
                          "their figures."))
        for table in tables:
            if table.key != "type":
                table.note = f"{table.note} {left_out}".strip()
    return tables


def period_caption(period: stats.StatsPeriod, locale: str, coverage: Coverage | None = None) -> str:
    """"ปีงบประมาณ พ.ศ. 2568 (1 ต.ค. 2567 – 30 ก.ย. 2568)"; a period that holds today (``coverage``) is
    "ปีงบประมาณ พ.ศ. 2570 ถึงวันที่ 2 ธ.ค. 2569 (1 ต.ค. 2569 – 2 ธ.ค. 2569)", and one that starts before
    go-live adds "– ข้อมูลตั้งแต่ 15 มี.ค. 2569"."""
    label = period.label(locale)
    dates = period.dates_label(locale)
    if coverage is not None and coverage.so_far and coverage.has_case_data:
        label = f"{label} {coverage.so_far_label(locale)}"
        dates = f"{format_date(period.start, locale)} – {format_date(coverage.today, locale)}"
    caption = label if label == dates else f"{label} ({dates})"
    if coverage is not None and coverage.starts_before_go_live:
        caption = f"{caption} – {coverage.since_label(locale)}"
    return caption


def as_of_caption(today: date, locale: str) -> str:
    return str(_l("Figures as of %(date)s", date=format_date(today, locale)))
