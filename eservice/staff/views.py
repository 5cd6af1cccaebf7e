"""The queue, a case and its actions, its files, and recording cases that came by another channel.

Thin views: parse, call the domain (:mod:`eservice.domain.case_actions`, :mod:`eservice.domain.policy`),
commit, redirect. A case the user may not see is a 404 and an audit entry, whether it exists or not.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import InternalError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from ..auth import permission_required
from ..database import begin_write
from ..domain import actions, canned_replies, case_actions, case_types, clock, policy, statuses
from ..domain import queue as queue_domain
from ..domain.errors import DomainError
from ..domain.filing import AlreadyFiled, file_case, filing_digest, find_case_by_code, load_event_files
from ..domain.thai import bangkok_today
from ..domain.uploads import ACCEPT_ATTRIBUTE, ALLOWED_TYPES
from ..extensions import db
from ..input_guard import bounded_int
from ..intake import staff_intake_form
from ..models import Attachment, Case, Category, Channel, Division, User, Village
from ..models.reference import village_label
from ..web import acting, client_ip, saving
from . import bp
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
        [("open", _l("Open (all open statuses)")), ("all", _l("All"))]
        + [(status, status.label) for status in statuses.ALL]
    )
    types = [t for t in case_types.CASE_TYPES.values() if not t.confidential or policy.can_see_confidential(user)]
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
    return policy.visible_division_ids(db.session, user)


def _chosen(field) -> str:
    """The value of a filter if it is one of its choices, else its default: a doctored URL filters nothing."""
    values = {str(choice.value) for choice in field.choices}
    raw = request.args.get(field.name, field.default or "")
    return raw if raw in values else (field.default or "")


def _filters_from(form: QueueFilterForm) -> queue_domain.QueueFilters:
    page = bounded_int(request.args.get("page"), 1, low=1, high=10**6)
    village, division = _chosen(form.village), _chosen(form.division)
    for field in (form.status, form.case_type, form.category, form.channel, form.village, form.division,
                  form.assigned, form.due):
        field.data = _chosen(field)
    return queue_domain.QueueFilters(
        status=_chosen(form.status) or "open",
        case_type=_chosen(form.case_type),
        category=_chosen(form.category),
        channel=_chosen(form.channel),
        village=bounded_int(village),
        division=bounded_int(division),
        assigned=_chosen(form.assigned),
        due=_chosen(form.due),
        q=(request.args.get("q") or "").strip()[:100],
        page=page,
    )


@bp.route("/")
@permission_required(policy.can_use_workspace)
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
        status_order=("open", *statuses.OPEN_STATUSES, *statuses.FINISHED_STATUSES),
        can_record=policy.can_record_cases(user),
    )


# --- one case ----------------------------------------------------------------------------------------


def _deny(code: str, what: str):
    """Not visible: the same 404 whether the case exists or not, and an audit entry."""
    db.session.rollback()
    with saving():
        case_actions.record_denied(db.session, _user(), code=code, ip=client_ip(), what=what)
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
    with saving():
        case_actions.record_view(db.session, db.session.get(Case, case_id), _user(), ip=client_ip(), what=what)
    return db.session.get(Case, case_id)


@dataclass(frozen=True)
class ActionForm:
    """How staff send one registry action from the case page: its form, and how its fields reach the domain."""

    form: type
    run: Callable  # (session, case, user, form, **common) -> CaseEvent


def _assignee(form) -> User | None:
    value = form.assignee.data or ""
    if not value:
        return None
    user_id = bounded_int(value)
    user = db.session.get(User, user_id) if user_id else None
    if user is None:
        raise DomainError(_l("Choose an officer from the list."), field="assignee")
    return user


def _division(form) -> Division | None:
    value = form.division.data or ""
    division_id = bounded_int(value)
    return db.session.get(Division, division_id) if division_id else None


# By ``staff_name`` in the registry (eservice.domain.actions), which gives each its slug, button and message.
ACTION_FORMS: dict[str, ActionForm] = {
    "acknowledge": ActionForm(StatusNoteForm, lambda s, c, u, f, **k: case_actions.acknowledge(
        s, c, u, note=f.note.data, **k)),
    "start": ActionForm(StatusNoteForm, lambda s, c, u, f, **k: case_actions.start(s, c, u, note=f.note.data, **k)),
    "request_info": ActionForm(RequestInfoForm, lambda s, c, u, f, **k: case_actions.request_info(
        s, c, u, question=f.note.data, **k)),
    "resume": ActionForm(StatusNoteForm, lambda s, c, u, f, **k: case_actions.resume(s, c, u, note=f.note.data, **k)),
    "resolve": ActionForm(ResolveForm, lambda s, c, u, f, **k: case_actions.resolve(
        s, c, u, summary=f.note.data, **k)),
    "reject": ActionForm(RejectForm, lambda s, c, u, f, **k: case_actions.reject(
        s, c, u, reason=f.note.data, referred_to=f.referred_to.data, **k)),
    "mark_duplicate": ActionForm(DuplicateForm, lambda s, c, u, f, **k: case_actions.mark_duplicate(
        s, c, u, original_code=f.original_code.data, note=f.note.data, **k)),
    "close": ActionForm(StatusNoteForm, lambda s, c, u, f, **k: case_actions.close(s, c, u, note=f.note.data, **k)),
    "reopen": ActionForm(ReopenForm, lambda s, c, u, f, **k: case_actions.reopen(s, c, u, reason=f.note.data, **k)),
    "reply": ActionForm(ReplyForm, lambda s, c, u, f, **k: case_actions.public_reply(
        s, c, u, text=f.note.data, confirmed=f.confirm.data, **k)),
    "note": ActionForm(NoteForm, lambda s, c, u, f, **k: case_actions.internal_note(s, c, u, text=f.note.data, **k)),
    "assign": ActionForm(AssignForm, lambda s, c, u, f, **k: case_actions.assign(
        s, c, u, assignee=_assignee(f), **k)),
    "transfer": ActionForm(TransferForm, lambda s, c, u, f, **k: case_actions.transfer(
        s, c, u, division=_division(f), reason=f.reason.data, **k)),
    "priority": ActionForm(PriorityForm, lambda s, c, u, f, **k: case_actions.set_priority(
        s, c, u, priority=f.priority.data, **k)),
    "reveal": ActionForm(RevealForm, lambda s, c, u, f, **k: case_actions.reveal_identity(
        s, c, u, reason=f.reason.data, **k)),
}
if set(ACTION_FORMS) != set(actions.STAFF_ACTIONS):  # checked at import, also under python -O
    raise RuntimeError("every staff action in the registry needs its form in ACTION_FORMS")


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
    form = ACTION_FORMS[name].form(prefix=name, formdata=None)
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
    names = case_actions.available_actions(user, case)
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
    events = [e for e in case.events if e.kind != actions.VIEW.kind]
    views = [e for e in case.events if e.kind == actions.VIEW.kind]
    return render_template(
        "staff/case.html",
        case=case,
        forms=forms,
        actions=actions.STAFF_ACTIONS,
        open_action=open_action,
        primary_action=actions.NEXT_STEP.get(case.status),
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
@permission_required(policy.can_use_workspace)
def case(code):
    case = _visible_case(code)
    case = _record_view(case, "case")
    return render_case(case)


def _act(name: str, code: str):
    user = _user()
    spec = ACTION_FORMS[name]
    begin_write(db.session)  # from here on no other writer interleaves (SQLite); PostgreSQL: version check
    case = find_case_by_code(db.session, code)
    if case is None or not policy.can_view_case(user, case):
        _deny(code, name)
    if not policy.can_act_on_case(user, case):
        with saving():
            case_actions.record_denied(db.session, user, code=code, ip=client_ip(), what=name)
        abort(403)
    form = spec.form(prefix=name)
    _prepare(name, form, case, user)
    case_id = case.id
    if not form.validate_on_submit():
        db.session.rollback()
        case = db.session.get(Case, case_id)
        return render_case(case, submitted={name: form}, open_action=name, status=422)
    with saving(form, done=actions.STAFF_ACTIONS[name].done) as saved:
        case = db.session.get(Case, case_id)
        try:
            spec.run(db.session, case, user, form, ip=client_ip(), expected_version=form.expected_version)
            db.session.flush()
        except StaleDataError:
            raise case_actions.StaleCase(case_actions.stale_message()) from None
    if saved:
        return redirect(url_for("staff.case", code=code) + "#timeline")
    case = db.session.get(Case, case_id)
    if isinstance(saved.error, case_actions.StaleCase):
        # Someone else acted first: show the case as it is now, keep what the officer typed, and let them
        # send it again knowingly (the form now carries the current version).
        form.version.data = str(case.version)
        return render_case(case, submitted={name: form}, open_action=name, status=409)
    return render_case(case, submitted={name: form}, open_action=name, status=422)


def _register_action(name: str, slug: str) -> None:
    def view(code):
        return _act(name, code)

    view.__name__ = f"action_{name}"
    guarded = permission_required(policy.can_use_workspace)(view)
    bp.add_url_rule(f"/cases/<code>/{slug}", endpoint=f"action_{name}", view_func=guarded, methods=["POST"])


for _name, _action in actions.STAFF_ACTIONS.items():
    _register_action(_name, _action.slug)


# --- files ------------------------------------------------------------------------------------------


@bp.route("/cases/<code>/files/<int:attachment_id>")
@permission_required(policy.can_use_workspace)
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
@permission_required(policy.can_record_cases)
def record_choose():
    return render_template(
        "staff/record_choose.html",
        general_types=[case_types.CASE_TYPES[c] for c in case_types.GENERAL_TYPES],
        integrity_types=[case_types.CASE_TYPES[c] for c in case_types.INTEGRITY_TYPES],
    )


@bp.route("/record/<case_type>", methods=["GET", "POST"])
@permission_required(policy.can_record_cases)
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
    intake = form.to_intake()
    user = _user()
    try:
        with saving(form) as saved:
            filed = file_case(db.session, intake, by=acting())
    except AlreadyFiled as earlier:
        # Sent twice (a double click, a refresh): one case, and the key is not shown again.
        case = db.session.get(Case, earlier.case_id)
        return render_template("staff/already_recorded.html", case=case, can_open=policy.can_view_case(user, case))
    except (OperationalError, InternalError):
        current_app.logger.exception("A recorded case could not be saved")
        db.session.rollback()
        flash(_("The case was NOT recorded: the database could not be written. What you typed is below; "
                "send it again in a few minutes."), "error")
        return again(503)
    if not saved:
        return again(422)
    case = filed.case
    return render_template("staff/receipt.html", case=case, receipt_key=filed.receipt_key,
                           digest=filing_digest(case), can_open=policy.can_view_case(user, case))
