"""Thin views: parse, call the domain, commit, render or redirect."""

import io

from flask import abort, current_app, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, text
from sqlalchemy.exc import InternalError, OperationalError, SQLAlchemyError

from ..database import can_write
from ..domain import case_types, clock, organisation, pending_uploads, tracking, workflow
from ..domain.errors import DomainError
from ..domain.filing import (
    AlreadyFiled,
    add_citizen_information,
    file_case,
    filing_digest,
    find_case_by_code,
    load_event_files,
)
from ..domain.thai import format_date, format_datetime
from ..domain.uploads import ACCEPT_ATTRIBUTE
from ..extensions import db, limiter
from ..i18n import current_locale
from ..input_guard import bounded_int
from ..intake import intake_form
from ..models import Attachment, Case, Category, Channel, Division
from ..web import clean_uploaded, safe_next, saving
from . import bp, receipts
from .filing_limits import count_saved_filing, filing_blocked_until
from .forms import AddInformationForm, RatingForm, ReopenForm, TrackForm

TRACKED_CASES_KEPT = 10


def _information_limit():
    return current_app.config["INFORMATION_RATE_LIMIT"]


def _saved(response) -> bool:
    return response.status_code in (302, 303)


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
    return render_template(
        "public/home.html",
        standard=clock.service_standard(categories),
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
    return redirect(safe_next(request.args.get("next", "")) or url_for("public.home"))


@bp.route("/file/<case_type>", methods=["GET", "POST"])
def file(case_type):
    kind = case_types.get_case_type(case_type)
    if kind is None:
        abort(404)
    form = intake_form(case_type)
    token = form.submission_token.data or None

    def again(status, *, files=(), **extra):
        """The form again, with what was typed and the attachments kept so far."""
        if files:
            _keep_uploads(form, token, files)
        return render_template(
            "public/file_integrity.html" if kind.confidential else "public/file.html",
            form=form, kind=kind, accept=ACCEPT_ATTRIBUTE,
            # A form just opened has a new token, with nothing kept for it yet.
            kept=pending_uploads.listed(db.session, token) if form.is_submitted() else [],
            unkept_receipts=receipts.held_codes(), **extra,
        ), status

    if not form.is_submitted():
        return again(200)
    blocked_until = filing_blocked_until()
    removing = request.form.get("remove_upload", "")
    if removing:
        # "Remove" beside a kept attachment sends the form; nothing is filed, nothing is marked wrong.
        form.validate()  # reads the newly chosen files, if any
        with saving() as saved:
            pending_uploads.remove(db.session, token, bounded_int(removing, 0))
        _clear_errors(form)
        return again(200 if saved else 422, files=getattr(form, "clean_files", []))
    if not form.validate_on_submit():
        return again(422, files=getattr(form, "clean_files", []))
    if blocked_until is not None:
        return again(429, files=form.clean_files, blocked_until=blocked_until)

    intake = form.to_intake()
    if token:
        intake.receipt_key = tracking.receipt_key_for_token(current_app.config["SECRET_KEY"], token)
    try:
        with saving(form) as saved:
            kept = pending_uploads.take(db.session, token)
            intake.files = kept + intake.files
            if len(intake.files) > current_app.config["MAX_ATTACHMENTS"]:
                raise DomainError(_l("Attach at most %(max)d files; you chose %(n)d.",
                                     max=current_app.config["MAX_ATTACHMENTS"], n=len(intake.files)),
                                  field="media")
            filed = file_case(db.session, intake)
    except AlreadyFiled as earlier:
        return _already_filed(earlier, token)
    except (OperationalError, InternalError):
        # The database cannot be written (read-only, disk full, gone): say plainly that nothing was
        # saved, and give the form back as it was typed.
        current_app.logger.exception("A filing could not be saved")
        db.session.rollback()
        return again(503, not_saved=True)
    if not saved:
        return again(422, files=form.clean_files)
    count_saved_filing()
    receipts.hold(filed.case.tracking_code, filed.receipt_key)
    _authorise(filed.case.id)
    return redirect(url_for("public.receipt", code=filed.case.tracking_code), 303)


def _keep_uploads(form, token, files) -> None:
    """Keep the photos and PDFs that passed their checks with the form, so that they need not be chosen
    again after the citizen fixes another field."""
    try:
        with saving() as saved:
            left_out = pending_uploads.keep(db.session, token, files, current_app.config["MAX_ATTACHMENTS"])
    except (OperationalError, InternalError):
        db.session.rollback()
        return
    if saved and left_out:
        form.media.errors = list(form.media.errors or []) + [
            _("Attach at most %(max)d files; you chose %(n)d.", max=current_app.config["MAX_ATTACHMENTS"],
              n=current_app.config["MAX_ATTACHMENTS"] + len(left_out))]


def _clear_errors(form) -> None:
    for item in form:
        item.errors = []


def _already_filed(earlier: AlreadyFiled, token: str | None):
    """The same form again (a double tap, a resent POST). The browser that filed holds the form's token,
    from which the same key is derived: it sees the same receipt. Anyone else learns only the code."""
    case = db.session.get(Case, earlier.case_id)
    if token:
        key = tracking.receipt_key_for_token(current_app.config["SECRET_KEY"], token)
        if tracking.key_matches(key, case.receipt_key_hash):
            receipts.hold(case.tracking_code, key)
            _authorise(case.id)
            return redirect(url_for("public.receipt", code=case.tracking_code), 303)
    return render_template("public/already_filed.html", case=case)


@bp.route("/receipt/<code>")
def receipt(code):
    """The receipt of a filing from this browser, for as long as the browser holds its key."""
    case = find_case_by_code(db.session, code, whole=True)
    key = receipts.held_key(case.tracking_code) if case is not None else None
    if key is None:
        return redirect(url_for("public.tracked_case", code=code) if case is not None and case.id in
                        _authorised_case_ids() else url_for("public.track", code=code))
    return render_template("public/receipt.html", case=case, receipt_key=key, digest=filing_digest(case),
                           shown_minutes=current_app.config["RECEIPT_SHOWN_MINUTES"])


@bp.route("/receipt/<code>/receipt.png")
def receipt_file(code):
    """The receipt as a picture, sent as a download so that in-app browsers (LINE, Facebook) save it."""
    case = find_case_by_code(db.session, code)
    key = receipts.held_key(case.tracking_code) if case is not None else None
    if key is None:
        abort(404)
    rows = [
        (_("Filed on"), format_datetime(case.received_at, current_locale())),
        (_("Type"), case_types.CASE_TYPES[case.case_type].label),
        (_("Answer due by"), format_date(case.resolve_due, current_locale())),
        (_("Follow it at"), current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for("public.track")),
    ]
    org = organisation.current(db.session)
    data = receipts.receipt_png(
        organisation=org.name(current_locale()) if org else "e-Service", title=_("Receipt of your case"),
        rows=rows, code_label=_("Tracking code"), code=case.tracking_code, key_label=_("Receipt key (secret)"),
        key=key, note=receipts.receipt_note(),
    )
    response = send_file(io.BytesIO(data), mimetype="image/png", as_attachment=True,
                         download_name=f"receipt-{case.tracking_code}.png")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/receipt/<code>/kept", methods=["POST"])
def receipt_kept(code):
    """The citizen has kept the key: this browser stops showing it."""
    case = find_case_by_code(db.session, code)
    receipts.release(case.tracking_code if case is not None else code)
    flash(_("The receipt key is no longer shown on this device. Keep it safe: we cannot show it again."), "success")
    if case is not None and case.id in _authorised_case_ids():
        return redirect(url_for("public.tracked_case", code=case.tracking_code))
    return redirect(url_for("public.track"))


# --- tracking ----------------------------------------------------------------------------------


def _authorised_case_ids() -> list[int]:
    return list(session.get("tracked", []))


def _authorise(case_id: int) -> None:
    ids = [i for i in _authorised_case_ids() if i != case_id]
    session["tracked"] = (ids + [case_id])[-TRACKED_CASES_KEPT:]


def _case_for_key_holder(code: str, *, whole: bool = False):
    case = find_case_by_code(db.session, code, whole=whole)
    if case is None or case.id not in _authorised_case_ids():
        return None
    return case


def _no_code_asked() -> bool:
    return request.method == "GET" and not request.args.get("code", "").strip()


# One budget for looking codes up, with or without the key: the code-only status page is rate-limited like the
# POST, so that nobody lists the cases by walking the series. Opening the empty page costs nothing.
_tracking_budget = limiter.shared_limit(_tracking_limit, scope="track", exempt_when=_no_code_asked)


@bp.route("/track", methods=["GET"])
@_tracking_budget
def track():
    """The code alone: status and dates, never the type or anything else. A corruption or gift report answers
    exactly as an unknown code does: its key is needed."""
    form = TrackForm()
    code = tracking.normalise_code(request.args.get("code", ""))
    case = None
    if code:
        form.code.data = code
        case = find_case_by_code(db.session, code)
        if case is not None and case.id in _authorised_case_ids():
            return redirect(url_for("public.tracked_case", code=case.tracking_code))
        if case is not None and case.confidential:
            case = None
    return render_template("public/track.html", form=form, code=code, case=case, tracked=_tracked_cases())


def _tracked_cases() -> list:
    """The cases this browser opened with their key (newest first): a phone remembers its cases."""
    ids = _authorised_case_ids()
    if not ids:
        return []
    found = {c.id: c for c in db.session.scalars(select(Case).where(Case.id.in_(ids)))}
    return [found[i] for i in reversed(ids) if i in found]


@bp.route("/track", methods=["POST"])
@_tracking_budget
def track_with_key():
    form = TrackForm()
    if not form.validate_on_submit():
        return render_template("public/track.html", form=form, code="", case=None, tracked=_tracked_cases()), 422
    case = find_case_by_code(db.session, form.code.data)
    if case is None or not tracking.key_matches(form.key.data, case.receipt_key_hash):
        # One message for both: a wrong code must not tell that the code exists.
        form.key.errors = [_("The tracking code and receipt key do not match. Check both and try again.")]
        return render_template("public/track.html", form=form, code="", case=None, tracked=_tracked_cases()), 422
    _authorise(case.id)
    return redirect(url_for("public.tracked_case", code=case.tracking_code))


@bp.route("/track/<code>")
def tracked_case(code):
    case = _case_for_key_holder(code, whole=True)
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
@limiter.limit(_information_limit, deduct_when=_saved)
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
                files.append(clean_uploaded(upload.filename, upload.read()))
            except DomainError as error:
                form.media.errors = list(form.media.errors) + [error.message]
        if not form.media.errors:
            with saving(form, done=_("Thank you. Your information has been added to the case.")) as saved:
                add_citizen_information(db.session, find_case_by_code(db.session, code), form.note.data or "", files)
            if saved:
                return redirect(url_for("public.tracked_case", code=case.tracking_code))
    return _render_case(case, info_form=form, status=422)


@bp.route("/track/<code>/rating", methods=["POST"])
def rate(code):
    case = _case_for_key_holder(code) or abort(404)
    form = RatingForm()
    if form.validate_on_submit():
        with saving(form, done=_("Thank you for rating our service.")) as saved:
            workflow.rate(db.session, find_case_by_code(db.session, code), int(form.score.data), form.resolved.data,
                          form.comment.data or "")
        if saved:
            return redirect(url_for("public.tracked_case", code=case.tracking_code))
    return _render_case(case, rating_form=form, status=422)


@bp.route("/track/<code>/reopen", methods=["POST"])
def reopen(code):
    case = _case_for_key_holder(code) or abort(404)
    form = ReopenForm()
    if form.validate_on_submit():
        with saving(form, done=_("The case has been reopened; the division has been told.")) as saved:
            workflow.citizen_requests_reopen(db.session, find_case_by_code(db.session, code), form.reason.data,
                                             current_app.config["REOPEN_WITHIN_DAYS"])
        if saved:
            return redirect(url_for("public.tracked_case", code=case.tracking_code))
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
    try:
        can_write(db.session)
    except SQLAlchemyError:
        # Read-only (a full disk, a standby, a read-only mount): pages show, but nothing can be filed.
        return {"status": "error", "database": "read-only"}, 503
    return {"status": "ok", "database": "ok", "reference_data": divisions is not None}, 200
