"""Bar charts drawn from the statistics tables themselves, so a chart can never disagree with its table.

Each chart is rows of horizontal bars: an HTML label and value beside a small SVG bar (rectangles with
widths as attributes, colours from classes in statistics.css), which reads at 390 px as well as at
1280 px and needs neither scripts nor inline styles under the strict CSP. The charts are hidden from
screen readers: the table named in ``table_key`` has the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from .tables import Table, format_cell

WIDTH = 1000  # the SVG bar's viewBox width; a full bar is the largest value in the chart


@dataclass
class Segment:
    series: int
    x: float
    width: float
    value: int | float


@dataclass
class Bar:
    segments: list[Segment]
    text: str  # the value printed beside the bar
    faint: bool = False  # the year-earlier bar beside this period's


@dataclass
class Row:
    label: str
    bars: list[Bar]


@dataclass
class Chart:
    key: str
    title: str
    table_key: str
    rows: list[Row]
    legend: list[tuple[int, str]] = field(default_factory=list)
    note: str = ""


def _scale(value: float, largest: float) -> float:
    return round(WIDTH * value / largest, 1) if largest else 0.0


def _stack(values: list[int | float], largest: float) -> list[Segment]:
    segments, x = [], 0.0
    for series, value in enumerate(values):
        if value:
            width = _scale(value, largest)
            segments.append(Segment(series, x, width, value))
            x += width
    return segments


def channels_over_months(month_channel: Table) -> Chart:
    """One stacked bar per month, a segment per intake channel (the month × channel table). A month with
    no data (before go-live, not yet reached) has an empty bar and a dash, never 0."""
    names = month_channel.header[1:-1]
    used = [i for i in range(len(names)) if any(row[i + 1] for row in month_channel.rows)]
    largest = max((row[-1] or 0 for row in month_channel.rows), default=0)
    rows = []
    for row in month_channel.rows:
        values = [(row[i + 1] or 0) if i in used else 0 for i in range(len(names))]
        rows.append(Row(row[0], [Bar(_stack(values, largest), format_cell(row[-1]))]))
    return Chart("channels_over_months", str(_l("Intake channels month by month")), month_channel.key, rows,
                 legend=[(i, names[i]) for i in used])


def types_chart(type_table: Table, this_label: str = "", earlier_label: str = "") -> Chart:
    """Cases of each type in this period, with the same period a year earlier beneath."""
    received, earlier = 1, len(type_table.header) - 1
    # A withheld figure (None: the line of integrity reports for a reader outside that unit) draws no bar.
    largest = max([row[received] or 0 for row in type_table.rows] + [row[earlier] or 0 for row in type_table.rows]
                  + [0])
    rows = [
        Row(row[0], [
            Bar(_stack([row[received] or 0], largest), format_cell(row[received])),
            Bar([Segment(1, 0.0, _scale(row[earlier], largest), row[earlier])] if row[earlier] else [],
                format_cell(row[earlier]), faint=True),
        ])
        for row in type_table.rows
    ]
    # The legend names the exact days of each bar, as the table's columns do.
    return Chart("types", str(_l("Cases by type")), type_table.key, rows,
                 legend=[(0, this_label or str(_l("This period"))),
                         (1, earlier_label or type_table.header[earlier])])


def on_time_chart(division_table: Table) -> Chart:
    """The on-time rate of each division that had a case to judge, and of all of them, out of 100%."""
    rate = len(division_table.header) - 1
    on_time, late = rate - 2, rate - 1
    judged = [row for row in division_table.rows if (row[on_time] or 0) + (row[late] or 0)]
    rows = [Row(row[0], [Bar(_stack([row[rate]], 100.0), f"{format_cell(row[rate])}%")]) for row in judged]
    if division_table.total and division_table.total[rate] is not None:
        total = division_table.total
        rows.insert(0, Row(str(_l("All divisions")), [Bar(_stack([0, total[rate]], 100.0),
                                                          f"{format_cell(total[rate])}%")]))
    return Chart("on_time", str(_l("On-time rate by division")), division_table.key, rows,
                 note=str(_l("Cases answered by their due date, of all answered or already past due; a full bar is "
                             "100 per cent.")))


def build_charts(tables: dict[str, Table]) -> list[Chart]:
    summary = tables.get("summary")
    this_label, earlier_label = (summary.header[1], summary.header[2]) if summary else ("", "")
    return [
        channels_over_months(tables["month_channel"]),
        types_chart(tables["type"], this_label, earlier_label),
        on_time_chart(tables["division"]),
    ]
