"""Forms of the staff pages. Each case action has its own small form, rendered with a prefix (the
action's name) so that several can share one page, and carrying the case version it was rendered with."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import EqualTo, InputRequired, Length, Optional, ValidationError

from ..domain.case_actions import MAX_NOTE_CHARS, PRIORITIES, PRIORITY_LABELS


def as_choices(pairs) -> list[SelectChoice]:
    """``[(value, label), ...]`` as WTForms wants choices now."""
    return [SelectChoice(value, label) for value, label in pairs]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _note_length():
    return Length(max=MAX_NOTE_CHARS, message=_l("Keep it under %(max)d characters."))


# --- account ---------------------------------------------------------------------------------------


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), filters=[_strip],
                           validators=[InputRequired(_l("Enter your user name.")), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Enter your password."))])


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[InputRequired(_l("Enter your current password."))])
    new = PasswordField(_l("New password"), validators=[InputRequired(_l("Enter a new password."))])
    confirm = PasswordField(
        _l("New password again"),
        validators=[InputRequired(_l("Enter the new password again.")),
                    EqualTo("new", message=_l("The two new passwords are not the same."))],
    )


class EmptyForm(FlaskForm):
    """Only the CSRF token: a button that posts (sign out everywhere, confirm or decline a request)."""


# --- case actions ----------------------------------------------------------------------------------


class ActionForm(FlaskForm):
    version = HiddenField()

    def validate_version(self, field):
        if not (field.data or "").isdecimal():
            raise ValidationError(_l("The form is incomplete; reload the page and try again."))

    @property
    def expected_version(self) -> int:
        return int(self.version.data)


class StatusNoteForm(ActionForm):
    """Acknowledge, start, resume, close: a message to the citizen is optional."""

    note = TextAreaField(_l("Message to the citizen (optional)"), filters=[_strip], validators=[_note_length()])


class RequestInfoForm(ActionForm):
    note = TextAreaField(_l("What do you need from the citizen?"), filters=[_strip],
                         validators=[InputRequired(_l("Write what you need to know from the citizen.")),
                                     _note_length()])


class ResolveForm(ActionForm):
    note = TextAreaField(_l("Resolution summary (the citizen reads it)"), filters=[_strip],
                         validators=[InputRequired(_l("Write a resolution summary: what was done, for the "
                                                      "citizen to read.")), _note_length()])


class RejectForm(ActionForm):
    note = TextAreaField(_l("Reason (the citizen reads it)"), filters=[_strip],
                         validators=[InputRequired(_l("Say why the case is not accepted.")), _note_length()])
    referred_to = StringField(_l("Referred to agency (if any)"), filters=[_strip],
                              validators=[Length(max=200, message=_l("Keep it under %(max)d characters."))])


class ReopenForm(ActionForm):
    note = TextAreaField(_l("Why is the case reopened? (the citizen reads it)"), filters=[_strip],
                         validators=[InputRequired(_l("Say why the case is reopened.")), _note_length()])


class DuplicateForm(ActionForm):
    original_code = StringField(_l("Tracking code of the original case"), filters=[_strip],
                                validators=[InputRequired(_l("Enter the tracking code of the original case.")),
                                            Length(max=30)])
    note = TextAreaField(_l("Message to the citizen (optional)"), filters=[_strip], validators=[_note_length()])


class ReplyForm(ActionForm):
    note = TextAreaField(_l("Reply to the citizen"), filters=[_strip],
                         validators=[InputRequired(_l("Write the reply.")), _note_length()])
    confirm = BooleanField(
        _l("I have checked this reply: the citizen will read it on the tracking page"),
        validators=[InputRequired(_l("Tick the box to confirm that the citizen may read this reply."))],
    )


class NoteForm(ActionForm):
    note = TextAreaField(_l("Internal note (staff only)"), filters=[_strip],
                         validators=[InputRequired(_l("Write the note.")), _note_length()])


class AssignForm(ActionForm):
    assignee = SelectField(_l("Assign to"), validators=[Optional()], default="")


class TransferForm(ActionForm):
    division = SelectField(_l("Transfer to division"),
                           validators=[InputRequired(_l("Choose the division to transfer to."))])
    reason = TextAreaField(_l("Reason for the transfer (staff only)"), filters=[_strip],
                           validators=[InputRequired(_l("Say why the case goes to another division.")),
                                       _note_length()])


class PriorityForm(ActionForm):
    priority = SelectField(_l("Priority"), choices=as_choices((p, PRIORITY_LABELS[p]) for p in PRIORITIES),
                           validators=[InputRequired(_l("Choose a priority from the list."))])


class RevealForm(ActionForm):
    reason = TextAreaField(_l("Why must the identity be revealed? (kept in the record)"), filters=[_strip],
                           validators=[InputRequired(_l("Write why the identity must be revealed; the reason is "
                                                        "kept.")), _note_length()])


# --- canned replies --------------------------------------------------------------------------------


class CannedReplyForm(FlaskForm):
    division = SelectField(_l("Division"), validators=[InputRequired(_l("Choose the division."))])
    title = StringField(_l("Title"), filters=[_strip],
                        validators=[InputRequired(_l("Give the reply a short title.")),
                                    Length(max=200, message=_l("Keep it under %(max)d characters."))])
    body = TextAreaField(_l("Text"), filters=[_strip],
                         validators=[InputRequired(_l("Write the text of the reply.")),
                                     Length(max=5000, message=_l("Keep it under %(max)d characters."))])
    active = BooleanField(_l("In use"), default=True)


class QueueFilterForm(FlaskForm):
    """Read from the query string (GET, no CSRF): every value outside its choices is ignored."""

    class Meta:
        csrf = False

    q = StringField(_l("Search by code or text"), filters=[_strip], validators=[Length(max=100)])
    status = SelectField(_l("Status"), default="open", validators=[Optional()])
    case_type = SelectField(_l("Type"), default="", validators=[Optional()])
    category = SelectField(_l("Category"), default="", validators=[Optional()])
    channel = SelectField(_l("Channel"), default="", validators=[Optional()])
    village = SelectField(_l("Village"), default="", validators=[Optional()])
    division = SelectField(_l("Division"), default="", validators=[Optional()])
    assigned = SelectField(_l("Assigned"), default="", validators=[Optional()])
    due = SelectField(_l("Deadline"), default="", validators=[Optional()])
