"""Administration pages: organisation, divisions, categories, villages, channels, holidays, users and the
audit log. Thin views: parse, call the domain (which audits the change) in one unit of work, redirect."""

import json

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from ..auth import permission_required
from ..domain import administration as admin_rules
from ..domain import audit, days_off, integrity_membership, policy, roles
from ..domain.case_types import CASE_TYPES
from ..domain.errors import DomainError
from ..domain.organisation import current as current_organisation
from ..domain.roles import Role
from ..domain.thai import bangkok_today
from ..extensions import db
from ..i18n import current_locale
from ..input_guard import bounded_int
from ..models import (
    CalendarYear,
    Case,
    Category,
    Channel,
    Division,
    Holiday,
    HolidaySource,
    Organisation,
    User,
    Village,
)
from ..models.reference import village_label
from ..web import acting, saving
from . import bp
from .forms import (
    AuditFilterForm,
    CategoryForm,
    ChannelForm,
    DivisionForm,
    HolidayForm,
    HolidayImportForm,
    HolidaySyncForm,
    LogoForm,
    OrganisationForm,
    PasswordForm,
    PublishedTextsForm,
    UserForm,
    VillageForm,
)

AUDIT_PAGE_SIZE = 50


class ImportRefused(DomainError):
    """A holiday file with wrong lines: nothing is added; the page lists every line at fault."""

    def __init__(self) -> None:
        super().__init__("", field="_import_lines")


def _organisation() -> Organisation:
    org = current_organisation(db.session)
    if org is None:
        abort(404)
    return org


def _status(form) -> int:
    return 422 if form.is_submitted() else 200


def _save_reference_row(model, row_id, form, save, saved_message, list_endpoint: str):
    """Save one row of reference data (``save(current)`` applies the rules and audits, returning (row,
    changes)) and go back to its list; None when a rule refused it (its message is then on the form)."""
    with saving(form, done=saved_message) as saved:
        current = db.session.get(model, row_id) if row_id else None
        _row, changes = save(current)
        if not changes:
            saved.say(_("Nothing was changed."))
    return redirect(url_for(list_endpoint)) if saved else None


@bp.route("/")
@permission_required(policy.can_open_administration)
def index():
    counts = {
        "divisions": db.session.scalar(select(func.count()).select_from(Division)),
        "categories": db.session.scalar(select(func.count()).select_from(Category).where(Category.active.is_(True))),
        "users": db.session.scalar(select(func.count()).select_from(User).where(User.active.is_(True))),
        "holidays": db.session.scalar(select(func.count()).select_from(Holiday).where(
            Holiday.day >= bangkok_today(), days_off.days_off_clause())),
    }
    return render_template(
        "admin/index.html",
        counts=counts,
        is_admin=policy.can_administer(current_user),
        stats_url=url_for("statistics.admin_stats"),
        canned_url=url_for("staff.canned_list"),
    )


# --- organisation ---------------------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
@permission_required(policy.can_administer)
def settings():
    org = _organisation()
    form = OrganisationForm(obj=org)
    logo_form = LogoForm(prefix="logo")
    if form.validate_on_submit():
        data = admin_rules.OrganisationInput(**{name: getattr(form, name).data or "" for name in (
            "name_th", "name_en", "address_th", "address_en", "phone", "email", "website", "line_id", "line_url",
            "facebook_name", "facebook_url", "office_hours_th", "office_hours_en",
            "executive_title_th", "executive_title_en",
            "tracking_prefix")}, in_use_since=form.in_use_since.data)
        with saving(form, done=_("Settings saved.")) as saved:
            if not admin_rules.save_organisation(db.session, _organisation(), data, by=acting()):
                saved.say(_("Nothing was changed."))
        if saved:
            return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form, logo_form=logo_form, org=_organisation()), _status(form)


@bp.route("/settings/logo", methods=["POST"])
@permission_required(policy.can_administer)
def logo_upload():
    form = LogoForm(prefix="logo")
    _organisation()  # 404 before the service is set up
    if form.validate_on_submit():
        if form.remove.data:
            with saving(form, done=_("The logo was removed.")) as saved:
                admin_rules.remove_logo(db.session, _organisation(), by=acting())
        else:
            upload = form.logo.data
            data = upload.read() if upload and getattr(upload, "filename", "") else b""
            with saving(form, done=_("The new logo is in place.")) as saved:
                admin_rules.set_logo(db.session, _organisation(), data, by=acting())
        if saved:
            return redirect(url_for("admin.settings"))
    org_form = OrganisationForm(obj=_organisation(), formdata=None)
    return render_template("admin/settings.html", form=org_form, logo_form=form, org=_organisation()), 422


@bp.route("/texts", methods=["GET", "POST"])
@permission_required(policy.can_administer)
def published_texts():
    org = _organisation()
    form = PublishedTextsForm(obj=org)
    if form.validate_on_submit():
        with saving(form, done=_("The published texts were saved.")) as saved:
            if not admin_rules.save_published_texts(
                    db.session, _organisation(), service_standard_th=form.service_standard_th.data,
                    service_standard_en=form.service_standard_en.data,
                    pdpa_notice_th=form.pdpa_notice_th.data, pdpa_notice_en=form.pdpa_notice_en.data, by=acting()):
                saved.say(_("Nothing was changed."))
        if saved:
            return redirect(url_for("admin.published_texts"))
    return render_template("admin/texts.html", form=form), _status(form)


# --- divisions ------------------------------------------------------------------------------------


def _division_choices(form: DivisionForm, current: Division | None) -> None:
    locale = current_locale()
    divisions = db.session.scalars(select(Division).order_by(Division.sort_order, Division.id)).all()
    form.parent_id.choices = [SelectChoice("", _l("— none —"))] + [
        SelectChoice(str(d.id), d.name(locale)) for d in divisions if current is None or d.id != current.id
    ]


def _confidential_counted() -> bool:
    return policy.sees_exact_integrity_statistics(current_user)


def _case_counts(column) -> dict:
    """Cases per division, category or channel beside the reference lists. Corruption and gift reports
    count only for the integrity role: a count that moves by one would tell anyone else of a new report
    (and where it came in) that the statistics withhold (eservice.domain.integrity_figures)."""
    statement = select(column, func.count()).group_by(column)
    if not _confidential_counted():
        statement = statement.where(Case.confidential.is_(False))
    return dict(db.session.execute(statement).all())


@bp.route("/divisions")
@permission_required(policy.can_administer)
def divisions():
    rows = db.session.scalars(select(Division).order_by(Division.sort_order, Division.id)).all()
    case_counts = _case_counts(Case.division_id)
    return render_template("admin/divisions.html", divisions=rows, case_counts=case_counts,
                           confidential_counted=_confidential_counted())


@bp.route("/divisions/new", methods=["GET", "POST"], defaults={"division_id": None})
@bp.route("/divisions/<int:division_id>", methods=["GET", "POST"])
@permission_required(policy.can_administer)
def division_edit(division_id):
    division = db.session.get(Division, division_id) if division_id else None
    if division_id and division is None:
        abort(404)
    form = DivisionForm(obj=division)
    if division is not None and not form.is_submitted():
        form.parent_id.data = str(division.parent_id or "")
    _division_choices(form, division)
    if form.validate_on_submit():
        data = admin_rules.DivisionInput(
            code=form.code.data or "", name_th=form.name_th.data, name_en=form.name_en.data or "",
            parent_id=bounded_int(form.parent_id.data),  # only spaces: none, as Optional() lets it by
            is_integrity_unit=form.is_integrity_unit.data, receives_objections=form.receives_objections.data,
            sort_order=form.sort_order.data or 0, active=form.active.data)
        done = _save_reference_row(Division, division_id, form,
                                   lambda current: admin_rules.save_division(db.session, current, data, by=acting()),
                                   _("Division saved."), "admin.divisions")
        if done is not None:
            return done
    division = db.session.get(Division, division_id) if division_id else None
    return render_template("admin/division_form.html", form=form, division=division), _status(form)


# --- categories -----------------------------------------------------------------------------------


def _category_choices(form: CategoryForm) -> None:
    locale = current_locale()
    divisions = db.session.scalars(select(Division).order_by(Division.sort_order, Division.id)).all()
    form.division_id.choices = [SelectChoice("", _l("— choose —"))] + [
        SelectChoice(str(d.id), d.name(locale) + ("" if d.active else " " + _("(inactive)"))) for d in divisions
    ]
    form.case_types.choices = [SelectChoice(code, kind.label) for code, kind in CASE_TYPES.items()]


@bp.route("/categories")
@permission_required(policy.can_administer)
def categories():
    rows = db.session.scalars(
        select(Category).order_by(Category.active.desc(), Category.sort_order, Category.id)).all()
    case_counts = _case_counts(Case.category_id)
    return render_template("admin/categories.html", categories=rows, case_counts=case_counts,
                           confidential_counted=_confidential_counted())


@bp.route("/categories/new", methods=["GET", "POST"], defaults={"category_id": None})
@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@permission_required(policy.can_administer)
def category_edit(category_id):
    category = db.session.get(Category, category_id) if category_id else None
    if category_id and category is None:
        abort(404)
    form = CategoryForm(obj=category)
    _category_choices(form)
    if not form.is_submitted():
        if category is not None:
            form.division_id.data = str(category.division_id)
            form.case_types.data = category.case_types.split()
        else:
            form.case_types.data = ["complaint", "suggestion", "inquiry"]
            form.ack_days.data, form.resolve_days.data = 1, 15
    if form.validate_on_submit():
        data = admin_rules.CategoryInput(
            code=form.code.data or "", division_id=bounded_int(form.division_id.data),
            name_th=form.name_th.data, name_en=form.name_en.data or "", case_types=form.case_types.data or [],
            ack_days=form.ack_days.data, resolve_days=form.resolve_days.data, sort_order=form.sort_order.data or 0,
            active=form.active.data)
        done = _save_reference_row(Category, category_id, form,
                                   lambda current: admin_rules.save_category(db.session, current, data, by=acting()),
                                   _("Category saved."), "admin.categories")
        if done is not None:
            return done
    category = db.session.get(Category, category_id) if category_id else None
    return render_template("admin/category_form.html", form=form, category=category), _status(form)


# --- villages -------------------------------------------------------------------------------------


@bp.route("/villages")
@permission_required(policy.can_administer)
def villages():
    rows = db.session.scalars(select(Village).order_by(Village.number)).all()
    return render_template("admin/villages.html", villages=rows, label=village_label)


@bp.route("/villages/new", methods=["GET", "POST"], defaults={"village_id": None})
@bp.route("/villages/<int:village_id>", methods=["GET", "POST"])
@permission_required(policy.can_administer)
def village_edit(village_id):
    village = db.session.get(Village, village_id) if village_id else None
    if village_id and village is None:
        abort(404)
    form = VillageForm(obj=village)
    if form.validate_on_submit():
        done = _save_reference_row(Village, village_id, form,
                                   lambda current: admin_rules.save_village(
                                       db.session, current, number=form.number.data, name_th=form.name_th.data or "",
                                       name_en=form.name_en.data or "", active=form.active.data, by=acting()),
                                   _("Village saved."), "admin.villages")
        if done is not None:
            return done
    village = db.session.get(Village, village_id) if village_id else None
    return render_template("admin/village_form.html", form=form, village=village), _status(form)


# --- channels -------------------------------------------------------------------------------------


@bp.route("/channels")
@permission_required(policy.can_administer)
def channels():
    rows = db.session.scalars(select(Channel).order_by(Channel.sort_order, Channel.id)).all()
    case_counts = _case_counts(Case.channel_code)
    return render_template("admin/channels.html", channels=rows, case_counts=case_counts,
                           confidential_counted=_confidential_counted())


@bp.route("/channels/new", methods=["GET", "POST"], defaults={"channel_id": None})
@bp.route("/channels/<int:channel_id>", methods=["GET", "POST"])
@permission_required(policy.can_administer)
def channel_edit(channel_id):
    channel = db.session.get(Channel, channel_id) if channel_id else None
    if channel_id and channel is None:
        abort(404)
    form = ChannelForm(obj=channel)
    if form.validate_on_submit():
        done = _save_reference_row(Channel, channel_id, form,
                                   lambda current: admin_rules.save_channel(
                                       db.session, current, code=form.code.data or "", name_th=form.name_th.data,
                                       name_en=form.name_en.data or "", sort_order=form.sort_order.data or 0,
                                       active=form.active.data, by=acting()),
                                   _("Channel saved."), "admin.channels")
        if done is not None:
            return done
    channel = db.session.get(Channel, channel_id) if channel_id else None
    return render_template("admin/channel_form.html", form=form, channel=channel), _status(form)


# --- holidays -------------------------------------------------------------------------------------


def _holiday_year() -> int:
    """The calendar year (C.E.) shown; ``?year=`` may be B.E. or C.E."""
    raw = request.args.get("year", "")
    if raw.isdecimal():
        year = int(raw)
        year = year - 543 if year > 2400 else year
        if 1900 <= year <= 2200:
            return year
    return bangkok_today().year


def _holidays_page(form=None, import_form=None, import_errors=None, sync_form=None, status=200):
    year = _holiday_year()
    rows = days_off.year_rows(db.session, year)
    loaded = db.session.get(CalendarYear, year)
    years = sorted({d.year for d in db.session.scalars(select(Holiday.day))} | set(days_off.loaded_years(db.session))
                   | {bangkok_today().year, bangkok_today().year + 1})
    return render_template(
        "admin/holidays.html", holidays=[h for h in rows if h.is_day_off],
        removed=[h for h in rows if not h.is_day_off], year=year, years=years, loaded=loaded,
        form=form or HolidayForm(), import_form=import_form or HolidayImportForm(prefix="import"),
        sync_form=sync_form or HolidaySyncForm(prefix="sync", year=year + 543),
        import_errors=import_errors or [], Source=HolidaySource,
    ), status


def _moved_message(moved: int) -> str:
    return ngettext("%(num)d open case had its due dates moved; its timeline says why.",
                    "%(num)d open cases had their due dates moved; their timelines say why.", moved) if moved else ""


@bp.route("/holidays")
@permission_required(policy.can_administer)
def holidays():
    return _holidays_page()


@bp.route("/holidays/add", methods=["POST"])
@permission_required(policy.can_administer)
def holiday_add():
    form = HolidayForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            moved = admin_rules.add_holiday(db.session, form.day.data, form.name.data,
                                            name_en=form.name_en.data or "", by=acting())[1]
            saved.say(" ".join(filter(None, [_("Day off added."), _moved_message(moved)])))
        if saved:
            return redirect(url_for("admin.holidays", year=form.day.data.year))
    return _holidays_page(form=form, status=422)


@bp.route("/holidays/<int:holiday_id>/delete", methods=["POST"])
@permission_required(policy.can_administer)
def holiday_delete(holiday_id):
    holiday = db.session.get(Holiday, holiday_id) or abort(404)
    year = holiday.day.year
    with saving() as saved:
        holiday = db.session.get(Holiday, holiday_id) or abort(404)
        moved = admin_rules.remove_holiday(db.session, holiday, by=acting())
        saved.say(" ".join(filter(None, [_("Day off removed. A sync of the calendar will not bring it back."),
                                         _moved_message(moved)])))
    return redirect(url_for("admin.holidays", year=year))


@bp.route("/holidays/<int:holiday_id>/restore", methods=["POST"])
@permission_required(policy.can_administer)
def holiday_restore(holiday_id):
    holiday = db.session.get(Holiday, holiday_id) or abort(404)
    year = holiday.day.year
    with saving() as saved:
        holiday = db.session.get(Holiday, holiday_id) or abort(404)
        moved = admin_rules.restore_holiday(db.session, holiday, by=acting())
        saved.say(" ".join(filter(None, [_("The day is a day off again."), _moved_message(moved)])))
    return redirect(url_for("admin.holidays", year=year))


@bp.route("/holidays/sync", methods=["POST"])
@permission_required(policy.can_administer)
def holiday_sync():
    form = HolidaySyncForm(prefix="sync")
    if form.validate_on_submit():
        year = form.year.data - 543 if form.year.data > 2400 else form.year.data
        with saving(form) as saved:
            result = admin_rules.sync_holidays(db.session, year, by=acting())
            saved.say(" ".join(filter(None, [
                _("Official days off of %(year)d loaded: %(added)d added, %(removed)d taken out.", year=year + 543,
                  added=sum(1 for c in result.changes if c.off), removed=sum(1 for c in result.changes if not c.off)),
                _moved_message(len(result.moved))])))
        if saved:
            return redirect(url_for("admin.holidays", year=year))
    return _holidays_page(sync_form=form, status=422)


@bp.route("/holidays/import", methods=["POST"])
@permission_required(policy.can_administer)
def holiday_import():
    form = HolidayImportForm(prefix="import")
    if not form.validate_on_submit():
        return _holidays_page(import_form=form, status=422)
    upload = form.file.data
    raw = upload.read() if upload and getattr(upload, "filename", "") else b""
    if raw:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.file.errors = [_("Save the file as CSV in UTF-8 (Excel: “CSV UTF-8”).")]
            return _holidays_page(import_form=form, status=422)
    else:
        text = form.text.data or ""
    if not text.strip():
        form.file.errors = [_("Choose a CSV file or paste its lines.")]
        return _holidays_page(import_form=form, status=422)
    result = admin_rules.read_holiday_csv(db.session, text)
    if result.errors:
        return _holidays_page(import_form=form, import_errors=result.errors, status=422)
    with saving(form) as saved:
        added = admin_rules.import_holidays(db.session, text, by=acting())  # checked again under the lock
        if added.errors:
            raise ImportRefused()
        saved.say(" ".join(filter(None, [
            _("%(added)d holidays added; %(skipped)d were in the calendar already.", added=len(added.to_add),
              skipped=len(added.already)), _moved_message(added.moved)])))
    if not saved:
        return _holidays_page(import_form=form, import_errors=added.errors, status=422)
    return redirect(url_for("admin.holidays", year=(added.to_add or [(bangkok_today(), "")])[0][0].year))


# --- users ----------------------------------------------------------------------------------------


def _user_choices(form: UserForm) -> None:
    locale = current_locale()
    form.roles.choices = [SelectChoice(role.value, role.label) for role in Role]
    divisions = db.session.scalars(select(Division).order_by(Division.sort_order, Division.id)).all()
    form.division_ids.choices = [SelectChoice(d.id, d.name(locale)) for d in divisions]


def _user_input(form: UserForm) -> admin_rules.UserInput:
    return admin_rules.UserInput(
        username=form.username.data or "", display_name=form.display_name.data or "", email=form.email.data or "",
        roles=form.roles.data or [], division_ids=form.division_ids.data or [], active=form.active.data,
        locale=form.locale.data or "th", password=form.password.data or "")


@bp.route("/users")
@permission_required(policy.can_administer)
def users():
    rows = db.session.scalars(select(User).order_by(User.active.desc(), User.username)).all()
    return render_template("admin/users.html", users=rows, role_labels={r.value: r.label for r in Role})


@bp.route("/users/new", methods=["GET", "POST"])
@permission_required(policy.can_administer)
def user_new():
    form = UserForm()
    _user_choices(form)
    if not form.is_submitted():
        form.roles.data = [r.value for r in roles.DEFAULT]
    if form.validate_on_submit():
        with saving(form) as saved:
            user = admin_rules.create_staff_user(db.session, _user_input(form), by=acting())
            saved.say(_("Account %(name)s created. Give them the password in person.", name=user.username))
            if integrity_membership.pending_for(db.session, user) is not None:
                saved.say(_("Account %(name)s created without the integrity role for now: a member of the unit "
                            "confirms it first, and the unit has been told. Give them the password in person.",
                            name=user.username))
        if saved:
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None,
                           password_form=None), _status(form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@permission_required(policy.can_administer)
def user_edit(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = UserForm(obj=user)
    _user_choices(form)
    if not form.is_submitted():
        form.roles.data = roles.names_of(user)
        form.division_ids.data = [d.id for d in user.divisions]
    if form.validate_on_submit():
        with saving(form, done=_("Account saved.")) as saved:
            changes = admin_rules.update_staff_user(db.session, db.session.get(User, user_id), _user_input(form),
                                                    by=acting())
            if not changes:
                saved.say(_("Nothing was changed."))
            elif "integrity_request" in changes:
                saved.say(_("Account saved. The change to the integrity unit waits until a member of the unit "
                            "confirms it; the unit has been told."))
        if saved:
            return redirect(url_for("admin.users"))
    user = db.session.get(User, user_id)
    return render_template("admin/user_form.html", form=form, user=user, password_form=PasswordForm(prefix="pw"),
                           pending=integrity_membership.pending_for(db.session, user)), _status(form)


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@permission_required(policy.can_administer)
def user_password(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    password_form = PasswordForm(prefix="pw")
    if password_form.validate_on_submit():
        with saving(password_form, done=_("The password of %(name)s was changed.", name=user.username)) as saved:
            admin_rules.reset_password(db.session, db.session.get(User, user_id), password_form.password.data,
                                       by=acting())
        if saved:
            return redirect(url_for("admin.user_edit", user_id=user_id))
    user = db.session.get(User, user_id)
    form = UserForm(obj=user, formdata=None)
    _user_choices(form)
    form.roles.data = roles.names_of(user)
    form.division_ids.data = [d.id for d in user.divisions]
    return render_template("admin/user_form.html", form=form, user=user, password_form=password_form,
                           pending=integrity_membership.pending_for(db.session, user)), 422


# --- canned replies (edited in the officer workspace) ----------------------------------------------


@bp.route("/canned-replies")
@permission_required(policy.can_administer)
def canned_replies():
    return redirect(url_for("staff.canned_list"))


# --- audit log ------------------------------------------------------------------------------------


@bp.route("/audit")
@permission_required(policy.can_administer)
def audit_log():
    form = AuditFilterForm(request.args)
    valid = form.validate()
    if valid and form.start.data and form.end.data and form.start.data > form.end.data:
        form.end.errors = list(form.end.errors) + [_("The end date is before the start date.")]
        valid = False
    page = bounded_int(request.args.get("page"), 1, low=1, high=10**6)
    result = audit.AuditPage([], 0, 1, 1)
    if valid:
        query = audit.AuditQuery(**{name: getattr(form, name).data or "" for name in (
            "action", "actor", "target_type", "target_id", "ip_address")}, start=form.start.data, end=form.end.data)
        result = audit.search(db.session, query, page=page, page_size=AUDIT_PAGE_SIZE,
                              full=policy.can_read_confidential_audit_entries(current_user))
    verification = audit.verify(db.session) if request.args.get("verify") == "1" else None
    args = {k: v for k, v in request.args.items() if k not in ("page", "verify") and v}
    return render_template(
        "admin/audit.html", form=form, entries=result.entries, total=result.total, page=result.page,
        pages=result.pages, args=args, actions=audit.known_actions(db.session),
        target_types=audit.known_target_types(db.session), verification=verification, pretty=_pretty_details,
    ), (200 if valid else 422)


def _pretty_details(details) -> str:
    """Details as readable JSON (Thai as Thai, not \\u escapes); the template escapes it."""
    return json.dumps(details, ensure_ascii=False, sort_keys=True)
