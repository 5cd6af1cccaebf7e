"""The annual complaint-handling summary (รายงานสรุปผลการดำเนินการเรื่องร้องเรียน): a public page linked
from /stats, printable, and as a DOCX file. The figures and what they may say come from
:mod:`eservice.domain.complaint_summary`."""

import io

from flask import render_template, request, send_file
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import Form, SelectField
from wtforms.fields.choices import SelectChoice

from ..domain import complaint_summary as summaries
from ..domain import policy
from ..domain.errors import DomainError
from ..domain.organisation import current as current_organisation
from ..domain.thai import format_date
from ..extensions import db
from ..i18n import current_locale
from . import bp
from .forms import int_or_none
from .summary_output import integrity_line, status_lines, summary_docx, summary_tables, title_of


class SummaryForm(Form):
    fy = SelectField(_l("Fiscal year (B.E.)"), coerce=int_or_none, validate_choice=False)
    part = SelectField(_l("Period"), choices=[SelectChoice(key, label) for key, label in
                                              summaries.PART_LABELS.items()], default="fy", validate_choice=False)


def _chosen():
    """The form and the (fiscal year, part) it asks for, or None with the reason on the field."""
    form = SummaryForm(request.args)
    years = summaries.summary_years(db.session)
    form.fy.choices = [SelectChoice(year, str(year)) for year in years]
    if form.fy.data is None and not (form.fy.raw_data and form.fy.raw_data[0]):
        form.fy.data = years[0]
    if form.fy.raw_data and form.fy.raw_data[0] and form.fy.data is None:
        form.fy.errors = [_l("Enter the fiscal year as a Buddhist-era year, e.g. 2568.")]
        return form, None
    if form.part.data not in summaries.PARTS:
        form.part.errors = [_l("Choose the first half or the whole fiscal year.")]
        return form, None
    try:
        fiscal_year = summaries.check_year(db.session, form.fy.data)
    except DomainError as error:
        form.fy.errors = [error.message]
        return form, None
    return form, (fiscal_year, form.part.data)


@bp.route("/stats/summary")
def complaint_summary():
    form, chosen = _chosen()
    org = current_organisation(db.session)
    if chosen is None:
        return render_template("statistics/summary.html", form=form, summary=None, org=org), 400
    locale = current_locale()
    summary = summaries.build(db.session, *chosen, locale=locale)
    return render_template("statistics/summary.html", form=form, summary=summary, org=org,
                           can_edit=current_user.is_authenticated and policy.can_administer(current_user),
                           title=title_of(summary), lines=status_lines(summary, locale),
                           tables=summary_tables(summary, locale), integrity=integrity_line(summary),
                           dates=f"{format_date(summary.period.start, locale)} – "
                                 f"{format_date(summary.period.last_day, locale)}")


@bp.route("/stats/summary.docx")
def complaint_summary_docx():
    form, chosen = _chosen()
    org = current_organisation(db.session)
    if chosen is None:
        return render_template("statistics/summary.html", form=form, summary=None, org=org), 400
    locale = current_locale()
    summary = summaries.build(db.session, *chosen, locale=locale)
    data = summary_docx(summary, org=org, locale=locale)
    name = f"complaint-summary-{summary.fiscal_year}-{summary.part}.docx"
    response = send_file(io.BytesIO(data), as_attachment=True, download_name=name,
                         mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response.headers["Cache-Control"] = "no-store"
    return response
