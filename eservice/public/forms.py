"""Forms of the tracking pages (the filing form is the shared intake schema in eservice.intake)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length


class TrackForm(FlaskForm):
    code = StringField(
        _l("Tracking code"), validators=[InputRequired(_l("Enter the tracking code, e.g. BPT-2568-00042."))]
    )
    key = StringField(
        _l("Receipt key"), validators=[InputRequired(_l("Enter the receipt key you were given when you filed."))]
    )


class AddInformationForm(FlaskForm):
    note = TextAreaField(
        _l("Information to add"),
        validators=[Length(max=5000, message=_l("Keep it under %(max)d characters."))],
    )
    media = MultipleFileField(_l("Photos or PDF files"))


class RatingForm(FlaskForm):
    score = RadioField(
        _l("How satisfied are you with how we handled it?"),
        choices=[
            SelectChoice("5", _l("5 – very satisfied")),
            SelectChoice("4", _l("4 – satisfied")),
            SelectChoice("3", _l("3 – fair")),
            SelectChoice("2", _l("2 – dissatisfied")),
            SelectChoice("1", _l("1 – very dissatisfied")),
        ],
        validators=[InputRequired(_l("Choose a score from 1 to 5."))],
    )
    resolved = RadioField(
        _l("Was the matter resolved?"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("partly", _l("Partly")), SelectChoice("no", _l("No"))],
        validators=[InputRequired(_l("Say whether the matter was resolved."))],
    )
    comment = TextAreaField(
        _l("Comment (optional)"),
        validators=[Length(max=2000, message=_l("Keep it under %(max)d characters."))],
    )


class ReopenForm(FlaskForm):
    reason = TextAreaField(
        _l("Why should the case be reopened?"),
        validators=[
            InputRequired(_l("Say why the case should be reopened.")),
            Length(max=2000, message=_l("Keep it under %(max)d characters.")),
        ],
    )
