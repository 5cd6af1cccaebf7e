"""The administrators' words in the annual complaint-handling summary: the problems found and the
improvements made, per fiscal year and half (audited). The summary itself is public, at /stats/summary."""

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth import permission_required
from ..domain import complaint_summary as summaries
from ..domain import measures as rules
from ..domain import policy
from ..domain.errors import DomainError
from ..domain.fiscal import fiscal_year_of
from ..domain.thai import bangkok_today
from ..extensions import db
from ..web import acting, saving, show_domain_error
from . import bp
from .forms import SummaryNoteForm
from .measures_views import BadFiscalYear


def _period_args() -> tuple[int, str]:
    """``?fy=&part=`` checked; without them this fiscal year as a whole."""
    try:
        raw = request.args.get("fy", "").strip()
        fiscal_year = rules.parse_fiscal_year(raw) if raw else fiscal_year_of(bangkok_today())
        part = request.args.get("part", "fy")
        summaries.summary_period(fiscal_year, part)
    except DomainError as error:
        raise BadFiscalYear(error.message) from None
    return fiscal_year, part


@bp.route("/complaint-summary/note", methods=["GET", "POST"])
@permission_required(policy.can_administer)
def complaint_summary_note():
    fiscal_year, part = _period_args()
    form = SummaryNoteForm()
    if not form.is_submitted():
        note = summaries.note_of(db.session, fiscal_year, part)
        form.problems.data = note.problems if note else ""
        form.improvements.data = note.improvements if note else ""
    if form.validate_on_submit():
        problems = summaries.check_note(form.problems.data or "", form.improvements.data or "")
        if not problems:
            with saving(form, done=_("Saved. The summary shows the new text.")) as saved:
                if not summaries.save_note(db.session, fiscal_year, part, form.problems.data or "",
                                           form.improvements.data or "", by=acting()):
                    saved.say(_("Nothing was changed."))
            if saved:
                return redirect(url_for("statistics.complaint_summary", fy=fiscal_year, part=part))
        for problem in problems:
            show_domain_error(form, problem)
    status = 422 if form.is_submitted() else 200
    return render_template("admin/summary_note_form.html", form=form, fiscal_year=fiscal_year, part=part,
                           part_label=summaries.PART_LABELS[part]), status
