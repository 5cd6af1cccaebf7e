"""The intake schema: one form for the public filing page, the staff form for other channels and
the machine APIs (with ``meta={"csrf": False}``). Field names follow Open311 where it has one."""

import secrets

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    MultipleFileField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import Select, html_params

from .domain import case_types
from .domain.errors import DomainError
from .domain.filing import Intake
from .domain.thai import ascii_digits, is_valid_national_id, is_valid_phone, normalise_phone
from .extensions import db
from .input_guard import bounded_int, calendar_date
from .models import Category, Division, Village
from .models.reference import village_label
from .reference_cache import cached
from .web import clean_uploaded


def _thai_phone(form, field):
    if field.data and not is_valid_phone(field.data):
        raise ValidationError(
            _l("Enter a Thai phone number: a mobile of 10 digits (06, 08, 09…) or a landline of 9 digits (02…07…).")
        )


def _national_id(form, field):
    value = (field.data or "").replace("-", "").replace(" ", "")
    if not value:
        return
    if not value.isdecimal() or len(value) != 13:
        raise ValidationError(_l("A national ID has exactly 13 digits; you entered %(n)d.", n=len(value)))
    if not is_valid_national_id(value):
        raise ValidationError(_l("This national ID is not valid: its last digit does not match. Check each digit."))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _ascii_digits(value):
    """Numbers typed with Thai or full-width digits are kept as ASCII digits."""
    return ascii_digits(value) if isinstance(value, str) else value


class OptionsOnceSelect(Select):
    """A select whose options are rendered once per choices list (the lists are kept per process by
    :func:`_choices`) instead of on every page: on the filing form, rendering some forty options was a large
    share of the page's CPU. Output is the same as WTForms' Select for flat (value, label) choices."""

    _rendered: dict[int, tuple[list, list[tuple[str, Markup, Markup]]]] = {}

    @classmethod
    def _options(cls, choices: list) -> list[tuple[str, Markup, Markup]]:
        found = cls._rendered.get(id(choices))
        if found is None or found[0] is not choices:
            if len(cls._rendered) > 256:
                cls._rendered.clear()
            options = []
            for choice in choices:
                value, label = str(choice.value), choice.label
                text = escape(label if label else value)
                # html_params escapes the value and escape() the label: the markup is made of escaped parts.
                options.append((value, Markup(f"<option {html_params(value=value)}>{text}</option>"),  # noqa: S704 # nosec B704
                                Markup(f"<option {html_params(selected=True, value=value)}>{text}</option>")))  # noqa: S704 # nosec B704
            found = cls._rendered[id(choices)] = (choices, options)  # the list is kept, so its id is not reused
        return found[1]

    def __call__(self, field, **kwargs):
        if field.has_groups() or not isinstance(field.choices, list):
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        chosen = field.data if field.data is not None else None
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        html.extend(selected if value == chosen else plain for value, plain, selected in self._options(field.choices))
        html.append("</select>")
        return Markup("".join(html))  # noqa: S704  # nosec B704  # escaped parts, as WTForms' Select


class IntakeForm(FlaskForm):
    """Build with :func:`intake_form` so that the choices fit the case type."""

    class Meta:
        locales = False

    service_code = SelectField(_l("Category"), validators=[InputRequired(_l("Choose a category."))],
                               widget=OptionsOnceSelect())
    village = SelectField(_l("Village"), validators=[Optional()], default="", widget=OptionsOnceSelect())
    address_string = StringField(
        _l("Place (house number, road, landmark)"),
        filters=[_strip],
        validators=[Length(max=500, message=_l("Keep the place under %(max)d characters."))],
    )
    lat = DecimalField(
        _l("Latitude"),
        places=None,
        validators=[Optional(), NumberRange(-90, 90, message=_l("Latitude is between -90 and 90."))],
    )
    long = DecimalField(
        _l("Longitude"),
        places=None,
        validators=[Optional(), NumberRange(-180, 180, message=_l("Longitude is between -180 and 180."))],
    )
    description = TextAreaField(
        _l("What happened, or what would you like to tell us?"),
        filters=[_strip],
        validators=[InputRequired(_l("Describe the matter: what, where and when."))],
    )
    subject_division = SelectField(_l("Division concerned (if you know it)"), validators=[Optional()], default="",
                                   widget=OptionsOnceSelect())
    media = MultipleFileField(_l("Photos or PDF files"))
    anonymous = BooleanField(_l("Stay anonymous"))
    first_name = StringField(
        _l("First name"), filters=[_strip],
        validators=[Length(max=100, message=_l("Keep it under %(max)d characters."))],
    )
    last_name = StringField(
        _l("Last name"), filters=[_strip],
        validators=[Length(max=100, message=_l("Keep it under %(max)d characters."))],
    )
    phone = StringField(_l("Phone"), filters=[_strip, _ascii_digits], validators=[Optional(), _thai_phone])
    email = StringField(
        _l("Email"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=254, message=_l("Keep it under %(max)d characters.")),
            Email(message=_l("Enter an email address like name@example.com."), check_deliverability=False),
        ],
    )
    national_id = StringField(_l("National ID number"), filters=[_strip, _ascii_digits],
                              validators=[Optional(), _national_id])
    consent = BooleanField(
        _l("I have read the personal data notice"),
        validators=[InputRequired(_l("Please confirm that you have read the personal data notice."))],
    )
    # Honeypot: hidden from people by CSS and from screen readers by aria-hidden; bots fill it in.
    website = StringField(_l("Leave this empty"))
    submission_token = HiddenField()

    case_type: str = "complaint"
    clean_files: list

    def validate_description(self, field):
        limit = current_app.config["MAX_DESCRIPTION_CHARS"]
        if field.data and len(field.data) > limit:
            raise ValidationError(
                _l("The description is %(n)d characters long; the limit is %(max)d. Shorten it, or attach a "
                   "PDF with the details.", n=len(field.data), max=limit)
            )

    def validate_first_name(self, field):
        if not self.anonymous.data and not field.data:
            raise ValidationError(_l("Give your first name, or tick “Stay anonymous”."))

    def validate_media(self, field):
        self.clean_files = []
        files = [f for f in (field.data or []) if f and getattr(f, "filename", "")]
        limit = current_app.config["MAX_ATTACHMENTS"]
        if len(files) > limit:
            raise ValidationError(_l("Attach at most %(max)d files; you chose %(n)d.", max=limit, n=len(files)))
        errors = []
        for upload in files:
            try:
                self.clean_files.append(
                    clean_uploaded(upload.filename, upload.read())
                )
            except DomainError as error:
                errors.append(error.message)
        if errors:
            field.errors = list(field.errors) + errors
            raise ValidationError(_l("Remove or replace the files above, then send again."))

    def validate_website(self, field):
        if field.data:
            raise ValidationError(_l("Leave this field empty."))

    def to_intake(self, *, channel_code: str = "web", received_at=None) -> Intake:
        category = db.session.scalar(select(Category).where(Category.code == self.service_code.data))
        # A choice of only spaces passes Optional() unchecked: it means "none", like an empty one.
        subject_field = getattr(self, "subject_division", None)
        village_id, subject_id = bounded_int(self.village.data), bounded_int(getattr(subject_field, "data", ""))
        village = db.session.get(Village, village_id) if village_id else None
        subject = db.session.get(Division, subject_id) if subject_id else None
        anonymous = bool(self.anonymous.data)
        return Intake(
            case_type=self.case_type,
            description=self.description.data,
            category=category,
            village=village,
            address_string=self.address_string.data or "",
            lat=float(self.lat.data) if self.lat.data is not None else None,
            long=float(self.long.data) if self.long.data is not None else None,
            anonymous=anonymous,
            first_name="" if anonymous else self.first_name.data or "",
            last_name="" if anonymous else self.last_name.data or "",
            phone="" if anonymous else normalise_phone(self.phone.data or ""),
            email="" if anonymous else (self.email.data or "").lower(),
            national_id="" if anonymous else (self.national_id.data or "").replace("-", "").replace(" ", ""),
            subject_division=subject,
            channel_code=channel_code,
            received_at=received_at,
            locale=str(get_locale() or "th"),
            files=self.clean_files if hasattr(self, "clean_files") else [],
            submission_token=self.submission_token.data or None,
        )


def _choices(case_type: str, locale: str) -> dict:
    """The filing form's choices for a case type, as plain (value, label) pairs; kept per process."""
    categories = db.session.scalars(
        select(Category).where(Category.active.is_(True)).order_by(Category.sort_order, Category.id)
    ).all()
    offered = [c for c in categories if c.offered_for(case_type)]
    villages = db.session.scalars(select(Village).where(Village.active.is_(True)).order_by(Village.number)).all()
    divisions = db.session.scalars(
        select(Division)
        .where(Division.active.is_(True), Division.is_integrity_unit.is_(False))
        .order_by(Division.sort_order, Division.id)
    ).all()
    return {
        "categories": [SelectChoice("", str(_l("— choose —")))] + [
            SelectChoice(c.code, c.name(locale)) for c in offered],
        # A list of one (the gift form) is chosen for the citizen.
        "only_category": offered[0].code if len(offered) == 1 else None,
        "villages": [SelectChoice("", str(_l("— not in a village / not sure —")))] + [
            SelectChoice(str(v.id), village_label(v, locale)) for v in villages],
        "divisions": [SelectChoice("", str(_l("— not named —")))] + [
            SelectChoice(str(d.id), d.name(locale)) for d in divisions],
    }


def intake_form(case_type: str, form_class=IntakeForm, **kwargs) -> IntakeForm:
    """An intake form with category, village and division choices for ``case_type``."""
    kind = case_types.CASE_TYPES[case_type]
    locale = str(get_locale() or "th")
    form = form_class(**kwargs)
    form.case_type = case_type
    choices = cached(("intake-choices", case_type, locale), lambda: _choices(case_type, locale))
    form.service_code.choices = choices["categories"]
    if choices["only_category"] and not form.service_code.data:
        form.service_code.data = choices["only_category"]
    form.village.choices = choices["villages"]
    if kind.names_division:
        form.subject_division.choices = choices["divisions"]
    else:
        del form.subject_division
    if not form.is_submitted():
        form.anonymous.data = kind.anonymous_by_default
        form.submission_token.data = secrets.token_urlsafe(24)
    return form


# --- the staff form for cases that came another way (issue 3) ------------------------------------


class _DateField(DateField):
    """A date field whose "not a date" message is translated like the others."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a date like 2025-01-31 (day, month and Christian-era year).")) from None


STAFF_RECEIVED_MAX_AGE_DAYS = 365


class StaffIntakeForm(IntakeForm):
    """The same schema, filled in by an officer for a case that came by phone, letter, walk-in, LINE,
    Facebook, suggestion box, email or referral. Build with :func:`staff_intake_form`."""

    channel = SelectField(_l("How the case reached the office"), validators=[InputRequired(_l("Choose the channel."))])
    received_on = _DateField(
        _l("Date received"),
        validators=[InputRequired(_l("Enter the date the office received the case.")), calendar_date]
    )
    consent = BooleanField(
        _l("The person was told how their personal data is used (personal data notice)"),
        validators=[InputRequired(_l("Confirm that the person was told of the personal data notice."))],
    )

    def validate_channel(self, field):
        offered = {str(value) for value, *_ in self.channel.iter_choices() if value}
        if field.data == "web" or field.data not in offered:
            raise ValidationError(_l("Choose the channel from the list."))

    def validate_received_on(self, field):
        from datetime import timedelta

        from .domain.thai import bangkok_today

        today = bangkok_today()
        if field.data is None:
            return
        if field.data > today:
            raise ValidationError(_l("The date received cannot be in the future."))
        if field.data < today - timedelta(days=STAFF_RECEIVED_MAX_AGE_DAYS):
            raise ValidationError(
                _l("The date is more than a year ago. Check the year: enter it in the Christian era "
                   "(2025, not 2568).")
            )

    def received_at(self):
        """Now, when received today; otherwise noon (Bangkok) of that day: only the day counts."""
        from datetime import UTC, datetime, time

        from .domain.thai import BANGKOK, bangkok_today

        now = datetime.now(UTC)
        day = self.received_on.data
        if day is None or day == bangkok_today(now):
            return now
        return datetime.combine(day, time(12, 0), tzinfo=BANGKOK).astimezone(UTC)

    def to_intake(self, **kwargs) -> Intake:
        kwargs.setdefault("channel_code", self.channel.data)
        kwargs.setdefault("received_at", self.received_at())
        return super().to_intake(**kwargs)


def staff_intake_form(case_type: str, **kwargs) -> StaffIntakeForm:
    """A :class:`StaffIntakeForm` for ``case_type``: every active channel but the web form."""
    from .domain.thai import bangkok_today
    from .models import Channel

    form = intake_form(case_type, form_class=StaffIntakeForm, **kwargs)
    locale = str(get_locale() or "th")
    channels = db.session.scalars(
        select(Channel).where(Channel.active.is_(True), Channel.code != "web").order_by(Channel.sort_order)
    ).all()
    form.channel.choices = [SelectChoice("", _l("— choose —"))] + [
        SelectChoice(c.code, c.name(locale)) for c in channels
    ]
    if not form.is_submitted():
        form.received_on.data = bangkok_today()
    return form
