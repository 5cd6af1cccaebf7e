"""Totals from paper records (/admin/paper-totals): administrators enter, change and remove how many
cases of each type came through each channel in the fiscal years before the e-Service went into use.
The rules (which years, what numbers) and the audit entries are in :mod:`eservice.domain.paper_totals`."""

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..auth import permission_required
from ..domain import paper_totals as rules
from ..domain import policy
from ..domain.case_types import CASE_TYPES
from ..domain.coverage import paper_span
from ..domain.organisation import in_use_since
from ..extensions import db
from ..i18n import current_locale
from ..models import Channel
from ..models.paper import PaperTotal
from ..web import acting, saving
from . import bp
from .forms import PaperTotalForm


def _channel_names() -> dict[str, str]:
    locale = current_locale()
    return {c.code: c.name(locale) for c in db.session.scalars(select(Channel).order_by(Channel.sort_order,
                                                                                        Channel.id))}


def _form(row: PaperTotal | None = None) -> PaperTotalForm:
    form = PaperTotalForm(obj=row)
    years = rules.years_open(in_use_since(db.session))
    if row is not None and row.fiscal_year not in years:
        years = sorted({*years, row.fiscal_year}, reverse=True)
    form.fiscal_year.choices = [SelectChoice(year, str(year)) for year in years]
    form.case_type.choices = [SelectChoice(code, str(kind.label)) for code, kind in CASE_TYPES.items()]
    form.channel_code.choices = [SelectChoice(code, name) for code, name in _channel_names().items()]
    if row is None and not form.is_submitted():
        form.cases.data = ""
    elif row is not None and not form.is_submitted():
        form.cases.data = str(row.cases)
    return form


def _input(form: PaperTotalForm) -> rules.PaperInput:
    return rules.PaperInput(fiscal_year=form.fiscal_year.data, case_type=form.case_type.data or "",
                            channel_code=form.channel_code.data or "",
                            cases=rules.parse_cases(form.cases.data), note=form.note.data or "")


@bp.route("/paper-totals")
@permission_required(policy.can_enter_paper_totals)
def paper_totals():
    since = in_use_since(db.session)
    rows = rules.all_rows(db.session)
    # A row whose year is no longer before go-live (the date was moved earlier) is kept but not counted.
    uncounted = {row.id for row in rows if paper_span(row.fiscal_year, since) is None}
    return render_template("admin/paper_totals.html", rows=rows, since=since, uncounted=uncounted,
                           open_years=rules.years_open(since), channels=_channel_names(),
                           types={code: str(kind.label) for code, kind in CASE_TYPES.items()})


@bp.route("/paper-totals/new", methods=["GET", "POST"], defaults={"paper_total_id": None})
@bp.route("/paper-totals/<int:paper_total_id>", methods=["GET", "POST"])
@permission_required(policy.can_enter_paper_totals)
def paper_total_edit(paper_total_id):
    row = db.session.get(PaperTotal, paper_total_id) if paper_total_id else None
    if paper_total_id and row is None:
        abort(404)
    form = _form(row)
    if form.validate_on_submit():
        with saving(form, done=_("Total from paper records saved.")) as saved:
            current = db.session.get(PaperTotal, paper_total_id) if paper_total_id else None
            rules.save(db.session, _input(form), current, by=acting())
        if saved:
            return redirect(url_for("admin.paper_totals"))
    return render_template("admin/paper_total_form.html", form=form, row=row,
                           since=in_use_since(db.session)), 422 if form.is_submitted() else 200


@bp.route("/paper-totals/<int:paper_total_id>/delete", methods=["POST"])
@permission_required(policy.can_enter_paper_totals)
def paper_total_delete(paper_total_id):
    """CSRF is checked for every POST by the application (CSRFProtect)."""
    if db.session.get(PaperTotal, paper_total_id) is None:
        abort(404)
    with saving(done=_("Total from paper records removed.")):
        row = db.session.get(PaperTotal, paper_total_id) or abort(404)
        rules.delete(db.session, row, by=acting())
    return redirect(url_for("admin.paper_totals"))
