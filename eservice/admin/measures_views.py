"""The measures report: its measures and ITA scores per fiscal year (administrators edit, executives read)
and the report itself, as a printable page and as a DOCX file."""

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from ..auth import permission_required
from ..domain import measures as rules
from ..domain import policy, stats
from ..domain.errors import DomainError
from ..domain.fiscal import fiscal_year_of
from ..domain.organisation import current as current_organisation
from ..domain.thai import bangkok_today
from ..extensions import db
from ..i18n import current_locale
from ..models.measures import ITA_INDICATORS, ITA_TOTAL_KEY, Measure
from ..web import acting, saving, show_domain_error
from . import bp
from .forms import CopyMeasuresForm, MeasureForm, SignOffForm
from .report_output import docx_bytes, html_document, logo_data_uri


class BadFiscalYear(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@bp.errorhandler(BadFiscalYear)
def bad_fiscal_year(error):
    return render_template("admin/problem.html", message=error.message), 400


def _fiscal_year_arg() -> int:
    """``?fy=`` as a checked B.E. fiscal year; without it the newest year that has measures (or this one)."""
    raw = request.args.get("fy", "").strip()
    if raw:
        try:
            return rules.parse_fiscal_year(raw)
        except DomainError as error:
            raise BadFiscalYear(error.message) from None
    years = rules.measure_years(db.session)
    return years[0] if years else fiscal_year_of(bangkok_today())


def _year_choices(fiscal_year: int) -> list[int]:
    """Every year picker's range (:func:`eservice.domain.stats.fiscal_years`), with the year shown."""
    return sorted(set(stats.fiscal_years(db.session)) | {fiscal_year}, reverse=True)


def _can_edit() -> bool:
    return policy.can_administer(current_user)


CELL_LABELS = {"title": _l("Measure or activity"), "methods": _l("Methods"), "period": _l("Period"),
               "responsible": _l("Responsible"), "results": _l("Results"), "outcome": _l("Outcome or achievement")}


def _measures_page(fiscal_year: int, copy_form, status: int = 200, *, can_edit: bool | None = None):
    return render_template("admin/measures.html", fiscal_year=fiscal_year,
                           measures=rules.measures_of(db.session, fiscal_year), years=_year_choices(fiscal_year),
                           can_edit=_can_edit() if can_edit is None else can_edit, copy_form=copy_form,
                           year_mentions=rules.cells_naming_years(db.session, fiscal_year),
                           cell_labels=CELL_LABELS), status


# --- measures -------------------------------------------------------------------------------------


@bp.route("/measures")
@permission_required(policy.can_read_statistics)
def measures():
    fiscal_year = _fiscal_year_arg()
    copy_form = CopyMeasuresForm()
    if not copy_form.source.data:
        copy_form.source.data = str(fiscal_year - 1)
    return _measures_page(fiscal_year, copy_form)


def _measure_input(form: MeasureForm) -> rules.MeasureInput:
    return rules.MeasureInput(
        title=form.title.data or "", methods=rules.lines_of(form.methods.data or ""), period=form.period.data or "",
        responsible=form.responsible.data or "", results=form.results.data or "", outcome=form.outcome.data or "")


def _catalogue_rows(fiscal_year: int) -> list[tuple[str, object, str]]:
    """Each figure with what it means and its value this year (shown beside the texts while editing)."""
    catalogue = rules.figure_catalogue(db.session)
    values = rules.report_figures(db.session, fiscal_year)
    return [(name, description, rules.format_figure(values.get(name), None)) for name, description in
            catalogue.items()]


@bp.route("/measures/new", methods=["GET", "POST"], defaults={"measure_id": None})
@bp.route("/measures/<int:measure_id>", methods=["GET", "POST"])
@permission_required(policy.can_administer)
def measure_edit(measure_id):
    measure = db.session.get(Measure, measure_id) if measure_id else None
    if measure_id and measure is None:
        abort(404)
    fiscal_year = measure.fiscal_year if measure else _fiscal_year_arg()
    form = MeasureForm(obj=measure)
    if measure is not None and not form.is_submitted():
        form.methods.data = "\n".join(measure.methods or [])
    problems = []
    if form.validate_on_submit():
        data = _measure_input(form)
        problems = rules.check_measure(data, rules.figure_catalogue(db.session))
        if not problems:
            with saving(form, done=_("Measure saved.")) as saved:
                current = db.session.get(Measure, measure_id) if measure_id else None
                _measure, changes = rules.save_measure(db.session, fiscal_year, data, current, by=acting())
                if not changes:
                    saved.say(_("Nothing was changed."))
            if saved:
                return redirect(url_for("admin.measures", fy=fiscal_year))
        for problem in problems:
            show_domain_error(form, problem)
    status = 422 if form.is_submitted() else 200
    measure = db.session.get(Measure, measure_id) if measure_id else None
    return render_template("admin/measure_form.html", form=form, measure=measure, fiscal_year=fiscal_year,
                           catalogue=_catalogue_rows(fiscal_year)), status


@bp.route("/measures/<int:measure_id>/move", methods=["POST"])
@permission_required(policy.can_administer)
def measure_move(measure_id):
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if step is None:
        abort(400)
    with saving():
        measure = db.session.get(Measure, measure_id) or abort(404)
        fiscal_year = measure.fiscal_year
        rules.move_measure(db.session, measure, step, by=acting())
    return redirect(url_for("admin.measures", fy=fiscal_year) + f"#measure-{measure_id}")


@bp.route("/measures/<int:measure_id>/delete", methods=["POST"])
@permission_required(policy.can_administer)
def measure_delete(measure_id):
    with saving(done=_("Measure deleted. Its full text is kept in the audit log.")):
        measure = db.session.get(Measure, measure_id) or abort(404)
        fiscal_year = measure.fiscal_year
        rules.delete_measure(db.session, measure, by=acting())
    return redirect(url_for("admin.measures", fy=fiscal_year))


@bp.route("/measures/copy", methods=["POST"])
@permission_required(policy.can_administer)
def measures_copy():
    fiscal_year = _fiscal_year_arg()
    form = CopyMeasuresForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            source = rules.parse_fiscal_year(form.source.data, field="source")
            count = rules.copy_measures(db.session, source, fiscal_year, by=acting())
            saved.say(_("%(n)d measures copied from %(source)d. Update their periods and results for %(fy)d.",
                        n=count, source=source, fy=fiscal_year))
        if saved:
            mentions = rules.cells_naming_years(db.session, fiscal_year)
            if mentions:
                flash(_("%(n)d cells still write a year as digits; they are listed below. Name the year as "
                        "{fiscal_year} where it should follow the report's year.", n=len(mentions)), "warning")
            return redirect(url_for("admin.measures", fy=fiscal_year))
    return _measures_page(fiscal_year, form, 422, can_edit=True)


# --- ITA scores -----------------------------------------------------------------------------------


def _ita_rows(fiscal_year: int):
    """(key, label, score, previous, change) for the total, each indicator and each question."""
    figures = rules.ita_figures(db.session, fiscal_year)
    scores = rules.ita_scores(db.session, fiscal_year)
    locale = current_locale()
    keys = [ITA_TOTAL_KEY, *(str(n) for n in ITA_INDICATORS)]
    keys += sorted(k for k, s in scores.items() if s.is_question)
    rows = []
    for key in keys:
        if key == ITA_TOTAL_KEY:
            label = _("Overall ITA score")
        elif key.isdecimal():
            thai, english = ITA_INDICATORS[int(key)]
            label = f"{key}. " + (str(english) if locale == "en" else thai)
        else:
            label = scores[key].label(locale)
        rows.append((key, label, figures.get(f"ita_{key}"), figures.get(f"ita_{key}_previous"),
                     figures.get(f"ita_{key}_change")))
    return rows


@bp.route("/ita")
@permission_required(policy.can_read_statistics)
def ita():
    fiscal_year = _fiscal_year_arg()
    return render_template("admin/ita.html", fiscal_year=fiscal_year, rows=_ita_rows(fiscal_year),
                           years=_year_choices(fiscal_year), can_edit=_can_edit(), fmt=rules.format_figure)


def _ita_form(question_count: int):
    """A form with a score and a change for the total and each indicator, and rows for questions."""

    class ItaForm(FlaskForm):
        pasted = TextAreaField(_l("Paste lines from the ITA result sheet (optional)"))

    def add(name, label):
        setattr(ItaForm, name, StringField(label, filters=[lambda v: v.strip() if isinstance(v, str) else v]))

    add("score_total", _l("Overall score"))
    add("change_total", _l("Change from the year before, as printed (only if that year is not recorded)"))
    for number, (_thai, english) in ITA_INDICATORS.items():
        add(f"score_{number}", _l("Indicator %(n)d: %(name)s", n=number, name=english))
        add(f"change_{number}", _l("Change of indicator %(n)d, as printed", n=number))
    for index in range(question_count):
        add(f"q{index}_key", _l("Short name (English letters, e.g. participation)"))
        add(f"q{index}_label_th", _l("The question (Thai)"))
        add(f"q{index}_label_en", _l("The question (English)"))
        add(f"q{index}_score", _l("Score"))
        add(f"q{index}_change", _l("Change, as printed"))
    return ItaForm


def _question_indexes(form) -> list[int]:
    return sorted({int(name[1:].split("_")[0]) for name in form._fields if name.startswith("q")
                   and name[1:].split("_")[0].isdecimal()})


def _score_entries(form) -> tuple[list[rules.ScoreEntry], list[DomainError]]:
    entries, problems = [], []

    def read(key, score_field, change_field, **labels):
        try:
            score = rules.parse_score(getattr(form, score_field).data, field=score_field)
        except DomainError as error:
            problems.append(error)
            score = None
        try:
            change = rules.parse_change(getattr(form, change_field).data, field=change_field)
        except DomainError as error:
            problems.append(error)
            change = None
        entries.append(rules.ScoreEntry(key=key, score=score, reported_change=change, field=score_field, **labels))

    read(ITA_TOTAL_KEY, "score_total", "change_total")
    for number in ITA_INDICATORS:
        read(str(number), f"score_{number}", f"change_{number}")
    for index in _question_indexes(form):
        key = rules.normalise_key(getattr(form, f"q{index}_key").data or "")
        label_th = getattr(form, f"q{index}_label_th").data or ""
        score_text = getattr(form, f"q{index}_score").data or ""
        change_text = getattr(form, f"q{index}_change").data or ""
        if not key and not label_th and not score_text and not change_text:
            continue  # the blank row for a new question
        read(key, f"q{index}_score", f"q{index}_change", label_th=label_th,
             label_en=getattr(form, f"q{index}_label_en").data or "")
        entries[-1].field = f"q{index}_key"
    problems += rules.check_score_entries(entries)
    return entries, problems


def _fill_ita_form(form, fiscal_year: int) -> None:
    scores = rules.ita_scores(db.session, fiscal_year)

    def text(value):
        return "" if value is None else str(value)

    for key in [ITA_TOTAL_KEY, *(str(n) for n in ITA_INDICATORS)]:
        row = scores.get(key)
        getattr(form, f"score_{key}").data = text(row.score if row else None)
        getattr(form, f"change_{key}").data = text(row.reported_change if row else None)
    questions = sorted((s for s in scores.values() if s.is_question), key=lambda s: s.key)
    for index, row in enumerate(questions):
        getattr(form, f"q{index}_key").data = row.key
        getattr(form, f"q{index}_label_th").data = row.label_th
        getattr(form, f"q{index}_label_en").data = row.label_en
        getattr(form, f"q{index}_score").data = text(row.score)
        getattr(form, f"q{index}_change").data = text(row.reported_change)


@bp.route("/ita/edit", methods=["GET", "POST"])
@permission_required(policy.can_administer)
def ita_edit():
    fiscal_year = _fiscal_year_arg()
    existing = [s for s in rules.ita_scores(db.session, fiscal_year).values() if s.is_question]
    if request.method == "POST":
        numbers = (k[1:].split("_")[0] for k in request.form if k.startswith("q"))
        posted = {int(n) for n in numbers if n.isdecimal() and len(n) < 4}
        count = min(max(posted, default=-1) + 1, 50)
    else:
        count = len(existing) + 1
    form = _ita_form(count)()
    if not form.is_submitted():
        _fill_ita_form(form, fiscal_year)
    line_errors = []
    status = 200
    if form.validate_on_submit():
        if request.form.get("action") == "paste":
            pasted, line_errors = rules.parse_pasted_scores(form.pasted.data or "")
            if line_errors:
                status = 422
            else:
                for entry in pasted:
                    getattr(form, f"score_{entry.key}").data = str(entry.score)
                flash(_("%(n)d scores read from the pasted lines. Check them, then save.", n=len(pasted)), "info")
            return render_template("admin/ita_form.html", form=form, fiscal_year=fiscal_year,
                                   line_errors=line_errors, questions=_question_indexes(form)), status
        entries, problems = _score_entries(form)
        if not problems:
            with saving(form, done=_("ITA scores saved.")) as saved:
                if not rules.save_ita_scores(db.session, fiscal_year, entries, replace_questions=True, by=acting()):
                    saved.say(_("Nothing was changed."))
            if saved:
                return redirect(url_for("admin.ita", fy=fiscal_year))
        for problem in problems:
            show_domain_error(form, problem)
        status = 422
    elif form.is_submitted():
        status = 422
    return render_template("admin/ita_form.html", form=form, fiscal_year=fiscal_year, line_errors=line_errors,
                           questions=_question_indexes(form)), status


# --- the report -----------------------------------------------------------------------------------


def _report_for_request():
    fiscal_year = _fiscal_year_arg()
    digits = request.args.get("digits") if request.args.get("digits") in ("thai", "arabic") else None
    locale = request.args.get("lang") if request.args.get("lang") in ("th", "en") else "th"
    if not rules.measures_of(db.session, fiscal_year):
        raise BadFiscalYear(_l("Fiscal year %(fy)d has no measures yet. Add them, or copy another year's, on the "
                               "measures page.", fy=fiscal_year))
    return rules.build_report(db.session, fiscal_year, locale=locale, digits=digits)


@bp.route("/report/sign-off", methods=["GET", "POST"])
@permission_required(policy.can_administer)
def report_sign_off():
    """The sign-off block of a year's report: who prepared it and who approved it, with their positions."""
    fiscal_year = _fiscal_year_arg()
    form = SignOffForm()
    if not form.is_submitted():
        row = rules.sign_off_of(db.session, fiscal_year)
        for name in rules.SIGN_OFF_FIELDS:
            getattr(form, name).data = getattr(row, name) if row else ""
    if form.validate_on_submit():
        data = rules.SignOffInput(**{name: getattr(form, name).data or "" for name in rules.SIGN_OFF_FIELDS})
        problems = rules.check_sign_off(data)
        if not problems:
            with saving(form, done=_("Sign-off block saved.")) as saved:
                if not rules.save_sign_off(db.session, fiscal_year, data, by=acting()):
                    saved.say(_("Nothing was changed."))
            if saved:
                return redirect(url_for("admin.report", fy=fiscal_year))
        for problem in problems:
            show_domain_error(form, problem)
    status = 422 if form.is_submitted() else 200
    return render_template("admin/sign_off_form.html", form=form, fiscal_year=fiscal_year), status


def _organisation_logo():
    org = current_organisation(db.session)
    return (org.logo, org.logo_content_type) if org is not None and org.logo_content_type else (None, "")


@bp.route("/report")
@permission_required(policy.can_read_statistics)
def report():
    built = _report_for_request()
    logo, logo_type = _organisation_logo()
    return render_template("report/measures.html", report=built, years=_year_choices(built.fiscal_year),
                           logo_src=logo_data_uri(logo, logo_type), can_edit=_can_edit())


@bp.route("/report.html")
@permission_required(policy.can_read_statistics)
def report_html_file():
    built = _report_for_request()
    logo, logo_type = _organisation_logo()
    data = html_document(built, logo=logo, logo_type=logo_type).encode("utf-8")
    return send_file(
        io.BytesIO(data), mimetype="text/html", as_attachment=True,
        download_name=f"measures-report-{built.fiscal_year}.html")


@bp.route("/report.docx")
@permission_required(policy.can_read_statistics)
def report_docx():
    built = _report_for_request()
    logo, _type = _organisation_logo()
    return send_file(
        io.BytesIO(docx_bytes(built, logo=logo)),
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        as_attachment=True, download_name=f"measures-report-{built.fiscal_year}.docx")
