"""``flask --app eservice stats`` and ``flask --app eservice demo-data``."""

import json
import time as timer

import click
import wcwidth
from flask import Flask
from flask.cli import with_appcontext
from flask_babel import force_locale

from ..csv_files import csv_text
from ..database import begin_write
from ..domain import integrity_figures, stats
from ..domain.errors import DomainError
from ..domain.stats import current_fiscal_year
from ..extensions import db
from .exports import table_rows
from .tables import (
    BY_TABLES,
    TOTAL_CODE,
    Table,
    as_of_caption,
    build_tables,
    coverage_notes,
    format_cell,
    period_caption,
)


def display_width(text: str) -> int:
    """Columns a string takes in a terminal (wcwidth): Thai vowel and tone marks above or below a
    consonant take none, East Asian wide characters two; a control character is counted as none."""
    width = wcwidth.wcswidth(text)
    if width >= 0:
        return width
    return sum(max(wcwidth.wcwidth(ch), 0) for ch in text)


def text_table(table: Table, locale: str) -> str:
    rows = [table.header] + [[format_cell(c, locale) for c in row] for row in table.rows]
    if table.total:
        rows.append([format_cell(c, locale) for c in table.total])
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(table.header))]

    def line(row):
        cells = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - display_width(cell))
            cells.append(cell + pad if i == 0 else pad + cell)
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    out = [line(rows[0]), rule] + [line(r) for r in rows[1:len(table.rows) + 1]]
    if table.total:
        out += [rule, line(rows[-1])]
    return "\n".join(out)


@click.command("stats")
@click.option("--fy", "fiscal_year", type=int,
              help="Fiscal year in the Buddhist era, e.g. 2568 (default: the current one).")
@click.option("--half", type=click.IntRange(1, 2), help="Only this half of the fiscal year (1: Oct–Mar, 2: Apr–Sep).")
@click.option("--quarter", type=click.IntRange(1, 4), help="Only this quarter of the fiscal year (1: Oct–Dec …).")
@click.option("--month", type=click.IntRange(1, 12), help="Only this calendar month of the fiscal year (10 = October).")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day of a range (YYYY-MM-DD, C.E.).")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day of a range, included.")
@click.option("--by", "by", type=click.Choice(sorted(BY_TABLES)), default=None,
              help="One breakdown; without it, the summary with the same period a year earlier.")
@click.option("--format", "output", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--lang", type=click.Choice(["th", "en"]), default="th", show_default=True)
@click.option("--exact-integrity", is_flag=True,
              help="Exact counts of corruption and gift reports, for the integrity unit; without it they are "
                   "given as /admin/stats gives them to administrators and executives (the public page's "
                   "small-count rule).")
@with_appcontext
def stats_command(fiscal_year, half, quarter, month, start, end, by, output, lang, exact_integrity):
    """Channel-usage statistics, the same figures as /admin/stats."""
    with force_locale(lang):
        parts = [(kind, value) for kind, value in (("half", half), ("quarter", quarter), ("month", month))
                 if value is not None]
        if len(parts) > 1:
            raise click.UsageError("Give at most one of --half, --quarter and --month.")
        if start or end:
            if parts or fiscal_year:
                raise click.UsageError("Give either a range of dates (--from/--to) or a fiscal year, not both.")
            kind, part = "range", None
        else:
            kind, part = parts[0] if parts else ("fy", None)
            fiscal_year = fiscal_year or current_fiscal_year()
        try:
            period = stats.parse_period(db.session, kind, fiscal_year=fiscal_year, part=part,
                                        start=start.date() if start else None, end=end.date() if end else None)
        except DomainError as error:
            raise click.ClickException(str(error.message)) from None
        figures, integrity = integrity_figures.statistics_for(db.session, period, exact=exact_integrity)
        tables = {t.key: t for t in build_tables(db.session, figures, lang, integrity)}
        table = tables[BY_TABLES[by]] if by else tables["summary"]
        caption = period_caption(period, lang, figures.coverage)
        as_of = as_of_caption(figures.today, lang)
        notes = coverage_notes(figures, lang)
        if output == "json":
            click.echo(json.dumps({
                "table": table.key,
                "title": table.title,
                "period": {"kind": period.kind, "fiscal_year": period.fiscal_year, "part": period.part,
                           "start": period.start.isoformat(), "end": period.last_day.isoformat(), "label": caption},
                "as_of": figures.today.isoformat(),
                # What the figures cannot know: null cells are no data (before go-live) or not yet reached.
                "known_from": figures.coverage.known_start.isoformat() if figures.coverage else None,
                "so_far": bool(figures.coverage and figures.coverage.so_far),
                "paper_records": figures.summary.totals.paper,
                "compared_with": {"start": figures.previous.period.start.isoformat(),
                                  "end": figures.previous.period.last_day.isoformat(),
                                  "label": period_caption(figures.previous.period, lang)},
                "notes": notes,
                "header": table.header,
                "columns": [{"code": code, "label": label} for code, label in zip(table.column_codes, table.header,
                                                                                  strict=True)],
                "rows": table.rows,
                "row_codes": table.codes,
                "total": table.total,
                "total_code": TOTAL_CODE if table.total else None,
                "note": table.note,
            }, ensure_ascii=False, indent=2))
        elif output == "csv":
            click.echo(csv_text(table_rows(table), lineterminator="\n"), nl=False)
        else:
            click.echo(f"{table.title} – {caption}")
            click.echo(f"{as_of}")
            for note in notes:
                click.echo(note)
            click.echo("")
            click.echo(text_table(table, lang))
            if table.note:
                click.echo("")
                click.echo(table.note)


@click.command("demo-data")
@click.option("--cases", "n_cases", type=click.IntRange(1, 10_000_000), default=5000, show_default=True,
              help="How many cases to add.")
@click.option("--from-fy", "first_fy", type=int, default=None,
              help="First fiscal year (B.E.); default: three years before the current one.")
@click.option("--to-fy", "last_fy", type=int, default=None,
              help="Last fiscal year (B.E.); default: the current one, up to today.")
@click.option("--seed", type=int, default=2568, show_default=True, help="The same seed gives the same cases.")
@with_appcontext
def demo_data_command(n_cases, first_fy, last_fy, seed):
    """Add realistic demonstration cases (for trying the statistics; not for a live installation)."""
    from .demo_data import generate

    last_fy = last_fy or current_fiscal_year()
    first_fy = first_fy or last_fy - 3
    if first_fy > last_fy:
        raise click.BadParameter("--from-fy must not be after --to-fy", param_hint="--from-fy")
    started = timer.perf_counter()
    begin_write(db.session)
    try:
        report = generate(db.session, n_cases, first_fy=first_fy, last_fy=last_fy, seed=seed,
                          progress=lambda n: click.echo(f"\r{n:,} cases", nl=False, err=True))
    except ValueError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo("", err=True)
    click.echo(
        f"Added {report.cases:,} cases ({report.events:,} events, {report.ratings:,} ratings) received "
        f"{report.first_day.isoformat()} to {report.last_day.isoformat()}, fiscal years "
        f"{report.fiscal_years[0]}–{report.fiscal_years[-1]}, in {timer.perf_counter() - started:.1f} s."
    )


def init_app(app: Flask) -> None:
    app.cli.add_command(stats_command)
    app.cli.add_command(demo_data_command)
