"""The statistics pages: /admin/stats for administrators and executives (read only), /stats for
everyone. Views parse the period, ask eservice.domain.stats for the figures and render them."""

from flask import Response, abort, render_template, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ..auth import permission_required
from ..domain import policy, stats
from ..domain.errors import DomainError
from ..extensions import db
from ..i18n import current_locale
from . import bp
from .charts import build_charts
from .exports import rows_csv, table_csv, tables_xlsx
from .forms import PeriodForm, PublicYearForm
from .tables import as_of_caption, build_tables, coverage_notes, period_caption


def _chosen_period(form: PeriodForm):
    """The period the form asks for, or None with the reason on the field at fault."""
    if not form.validate():
        return None
    raw_fy = form.fy.raw_data[0] if form.fy.raw_data else ""
    if form.period.data != "range" and raw_fy and form.fy.data is None:
        form.fy.errors.append(_l("Enter the fiscal year as a Buddhist-era year, e.g. 2568."))
        return None
    try:
        return stats.parse_period(db.session, form.period.data, fiscal_year=form.fy.data, part=form.chosen_part(),
                                  start=form.start.data, end=form.end.data)
    except DomainError as error:
        target = {"fy": form.fy, "start": form.start, "end": form.end, "period": form.period,
                  "part": getattr(form, form.period.data, form.period)}.get(error.field or "period", form.period)
        target.errors = [*target.errors, error.message]
        return None


def _period_form() -> tuple[PeriodForm, object]:
    form = PeriodForm(request.args)
    form.set_choices(stats.fiscal_years(db.session), current_locale(), stats.default_fiscal_year())
    return form, _chosen_period(form)


@bp.route("/admin/stats")
@permission_required(policy.can_read_statistics)
def admin_stats():
    form, period = _period_form()
    if period is None:
        return render_template("statistics/admin.html", form=form, figures=None), 400
    locale = current_locale()
    figures = stats.compute(db.session, period)
    tables = build_tables(db.session, figures, locale)
    by_key = {table.key: table for table in tables}
    return render_template(
        "statistics/admin.html",
        form=form,
        figures=figures,
        period=period,
        tables=tables,
        charts=build_charts(by_key),
        caption=period_caption(period, locale, figures.coverage),
        previous_caption=period_caption(figures.previous.period, locale),
        as_of=as_of_caption(figures.today, locale),
        notes=coverage_notes(figures, locale),
        export_args=period.query_args(),
    )


def _thai_tables(period):
    """The tables as exported: Thai headers and Buddhist-era dates whatever the page's language."""
    with force_locale("th"):
        figures = stats.compute(db.session, period)
        tables = build_tables(db.session, figures, "th")
        # The sheets' date line carries what the figures cannot know (no data before go-live, so far).
        as_of = " ".join([as_of_caption(figures.today, "th"), *coverage_notes(figures, "th")])
        return figures, tables, period_caption(period, "th", figures.coverage), as_of


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


@bp.route("/admin/stats/export.csv")
@permission_required(policy.can_read_statistics)
def admin_stats_csv():
    form, period = _period_form()
    if period is None:
        return render_template("statistics/admin.html", form=form, figures=None), 400
    _figures, tables, _caption, _as_of = _thai_tables(period)
    table = next((t for t in tables if t.key == request.args.get("table", "")), None)
    if table is None:
        abort(404)
    return _download(table_csv(table), "text/csv; charset=utf-8", f"statistics-{period.slug()}-{table.key}.csv")


@bp.route("/admin/stats/export.xlsx")
@permission_required(policy.can_read_statistics)
def admin_stats_xlsx():
    form, period = _period_form()
    if period is None:
        return render_template("statistics/admin.html", form=form, figures=None), 400
    _figures, tables, caption, as_of = _thai_tables(period)
    with force_locale("th"):
        heading = str(_l("Channel-usage statistics"))
        data = tables_xlsx(tables, heading, caption, as_of)
    return _download(data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     f"statistics-{period.slug()}.xlsx")


# --- public statistics -------------------------------------------------------------------------------


def _public_year():
    form = PublicYearForm(request.args)
    form.set_choices(stats.fiscal_years(db.session), stats.default_fiscal_year())
    if form.fy.raw_data and form.fy.raw_data[0] and form.fy.data is None:
        form.fy.errors = [_l("Enter the fiscal year as a Buddhist-era year, e.g. 2568.")]
        return form, None
    try:
        return form, stats.check_fiscal_year(db.session, form.fy.data)
    except DomainError as error:
        form.fy.errors = [error.message]
        return form, None


@bp.route("/stats")
def public_stats():
    form, fiscal_year = _public_year()
    if fiscal_year is None:
        return render_template("statistics/public.html", form=form, public=None), 400
    public = stats.public_statistics(db.session, fiscal_year, current_locale())
    locale = current_locale()
    return render_template("statistics/public.html", form=form, public=public,
                           as_of=as_of_caption(public.today, locale),
                           caption=period_caption(public.period, locale, public.coverage),
                           notes=public.coverage.notes(locale) if public.coverage else [],
                           known_dates=public.coverage.known_dates_label(locale) if public.coverage else "")


PUBLIC_LEVEL_LABELS = {"month": _l("Month"), "quarter": _l("Quarter"), "half": _l("Half"), "year": _l("Year")}
PUBLIC_SECTION_LABELS = {"general": _l("General complaints"),
                         "integrity": _l("Corruption and misconduct complaints")}


@bp.route("/stats.csv")
def public_stats_csv():
    form, fiscal_year = _public_year()
    if fiscal_year is None:
        return render_template("statistics/public.html", form=form, public=None), 400
    with force_locale("th"):
        public = stats.public_statistics(db.session, fiscal_year, "th")
        rows = []
        for section in (public.general, public.integrity):
            name = str(PUBLIC_SECTION_LABELS[section.key])
            for level in stats.PUBLIC_LEVELS:
                for count in section.levels.get(level, []):
                    rows.append([name, str(PUBLIC_LEVEL_LABELS[level]), count.label, count.received,
                                 count.completed, count.in_progress, None])
            total = section.total
            rows.append([name, str(PUBLIC_LEVEL_LABELS["year"]), total.label, total.received, total.completed,
                         total.in_progress, total.paper if total.known else None])
        # Empty cells: no data (before go-live) or not yet reached, never 0.
        header = [str(_l("Kind of complaint")), str(_l("Breakdown")), str(_l("Period of time")),
                  str(_l("Cases received")), str(_l("Completed")), str(_l("In progress")),
                  str(_l("Of which from paper records"))]
    return _download(rows_csv(header, rows), "text/csv; charset=utf-8", f"complaint-statistics-{fiscal_year}.csv")
