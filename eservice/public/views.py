"""Thin views: parse, call the domain, commit, render or redirect."""

import io
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from ..database import begin_write
from ..domain import case_types, tracking, workflow
from ..domain.errors import DomainError
from ..domain.filing import (
    add_citizen_information,
    file_case,
    filing_digest,
    find_by_submission_token,
    find_case_by_code,
    load_event_files,
)
from ..domain.uploads import ACCEPT_ATTRIBUTE, clean_upload
from ..extensions import db, limiter
from ..form_errors import show_domain_error
from ..intake import intake_form
from ..models import Attachment, Category, Channel, Division
from . import bp
from .forms import AddInformationForm, RatingForm, ReopenForm, TrackForm

TRACKED_CASES_KEPT = 10


def _filing_limit():
    return current_app.config["FILING_RATE_LIMIT"]


def _tracking_limit():
    return current_app.config["TRACKING_RATE_LIMIT"]


@bp.route("/")
def home():
    categories = db.session.scalars(
        select(Category).where(Category.active.is_(True)).order_by(Category.sort_order, Category.id)
    ).all()
    channels = db.session.scalars(
        select(Channel).where(Channel.active.is_(True)).order_by(Channel.sort_order)
    ).all()
    standard = []
    for kind in case_types.CASE_TYPES.values():
        offered = [c for c in categories if c.offered_for(kind.code)]
        if offered:
            standard.append({
                "kind": kind,
                "ack_days": max(c.ack_days for c in offered),
                "resolve_min": min(c.resolve_days for c in offered),
                "resolve_max": max(c.resolve_days for c in offered),
            })
    return render_template(
        "public/home.html",
        standard=standard,
        categories=categories,
        channels=channels,
        general_types=[case_types.CASE_TYPES[c] for c in case_types.GENERAL_TYPES],
        integrity_types=[case_types.CASE_TYPES[c] for c in case_types.INTEGRITY_TYPES],
    )


@bp.route("/privacy")
def privacy():
    return render_template("public/privacy.html")


@bp.route("/lang/<code>")
def set_language(code):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    target = request.args.get("next", "")
    parts = urlsplit(target)
    # Only a path on this site: never an open redirect.
    if not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc:
        target = url_for("public.home")
    return redirect(target)


@bp.route("/file/<case_type>", methods=["GET", "POST"])
@limiter.limit(_filing_limit, methods=["POST"])
def file(case_type):
    kind = case_types.get_case_type(case_type)
    if kind is None:
        abort(404)
    form = intake_form(case_type)
    template = "public/file_integrity.html" if kind.confidential else "public/file.html"
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template(template, form=form, kind=kind, accept=ACCEPT_ATTRIBUTE), status

    earlier = find_by_submission_token(db.session, form.submission_token.data)
    if earlier is not None:
        # The same form sent twice (a double tap, a refresh): one case, and the key is not shown again.
        return render_template("public/already_filed.html", case=earlier)

    intake = form.to_intake()
    try:
        begin_write(db.session)
        filed = file_case(db.session, intake)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        show_domain_error(form, error)
        return render_template(template, form=form, kind=kind, accept=ACCEPT_ATTRIBUTE), 422
    except SQLAlchemyError:
        db.session.rollback()
        raise
    case = filed.case
    return render_template(
        "public/receipt.html",
        case=case,
        receipt_key=filed.receipt_key,
        digest=filing_digest(case),
    )


# --- tracking ----------------------------------------------------------------------------------


def _authorised_case_ids() -> list[int]:
    return list(session.get("tracked", []))


def _authorise(case_id: int) -> None:
    ids = [i for i in _authorised_case_ids() if i != case_id]
    session["tracked"] = (ids + [case_id])[-TRACKED_CASES_KEPT:]


def _case_for_key_holder(code: str):
    case = find_case_by_code(db.session, code)
    if case is None or case.id not in _authorised_case_ids():
        return None
    return case


@bp.route("/track", methods=["GET"])
def track():
    form = TrackForm()
    code = tracking.normalise_code(request.args.get("code", ""))
    case = None
    if code:
        form.code.data = code
        case = find_case_by_code(db.session, code)
        if case is not None and case.id in _authorised_case_ids():
            return redirect(url_for("public.tracked_case", code=case.tracking_code))
    return render_template("public/track.html", form=form, code=code, case=case)


@bp.route("/track", methods=["POST"])
@limiter.limit(_tracking_limit)
def track_with_key():
    form = TrackForm()
    if not form.validate_on_submit():
        return render_template("public/track.html", form=form, code="", case=None), 422
    case = find_case_by_code(db.session, form.code.data)
    if case is None or not tracking.key_matches(form.key.data, case.receipt_key_hash):
        # One message for both: a wrong code must not tell that the code exists.
        form.key.errors = [_("The tracking code and receipt key do not match. Check both and try again.")]
        return render_template("public/track.html", form=form, code="", case=None), 422
    _authorise(case.id)
    return redirect(url_for("public.tracked_case", code=case.tracking_code))


@bp.route("/track/<code>")
def tracked_case(code):
    case = _case_for_key_holder(code)
    if case is None:
        return redirect(url_for("public.track", code=code))
    return _render_case(case)


def _render_case(case, *, info_form=None, rating_form=None, reopen_form=None, status=200):
    reopen_days = current_app.config["REOPEN_WITHIN_DAYS"]
    load_event_files(db.session, case)
    return render_template(
        "public/case.html",
        case=case,
        info_form=info_form or AddInformationForm(),
        rating_form=rating_form or RatingForm(),
        reopen_form=reopen_form or ReopenForm(),
        can_add=workflow.can_add_information(case),
        can_rate=workflow.can_rate(case),
        can_reopen=workflow.can_request_reopen(case, reopen_days),
        reopen_days=reopen_days,
        accept=ACCEPT_ATTRIBUTE,
    ), status


@bp.route("/track/<code>/information", methods=["POST"])
@limiter.limit(_filing_limit)
def add_information(code):
    case = _case_for_key_holder(code) or abort(404)
    form = AddInformationForm()
    files = []
    if form.validate_on_submit():
        uploads = [f for f in (form.media.data or []) if f and f.filename]
        limit = current_app.config["MAX_ATTACHMENTS"]
        if len(uploads) > limit:
            form.media.errors = [_("Attach at most %(max)d files; you chose %(n)d.", max=limit, n=len(uploads))]
        for upload in uploads[:limit]:
            try:
                files.append(clean_upload(upload.filename, upload.read(), current_app.config["MAX_ATTACHMENT_BYTES"]))
            except DomainError as error:
                form.media.errors = list(form.media.errors) + [error.message]
        if not form.media.errors:
            try:
                begin_write(db.session)
                case = find_case_by_code(db.session, code)
                add_citizen_information(db.session, case, form.note.data or "", files)
                db.session.commit()
                flash(_("Thank you. Your information has been added to the case."), "success")
                return redirect(url_for("public.tracked_case", code=case.tracking_code))
            except DomainError as error:
                db.session.rollback()
                show_domain_error(form, error)
    return _render_case(case, info_form=form, status=422)


@bp.route("/track/<code>/rating", methods=["POST"])
def rate(code):
    case = _case_for_key_holder(code) or abort(404)
    form = RatingForm()
    if form.validate_on_submit():
        try:
            begin_write(db.session)
            case = find_case_by_code(db.session, code)
            workflow.rate(db.session, case, int(form.score.data), form.resolved.data, form.comment.data or "")
            db.session.commit()
            flash(_("Thank you for rating our service."), "success")
            return redirect(url_for("public.tracked_case", code=case.tracking_code))
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
    return _render_case(case, rating_form=form, status=422)


@bp.route("/track/<code>/reopen", methods=["POST"])
def reopen(code):
    case = _case_for_key_holder(code) or abort(404)
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            begin_write(db.session)
            case = find_case_by_code(db.session, code)
            workflow.citizen_requests_reopen(
                db.session, case, form.reason.data, current_app.config["REOPEN_WITHIN_DAYS"]
            )
            db.session.commit()
            flash(_("The case has been reopened; the division has been told."), "success")
            return redirect(url_for("public.tracked_case", code=case.tracking_code))
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
    return _render_case(case, reopen_form=form, status=422)


@bp.route("/track/<code>/files/<int:attachment_id>")
def attachment(code, attachment_id):
    case = _case_for_key_holder(code) or abort(404)
    item = db.session.get(Attachment, attachment_id)
    if item is None or item.case_id != case.id or not item.public:
        abort(404)
    return send_file(
        io.BytesIO(item.data),
        mimetype=item.content_type,
        as_attachment=item.content_type == "application/pdf",
        download_name=item.filename,
    )


@bp.route("/track/forget", methods=["POST"])
def forget():
    session.pop("tracked", None)
    flash(_("This device no longer shows your cases. Keep your code and key to look again."), "success")
    return redirect(url_for("public.track"))


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        divisions = db.session.scalar(select(Division.id).limit(1))
    except SQLAlchemyError:
        db.session.rollback()
        return {"status": "error", "database": "unavailable"}, 503
    return {"status": "ok", "database": "ok", "reference_data": divisions is not None}, 200
