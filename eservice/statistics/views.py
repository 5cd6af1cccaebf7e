"""The statistics pages: /admin/stats for administrators and executives (read only), /stats for
everyone. Views parse the period, ask eservice.domain.stats for the figures and render them."""

from flask import Response, abort, render_template, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..auth import permission_required
from ..domain import integrity_figures, policy, stats
from ..domain.errors import DomainError
from ..domain.fiscal import month_starts
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
    figures, integrity = _figures(period)
    tables = build_tables(db.session, figures, locale, integrity)
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
        integrity=integrity,
    )


def _figures(period):
    """The figures as the signed-in reader may see them: corruption and gift reports exactly for the
    integrity role, else as the public page's small-count rule allows (integrity_figures)."""
    return integrity_figures.statistics_for(
        db.session, period, exact=policy.sees_exact_integrity_statistics(current_user))


def _thai_tables(period):
    """The tables as exported: Thai headers and Buddhist-era dates whatever the page's language."""
    with force_locale("th"):
        figures, integrity = _figures(period)
        tables = build_tables(db.session, figures, "th", integrity)
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
    with force_locale("th"):
        data = table_csv(table)
    return _download(data, "text/csv; charset=utf-8", f"statistics-{period.slug()}-{table.key}.csv")


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
    if form.fy.data is None:
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
        # Beside the labels, codes: the kind (general, integrity), the breakdown (month, quarter, half,
        # year) and the period (2024-10, q1, h1, fy2568).
        period_codes = {
            "month": [f"{first.year:04d}-{first.month:02d}" for first in month_starts(public.period.span)],
            "quarter": [f"q{n}" for n in range(1, 5)],
            "half": [f"h{n}" for n in range(1, 3)],
        }
        rows = []
        for section in (public.general, public.integrity):
            name = str(PUBLIC_SECTION_LABELS[section.key])
            for level in stats.PUBLIC_LEVELS:
                for count, code in zip(section.levels.get(level, []), period_codes[level], strict=False):
                    rows.append([name, str(PUBLIC_LEVEL_LABELS[level]), count.label, count.received,
                                 count.completed, count.in_progress, None, section.key, level, code])
            total = section.total
            rows.append([name, str(PUBLIC_LEVEL_LABELS["year"]), total.label, total.received, total.completed,
                         total.in_progress, total.paper if total.known else None,
                         section.key, "year", f"fy{fiscal_year}"])
        # Empty cells: no data (before go-live) or not yet reached, never 0.
        header = [str(_l("Kind of complaint")), str(_l("Breakdown")), str(_l("Period of time")),
                  str(_l("Cases received")), str(_l("Completed")), str(_l("In progress")),
                  str(_l("Of which from paper records")),
                  str(_l("Kind (code)")), str(_l("Breakdown (code)")), str(_l("Period (code)"))]
    return _download(rows_csv(header, rows), "text/csv; charset=utf-8", f"complaint-statistics-{fiscal_year}.csv")
