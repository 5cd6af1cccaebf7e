"""The queue, a case and its actions, its files, and recording cases that came by another channel.

Thin views: parse, call the domain (:mod:`eservice.domain.case_actions`, :mod:`eservice.domain.policy`),
commit, redirect. A case the user may not see is a 404 and an audit entry, whether it exists or not.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from ..auth import roles_required
from ..database import begin_write
from ..domain import audit, canned_replies, case_actions, case_types, clock, policy, workflow
from ..domain import queue as queue_domain
from ..domain.errors import DomainError
from ..domain.filing import file_case, filing_digest, find_by_submission_token, find_case_by_code, load_event_files
from ..domain.thai import bangkok_today
from ..domain.uploads import ACCEPT_ATTRIBUTE, ALLOWED_TYPES
from ..extensions import db
from ..form_errors import show_domain_error
from ..intake import staff_intake_form
from ..models import Attachment, Case, Category, Channel, Division, User, Village
from ..models.reference import village_label
from . import bp
from .account import client_ip
from .forms import (
    AssignForm,
    DuplicateForm,
    NoteForm,
    PriorityForm,
    QueueFilterForm,
    RejectForm,
    ReopenForm,
    ReplyForm,
    RequestInfoForm,
    ResolveForm,
    RevealForm,
    StatusNoteForm,
    TransferForm,
    as_choices,
)


def _user() -> User:
    return current_user._get_current_object()


# --- the queue -------------------------------------------------------------------------------------


def _choices_for_queue(form: QueueFilterForm, user: User) -> None:
    locale = str(_locale())
    form.status.choices = as_choices(
        [("open", _l("Open (all open statuses)")), ("all", _l("All"))] + list(workflow.STATUS_LABELS.items())
    )
    types = [t for t in case_types.CASE_TYPES.values() if not t.confidential or user.has_role("integrity")]
    form.case_type.choices = as_choices([("", _l("All types"))] + [(t.code, t.short) for t in types])

    categories = db.session.scalars(select(Category).order_by(Category.sort_order, Category.id)).all()
    seen_divisions = _visible_division_ids(user)
    form.category.choices = as_choices(
        [("", _l("All categories"))] + [(c.code, c.name(locale)) for c in categories if c.division_id in seen_divisions]
    )
    channels = db.session.scalars(select(Channel).order_by(Channel.sort_order)).all()
    form.channel.choices = as_choices([("", _l("All channels"))] + [(c.code, c.name(locale)) for c in channels])
    villages = db.session.scalars(select(Village).order_by(Village.number)).all()
    form.village.choices = as_choices(
        [("", _l("All villages"))] + [(str(v.id), village_label(v, locale)) for v in villages]
    )
    divisions = db.session.scalars(select(Division).order_by(Division.sort_order, Division.id)).all()
    form.division.choices = as_choices(
        [("", _l("All my divisions"))] + [(str(d.id), d.name(locale)) for d in divisions if d.id in seen_divisions]
    )
    form.assigned.choices = as_choices([("", _l("Anyone")), ("me", _l("Assigned to me")), ("none", _l("Unassigned"))])
    form.due.choices = as_choices([("", _l("Any date")), ("soon", _l("Due soon")), ("overdue", _l("Overdue"))])


def _locale():
    from ..i18n import current_locale

    return current_locale()


def _visible_division_ids(user: User) -> set[int]:
    """Divisions whose cases may appear in the user's queue (for the filter lists)."""
    divisions = db.session.scalars(select(Division)).all()
    ids = set()
    for d in divisions:
        if d.is_integrity_unit:
            if user.has_role("integrity"):
                ids.add(d.id)
        elif user.has_role("executive") or d.id in policy.division_ids(user):
            ids.add(d.id)
    return ids


def _chosen(field) -> str:
    """The value of a filter if it is one of its choices, else its default: a doctored URL filters nothing."""
    values = {str(choice.value) for choice in field.choices}
    raw = request.args.get(field.name, field.default or "")
    return raw if raw in values else (field.default or "")


def _filters_from(form: QueueFilterForm) -> queue_domain.QueueFilters:
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    village, division = _chosen(form.village), _chosen(form.division)
    for field in (form.status, form.case_type, form.category, form.channel, form.village, form.division,
                  form.assigned, form.due):
        field.data = _chosen(field)
    return queue_domain.QueueFilters(
        status=_chosen(form.status) or "open",
        case_type=_chosen(form.case_type),
        category=_chosen(form.category),
        channel=_chosen(form.channel),
        village=int(village) if village else None,
        division=int(division) if division else None,
        assigned=_chosen(form.assigned),
        due=_chosen(form.due),
        q=(request.args.get("q") or "").strip()[:100],
        page=page,
    )


@bp.route("/")
@roles_required(*policy.STAFF_ROLES)
def queue():
    user = _user()
    form = QueueFilterForm(request.args)
    _choices_for_queue(form, user)
    filters = _filters_from(form)
    today = bangkok_today()
    result = queue_domain.load(db.session, user, filters, today,
                               per_page=current_app.config["STAFF_QUEUE_PER_PAGE"])
    states = queue_domain.deadline_states(result.items, today, db.session)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    filtering = any(k in args for k in ("case_type", "category", "channel", "village", "division", "assigned", "due"))
    return render_template(
        "staff/queue.html",
        form=form,
        filters=filters,
        result=result,
        states=states,
        args=args,
        filtering=filtering,
        show_division=len(_visible_division_ids(user)) > 1,
        status_order=("open", *workflow.OPEN_STATUSES, *workflow.FINISHED_STATUSES),
        can_record=policy.can_record_cases(user),
    )


# --- one case ----------------------------------------------------------------------------------------


def _deny(code: str, what: str):
    """Not visible: the same 404 whether the case exists or not, and an audit entry."""
    db.session.rollback()
    begin_write(db.session)
    case_actions.record_denied(db.session, _user(), code=code, ip=client_ip(), what=what)
    db.session.commit()
    abort(404)


def _visible_case(code: str, what: str = "case") -> Case:
    case = find_case_by_code(db.session, code)
    if case is None or not policy.can_view_case(_user(), case):
        _deny(code, what)
    return case


def _record_view(case: Case, what: str) -> Case:
    """Opening a confidential case is an event and an audit entry, committed before anything is shown."""
    if not case.confidential:
        return case
    case_id = case.id
    begin_write(db.session)
    case = db.session.get(Case, case_id)
    case_actions.record_view(db.session, case, _user(), ip=client_ip(), what=what)
    db.session.commit()
    return db.session.get(Case, case_id)


@dataclass(frozen=True)
class Action:
    form: type
    run: Callable  # (session, case, user, form, **common) -> CaseEvent
    done: object  # message after success
    slug: str


def _assignee(form) -> User | None:
    value = form.assignee.data or ""
    if not value:
        return None
    user = db.session.get(User, int(value)) if value.isdigit() else None
    if user is None:
        raise DomainError(_l("Choose an officer from the list."), field="assignee")
    return user


def _division(form) -> Division | None:
    value = form.division.data or ""
    return db.session.get(Division, int(value)) if value.isdigit() else None


ACTIONS: dict[str, Action] = {
    "acknowledge": Action(StatusNoteForm, lambda s, c, u, f, **k: case_actions.acknowledge(
        s, c, u, note=f.note.data, **k), _l("The case is acknowledged."), "acknowledge"),
    "start": Action(StatusNoteForm, lambda s, c, u, f, **k: case_actions.start(
        s, c, u, note=f.note.data, **k), _l("Work on the case has started."), "start"),
    "request_info": Action(RequestInfoForm, lambda s, c, u, f, **k: case_actions.request_info(
        s, c, u, question=f.note.data, **k),
        _l("Your question was sent to the citizen; the clock is paused until they answer."), "request-info"),
    "resume": Action(StatusNoteForm, lambda s, c, u, f, **k: case_actions.resume(
        s, c, u, note=f.note.data, **k), _l("Work on the case has resumed; the clock runs again."), "resume"),
    "resolve": Action(ResolveForm, lambda s, c, u, f, **k: case_actions.resolve(
        s, c, u, summary=f.note.data, **k), _l("The case is resolved; the citizen can now rate it."), "resolve"),
    "reject": Action(RejectForm, lambda s, c, u, f, **k: case_actions.reject(
        s, c, u, reason=f.note.data, referred_to=f.referred_to.data, **k), _l("The case is not accepted."),
        "reject"),
    "mark_duplicate": Action(DuplicateForm, lambda s, c, u, f, **k: case_actions.mark_duplicate(
        s, c, u, original_code=f.original_code.data, note=f.note.data, **k),
        _l("The case is merged into the original."), "mark-duplicate"),
    "close": Action(StatusNoteForm, lambda s, c, u, f, **k: case_actions.close(
        s, c, u, note=f.note.data, **k), _l("The case is closed."), "close"),
    "reopen": Action(ReopenForm, lambda s, c, u, f, **k: case_actions.reopen(
        s, c, u, reason=f.note.data, **k), _l("The case is reopened."), "reopen"),
    "reply": Action(ReplyForm, lambda s, c, u, f, **k: case_actions.public_reply(
        s, c, u, text=f.note.data, confirmed=f.confirm.data, **k), _l("Your reply is on the citizen's tracking page."),
        "reply"),
    "note": Action(NoteForm, lambda s, c, u, f, **k: case_actions.internal_note(
        s, c, u, text=f.note.data, **k), _l("Internal note added."), "note"),
    "assign": Action(AssignForm, lambda s, c, u, f, **k: case_actions.assign(
        s, c, u, assignee=_assignee(f), **k), _l("Assignment changed."), "assign"),
    "transfer": Action(TransferForm, lambda s, c, u, f, **k: case_actions.transfer(
        s, c, u, division=_division(f), reason=f.reason.data, **k),
        _l("The case is transferred; the other division sees it now."), "transfer"),
    "priority": Action(PriorityForm, lambda s, c, u, f, **k: case_actions.set_priority(
        s, c, u, priority=f.priority.data, **k), _l("Priority changed."), "priority"),
    "reveal": Action(RevealForm, lambda s, c, u, f, **k: case_actions.reveal_identity(
        s, c, u, reason=f.reason.data, **k), _l("The reporter's identity is revealed; your reason is recorded."),
        "reveal-identity"),
}
# The usual next step from each status, shown first and most prominently.
NEXT_STEP = {"received": "acknowledge", "acknowledged": "start", "in_progress": "resolve",
             "awaiting_citizen": "resume", "resolved": "close"}
STATUS_ACTIONS = ("acknowledge", "start", "request_info", "resume", "resolve", "reject", "mark_duplicate", "close",
                  "reopen")


def available_actions(user: User, case: Case) -> list[str]:
    """The actions to offer on the page (the domain checks each again when it is sent)."""
    if not policy.can_act_on_case(user, case):
        return []
    possible = set(workflow.allowed_actions(case))
    names = [name for name in STATUS_ACTIONS if name in possible]
    if case.status != "closed":
        names.append("reply")
    names.append("note")
    if case.status in workflow.OPEN_STATUSES:
        names += ["assign", "priority"]
        if not case.confidential:
            names.append("transfer")
    if policy.can_reveal_identity(user, case) and not policy.identity_revealed(case):
        names.append("reveal")
    return names


def _prepare(name: str, form, case: Case, user: User) -> None:
    """Choices that depend on the case and the user."""
    locale = _locale()
    if name == "assign":
        people = policy.assignable_users(db.session, case)
        if not policy.can_assign_others(user, case):
            people = [p for p in people if p.id == user.id]
        form.assignee.choices = as_choices(
            [("", _l("— nobody —"))] + [(str(p.id), p.display_name or p.username) for p in people]
        )
        form.assignee.validate_choice = False  # the domain says why a choice is refused, in the page's language
        if not form.is_submitted() or form.assignee.data is None:
            form.assignee.data = str(case.assigned_to_id or "")
    elif name == "transfer":
        form.division.choices = as_choices(
            [("", _l("— choose —"))]
            + [(str(d.id), d.name(locale)) for d in case_actions.transfer_targets(db.session, case)]
        )
        form.division.validate_choice = False
    elif name == "priority":
        form.priority.validate_choice = False
        if form.priority.data is None or not form.is_submitted():
            form.priority.data = case.priority


def _new_form(name: str, case: Case, user: User):
    form = ACTIONS[name].form(prefix=name, formdata=None)
    form.version.data = str(case.version)
    _prepare(name, form, case, user)
    return form


def _timeline_people(case: Case) -> dict[int, User]:
    ids = {e.actor_id for e in case.events if e.actor_id}
    for event in case.events:
        if event.kind == "assign" and event.data:
            ids.update(i for i in (event.data.get("from"), event.data.get("to")) if i)
    if case.assigned_to_id:
        ids.add(case.assigned_to_id)
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


def _timeline_divisions(case: Case) -> dict[int, Division]:
    ids = set()
    for event in case.events:
        if event.kind == "transfer" and event.data:
            ids.update(i for i in (event.data.get("from"), event.data.get("to")) if i)
    return {d.id: d for d in db.session.scalars(select(Division).where(Division.id.in_(ids)))} if ids else {}


def render_case(case: Case, *, submitted: dict | None = None, open_action: str | None = None, status: int = 200):
    user = _user()
    submitted = submitted or {}
    names = available_actions(user, case)
    forms = {}
    for name in names:
        if name in submitted:
            forms[name] = submitted[name]
            _prepare(name, forms[name], case, user)
        else:
            forms[name] = _new_form(name, case, user)
    today = bangkok_today()
    holidays = clock.holidays_from(db.session, today)
    duplicates = case_actions.extra_reports(db.session, case)
    load_event_files(db.session, case)
    events = [e for e in case.events if e.kind != "view"]
    views = [e for e in case.events if e.kind == "view"]
    return render_template(
        "staff/case.html",
        case=case,
        forms=forms,
        actions=ACTIONS,
        open_action=open_action,
        primary_action=NEXT_STEP.get(case.status),
        can_act=policy.can_act_on_case(user, case),
        can_see_identity=policy.can_see_identity(user, case),
        revealed=policy.identity_revealed(case),
        state=clock.deadline_state(case, today, holidays),
        resolve_due_now=clock.resolve_due_as_of(case, today, holidays),
        events=events,
        views=views,
        people=_timeline_people(case),
        divisions=_timeline_divisions(case),
        duplicates=[d for d in duplicates if policy.can_view_case(user, d)],
        duplicate_count=len(duplicates),
        canned=canned_replies.replies_for_case(db.session, user, case) if "reply" in forms else [],
        original_visible=case.duplicate_of is not None and policy.can_view_case(user, case.duplicate_of),
    ), status


@bp.route("/cases/<code>")
@roles_required(*policy.STAFF_ROLES)
def case(code):
    case = _visible_case(code)
    case = _record_view(case, "case")
    return render_case(case)


def _act(name: str, code: str):
    user = _user()
    spec = ACTIONS[name]
    begin_write(db.session)  # from here on no other writer interleaves (SQLite); PostgreSQL: version check
    case = find_case_by_code(db.session, code)
    if case is None or not policy.can_view_case(user, case):
        _deny(code, name)
    if not policy.can_act_on_case(user, case):
        case_actions.record_denied(db.session, user, code=code, ip=client_ip(), what=name)
        db.session.commit()
        abort(403)
    form = spec.form(prefix=name)
    _prepare(name, form, case, user)
    case_id = case.id
    if not form.validate_on_submit():
        db.session.rollback()
        case = db.session.get(Case, case_id)
        return render_case(case, submitted={name: form}, open_action=name, status=422)
    try:
        spec.run(db.session, case, user, form, ip=client_ip(), expected_version=form.expected_version)
        db.session.commit()
    except case_actions.StaleCase as error:
        return _stale(case_id, name, form, error.message)
    except StaleDataError:
        return _stale(case_id, name, form, case_actions.stale_message())
    except DomainError as error:
        db.session.rollback()
        case = db.session.get(Case, case_id)
        target = getattr(form, error.field or "", None)
        if target is not None and error.field != "version":
            target.errors = list(target.errors) + [error.message]
        else:
            flash(error.message, "error")
        return render_case(case, submitted={name: form}, open_action=name, status=422)
    except SQLAlchemyError:
        db.session.rollback()
        raise
    flash(spec.done, "success")
    return redirect(url_for("staff.case", code=code) + "#timeline")


def _stale(case_id: int, name: str, form, message):
    """Someone else acted first: show the case as it is now, keep what the officer typed, and let them
    send it again knowingly (the form now carries the current version)."""
    db.session.rollback()
    case = db.session.get(Case, case_id)
    flash(message, "error")
    form.version.data = str(case.version)
    return render_case(case, submitted={name: form}, open_action=name, status=409)


def _register_action(name: str, action: Action) -> None:
    def view(code):
        return _act(name, code)

    view.__name__ = f"action_{name}"
    guarded = roles_required(*policy.STAFF_ROLES)(view)
    bp.add_url_rule(f"/cases/<code>/{action.slug}", endpoint=f"action_{name}", view_func=guarded, methods=["POST"])


for _name, _action in ACTIONS.items():
    _register_action(_name, _action)


# --- files ------------------------------------------------------------------------------------------


@bp.route("/cases/<code>/files/<int:attachment_id>")
@roles_required(*policy.STAFF_ROLES)
def attachment(code, attachment_id):
    case = _visible_case(code, "file")
    item = db.session.get(Attachment, attachment_id)
    if item is None or item.case_id != case.id:
        _deny(code, f"file:{attachment_id}")
    case = _record_view(case, f"file:{attachment_id}")
    item = db.session.get(Attachment, attachment_id)
    known = item.content_type in ALLOWED_TYPES
    mimetype = item.content_type if known else "application/octet-stream"
    inline = known and mimetype.startswith("image/")
    from flask import send_file

    response = send_file(io.BytesIO(item.data), mimetype=mimetype, as_attachment=not inline,
                         download_name=item.filename)
    # Even a file that slipped past the checks cannot run script in our origin.
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- cases that came another way ------------------------------------------------------------------------


@bp.route("/record")
@roles_required(*policy.RECORDING_ROLES)
def record_choose():
    return render_template(
        "staff/record_choose.html",
        general_types=[case_types.CASE_TYPES[c] for c in case_types.GENERAL_TYPES],
        integrity_types=[case_types.CASE_TYPES[c] for c in case_types.INTEGRITY_TYPES],
    )


@bp.route("/record/<case_type>", methods=["GET", "POST"])
@roles_required(*policy.RECORDING_ROLES)
def record(case_type):
    kind = case_types.get_case_type(case_type)
    if kind is None:
        abort(404)
    form = staff_intake_form(case_type)

    def again(status):
        return render_template("staff/record.html", form=form, kind=kind, accept=ACCEPT_ATTRIBUTE,
                               today_iso=bangkok_today().isoformat()), status

    if not form.validate_on_submit():
        return again(422 if form.is_submitted() else 200)
    earlier = find_by_submission_token(db.session, form.submission_token.data)
    if earlier is not None:
        # Sent twice (a double click, a refresh): one case, and the key is not shown again.
        return render_template("staff/already_recorded.html", case=earlier,
                               can_open=policy.can_view_case(_user(), earlier))
    intake = form.to_intake()
    user = _user()
    try:
        begin_write(db.session)
        filed = file_case(db.session, intake, actor=user)
        audit.record(db.session, "case.file", actor=user, ip_address=client_ip(), target_type="case",
                     target_id=filed.case.tracking_code,
                     details={"case_id": filed.case.id, "channel": intake.channel_code, "type": case_type})
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        show_domain_error(form, error)
        return again(422)
    case = filed.case
    return render_template("staff/receipt.html", case=case, receipt_key=filed.receipt_key,
                           digest=filing_digest(case), can_open=policy.can_view_case(user, case))
