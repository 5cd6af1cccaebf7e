"""Forms of the administration. They check the shape of each field; the rules across records live in
:mod:`eservice.domain.administration` and :mod:`eservice.domain.measures`."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..input_guard import calendar_date


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (easier on a phone and for screen readers than a multiple select)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _whole_number(message):
    return [Optional(), NumberRange(min=-100000, max=100000, message=message)]


class OrganisationForm(FlaskForm):
    name_th = StringField(_l("Name (Thai)"), filters=[_strip],
                          validators=[InputRequired(_l("Give the organisation's name in Thai."))])
    name_en = StringField(_l("Name (English)"), filters=[_strip])
    address_th = TextAreaField(_l("Address (Thai)"), filters=[_strip])
    address_en = TextAreaField(_l("Address (English)"), filters=[_strip])
    phone = StringField(_l("Phone"), filters=[_strip])
    email = StringField(_l("Email"), filters=[_strip])
    website = StringField(_l("Website"), filters=[_strip])
    line_id = StringField(_l("LINE ID"), filters=[_strip])
    line_url = StringField(_l("LINE address (link)"), filters=[_strip])
    facebook_name = StringField(_l("Facebook page name"), filters=[_strip])
    facebook_url = StringField(_l("Facebook address (link)"), filters=[_strip])
    office_hours_th = StringField(_l("Office hours (Thai)"), filters=[_strip])
    office_hours_en = StringField(_l("Office hours (English)"), filters=[_strip])
    executive_title_th = StringField(_l("The executive's title (Thai)"), filters=[_strip])
    executive_title_en = StringField(_l("The executive's title (English)"), filters=[_strip])
    tracking_prefix = StringField(_l("Tracking code prefix"), filters=[_strip],
                                  validators=[InputRequired(_l("Give the tracking prefix, for example BPT."))])
    in_use_since = DateField(_l("In use since"), validators=[Optional()])


class LogoForm(FlaskForm):
    logo = FileField(_l("Logo (PNG or JPEG, at most 1 MB)"))
    remove = BooleanField(_l("Remove the logo"))


class PublishedTextsForm(FlaskForm):
    service_standard_th = TextAreaField(_l("Service standard (Thai)"), filters=[_strip])
    service_standard_en = TextAreaField(_l("Service standard (English)"), filters=[_strip])
    pdpa_notice_th = TextAreaField(_l("Personal data notice (Thai)"), filters=[_strip])
    pdpa_notice_en = TextAreaField(_l("Personal data notice (English)"), filters=[_strip])


class DivisionForm(FlaskForm):
    code = StringField(_l("Code"), filters=[_strip])
    name_th = StringField(_l("Name (Thai)"), filters=[_strip],
                          validators=[InputRequired(_l("Give the division's name in Thai."))])
    name_en = StringField(_l("Name (English)"), filters=[_strip])
    parent_id = SelectField(_l("Part of"), default="", validators=[Optional()])
    is_integrity_unit = BooleanField(_l("Integrity unit (receives every corruption and gift report)"))
    receives_objections = BooleanField(_l("Receives objections to budget spending that name no division"))
    sort_order = IntegerField(_l("Order in lists"), default=0,
                              validators=_whole_number(_l("Give the order as a whole number.")))
    active = BooleanField(_l("Active"), default=True)


class CategoryForm(FlaskForm):
    code = StringField(_l("Code"), filters=[_strip])
    division_id = SelectField(_l("Division that handles it"),
                              validators=[InputRequired(_l("Choose the division that handles this category."))])
    name_th = StringField(_l("Name (Thai)"), filters=[_strip],
                          validators=[InputRequired(_l("Give the category's name in Thai."))])
    name_en = StringField(_l("Name (English)"), filters=[_strip])
    case_types = MultiCheckboxField(_l("Offered for"))
    ack_days = IntegerField(_l("Acknowledge within (working days)"), validators=[
        InputRequired(_l("Give the working days to acknowledge, a whole number.")),
        NumberRange(min=1, max=30, message=_l("Between %(min)s and %(max)s working days."))])
    resolve_days = IntegerField(_l("Answer within (working days)"), validators=[
        InputRequired(_l("Give the working days to answer, a whole number.")),
        NumberRange(min=1, max=180, message=_l("Between %(min)s and %(max)s working days."))])
    sort_order = IntegerField(_l("Order in lists"), default=0,
                              validators=_whole_number(_l("Give the order as a whole number.")))
    active = BooleanField(_l("Active (offered on the forms)"), default=True)


class VillageForm(FlaskForm):
    number = IntegerField(_l("Village number (หมู่ที่)"), validators=[
        InputRequired(_l("Give the village number, a whole number.")),
        NumberRange(min=1, max=99, message=_l("A village number is between %(min)s and %(max)s."))])
    name_th = StringField(_l("Name (Thai)"), filters=[_strip])
    name_en = StringField(_l("Name (English)"), filters=[_strip])
    active = BooleanField(_l("Active"), default=True)


class ChannelForm(FlaskForm):
    code = StringField(_l("Code"), filters=[_strip])
    name_th = StringField(_l("Name (Thai)"), filters=[_strip],
                          validators=[InputRequired(_l("Give the channel's name in Thai."))])
    name_en = StringField(_l("Name (English)"), filters=[_strip])
    sort_order = IntegerField(_l("Order in lists"), default=0,
                              validators=_whole_number(_l("Give the order as a whole number.")))
    active = BooleanField(_l("Active"), default=True)


class PaperTotalForm(FlaskForm):
    """A total from paper records: the year, type and channel come from lists; the number is checked by
    the domain (:mod:`eservice.domain.paper_totals`)."""

    fiscal_year = SelectField(_l("Fiscal year (B.E.)"), coerce=_int_or_none, validate_choice=False,
                              validators=[InputRequired(_l("Choose the fiscal year the paper records count."))])
    case_type = SelectField(_l("Type of case"), validate_choice=False,
                            validators=[InputRequired(_l("Choose the type of case."))])
    channel_code = SelectField(_l("Channel"), validate_choice=False,
                               validators=[InputRequired(_l("Choose the channel the cases came through."))])
    # Text, read by the domain (Thai digits and thousands separators welcome).
    cases = StringField(_l("Cases received"), filters=[_strip])
    note = StringField(_l("Source (optional)"), filters=[_strip],
                       validators=[Length(max=500, message=_l("Keep it under %(max)d characters."))])


class HolidayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired(_l("Give the date of the holiday.")), calendar_date])
    name = StringField(_l("Name"), filters=[_strip], validators=[
        InputRequired(_l("Name the holiday.")), Length(max=200, message=_l("Keep it under %(max)d characters."))])
    name_en = StringField(_l("Name (English)"), filters=[_strip], validators=[
        Length(max=200, message=_l("Keep it under %(max)d characters."))])


class HolidaySyncForm(FlaskForm):
    """Load a year's official days off from the holidays package now."""

    year = IntegerField(_l("Year (B.E.)"), validators=[
        InputRequired(_l("Give the year as a whole number.")),
        NumberRange(min=-100000, max=100000, message=_l("Give the year as a whole number."))])


class HolidayImportForm(FlaskForm):
    file = FileField(_l("CSV file"))
    text = TextAreaField(_l("Or paste the lines here"))


class UserForm(FlaskForm):
    username = StringField(_l("User name (for signing in)"), filters=[_strip])
    display_name = StringField(_l("Name shown to colleagues"), filters=[_strip])
    email = StringField(_l("Email"), filters=[_strip])
    roles = MultiCheckboxField(_l("Roles"))
    division_ids = MultiCheckboxField(_l("Divisions"), coerce=int)
    locale = SelectField(_l("Language"), default="th",
                         choices=[SelectChoice("th", "ไทย"), SelectChoice("en", "English")])
    active = BooleanField(_l("Active (may sign in)"), default=True)
    password = PasswordField(_l("Password"))


class PasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[InputRequired(_l("Give the new password."))])


_short_filter = Length(max=200, message=_l("Keep it under %(max)d characters."))


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter

    # Filters are short: a 100,000-character prefix is too complex a LIKE pattern for SQLite.
    action = StringField(_l("Action"), filters=[_strip], validators=[_short_filter])
    actor = StringField(_l("By (user name)"), filters=[_strip], validators=[_short_filter])
    target_type = StringField(_l("Target type"), filters=[_strip], validators=[_short_filter])
    target_id = StringField(_l("Target id"), filters=[_strip], validators=[_short_filter])
    ip_address = StringField(_l("IP address"), filters=[_strip], validators=[_short_filter])
    start = DateField(_l("From"), validators=[Optional(), calendar_date])
    end = DateField(_l("To (inclusive)"), validators=[Optional(), calendar_date])


class MeasureForm(FlaskForm):
    title = TextAreaField(_l("Measure or activity"), filters=[_strip])
    methods = TextAreaField(_l("Methods (one step per line)"))
    period = StringField(_l("Period"), filters=[_strip])
    responsible = StringField(_l("Responsible"), filters=[_strip])
    results = TextAreaField(_l("Results (one paragraph per line)"))
    outcome = TextAreaField(_l("Outcome or achievement (one paragraph per line)"))


class SignOffForm(FlaskForm):
    prepared_name = StringField(_l("Prepared by (name)"), filters=[_strip])
    prepared_position = StringField(_l("Position of the preparer"), filters=[_strip])
    approved_name = StringField(_l("Approved by (name)"), filters=[_strip])
    approved_position = StringField(_l("Position of the approver"), filters=[_strip])


class SummaryNoteForm(FlaskForm):
    problems = TextAreaField(_l("Problems found"))
    improvements = TextAreaField(_l("Improvements made"))


class CopyMeasuresForm(FlaskForm):
    source = StringField(_l("Copy the measures of fiscal year"), filters=[_strip])


class ApiKeyForm(FlaskForm):
    """An Open311 API key for a partner system (issue 13)."""

    name = StringField(_l("Partner"), filters=[_strip], validators=[
        InputRequired(_l("Name the key after the partner that uses it.")),
        Length(max=100, message=_l("Keep it under %(max)d characters."))])
    channel_code = SelectField(_l("Channel its requests are filed under"),
                               validators=[InputRequired(_l("Choose the channel."))])
    can_write = SelectField(_l("What the key may do"), choices=[
        SelectChoice("read", _l("Read only: list and follow requests")),
        SelectChoice("write", _l("Read and file requests")),
    ], default="write")
    rate_limit = StringField(_l("Rate limit"), filters=[_strip], default="60 per minute",
                             validators=[InputRequired(_l("Write the limit like “60 per minute” or "
                                                          "“60 per minute;1000 per day”."))])
