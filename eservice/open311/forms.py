"""POST requests through the intake schema: the web form's own validation and messages.

The partner's parameters are mapped onto :class:`eservice.intake.IntakeForm` (no CSRF: the API key
authenticates the partner); what only the API has — a location that must be given, the attributes,
``media_url`` — is checked here, and every problem is reported at once, named as the partner sent it.
"""

import re
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import StringField
from wtforms.validators import Length, ValidationError

from ..domain.open311 import services as open311_services
from ..domain.open311.problems import BAD_REQUEST, NOT_FOUND, Problem
from ..domain.open311.requests import MAX_DESCRIPTION_CHARS
from ..extensions import db
from ..input_guard import UNSTORABLE, has_unstorable
from ..intake import IntakeForm, intake_form
from ..models import Division, Village

NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")  # as a form sends a number
ATTRIBUTE_RE = re.compile(r"^attribute\[([^\]]*)\](\[\])?$")
MAX_MEDIA_URL_CHARS = 2000
# Parameters the spec defines that this service reads or knowingly ignores (device_id, account_id:
# nothing here uses them; address_id: there is no address register, so it is no location here).
KNOWN = {
    "api_key", "jurisdiction_id", "service_code", "lat", "long", "address_string", "address_id", "email",
    "device_id", "account_id", "first_name", "last_name", "phone", "description", "media_url",
}
IDENTITY = ("first_name", "last_name", "phone", "email")
# Form field -> the name the partner used, for error descriptions.
FIELD_NAMES = {
    "village": "attribute[village]",
    "subject_division": "attribute[subject_division]",
    "anonymous": "first_name",
}
INVALID_CHOICE = "-"  # a value no choice has, so the form itself refuses what the partner sent


class Open311IntakeForm(IntakeForm):
    """The intake schema as the API fills it."""

    class Meta:
        csrf = False

    media_url = StringField(
        "media_url", validators=[Length(max=MAX_MEDIA_URL_CHARS, message=_l("Keep it under %(max)d characters."))]
    )

    def validate_description(self, field):
        # The spec limits a description to 4,000 characters (the web form allows more); the same message.
        if field.data and len(field.data) > MAX_DESCRIPTION_CHARS:
            raise ValidationError(
                _l("The description is %(n)d characters long; the limit is %(max)d. Shorten it, or attach a "
                   "PDF with the details.", n=len(field.data), max=MAX_DESCRIPTION_CHARS)
            )

    def validate_first_name(self, field):
        # The web form's message speaks of a tick box the API does not have.
        if not self.anonymous.data and not field.data:
            raise ValidationError(_l("Give the first name with the other contact details, or send none of them."))

    def validate_media_url(self, field):
        value = field.data or ""
        if not value:
            return
        try:
            parts = urlsplit(value)
        except ValueError:  # e.g. a broken [IPv6] host
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"\s", value):
            raise ValidationError(_l("Give a web address that starts with http:// or https://."))


def _one(params: MultiDict, name: str) -> str:
    values = [v for v in params.getlist(name) if str(v).strip()]
    return str(values[-1]).strip() if values else ""


def _number_problem(name: str, text: str):
    value = None
    if NUMBER.fullmatch(text):
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
    if value is None or not value.is_finite():
        return Problem(BAD_REQUEST, name, _l("Give %(name)s as a decimal number of degrees, e.g. 14.6321.",
                                             name=name))
    return None


def read_post(params: MultiDict):
    """Validate a POST requests body. Returns (form, problems, category); the form is valid when
    ``problems`` is empty, and then ``form.to_intake()`` gives what to file."""
    problems: list[Problem] = []
    attributes: dict[str, list[str]] = {}
    for name in params:
        # The one rule of what cannot be stored (the body skips the request-wide guard: Open311 names the
        # parameter in its own error format); refused, never dropped.
        if any(has_unstorable(str(value)) for value in params.getlist(name)) or has_unstorable(name):
            problems.append(Problem(BAD_REQUEST, UNSTORABLE.sub("", name)[:60],
                                    _l("Remove the control characters from this text.")))
        match = ATTRIBUTE_RE.match(name)
        if match:
            attributes.setdefault(match.group(1), []).extend(v for v in params.getlist(name) if str(v).strip())
        elif name not in KNOWN:
            problems.append(Problem(BAD_REQUEST, name[:60], _l("This parameter is not part of GeoReport v2.")))

    code = _one(params, "service_code")
    category = open311_services.find_service(db.session, code) if code else None
    if not code:
        problems.append(Problem(BAD_REQUEST, "service_code", _l("Choose a category.")))
    elif category is None:
        # The same answer for a code that does not exist and for a corruption or gift category.
        problems.append(Problem(NOT_FOUND, "service_code", _l("There is no service “%(code)s”; see GET services.",
                                                              code=code[:50])))

    offered = {}
    if category is not None:
        offered = {a.code: a for a in open311_services.service_attributes(db.session, category, "en")}
    for attr_code, values in attributes.items():
        label = f"attribute[{attr_code[:40]}]"
        if category is not None and attr_code not in offered:
            problems.append(Problem(BAD_REQUEST, label, _l("This service has no such attribute.")))
        elif category is not None and values and values[-1] not in {key for key, _ in offered[attr_code].values}:
            problems.append(Problem(BAD_REQUEST, label, _l("Choose one of the values the service lists.")))
    for attr in offered.values():
        if attr.required and not attributes.get(attr.code):
            problems.append(Problem(BAD_REQUEST, f"attribute[{attr.code}]", _l("This attribute is required.")))

    types = open311_services.general_types(category) if category is not None else []
    chosen_type = (attributes.get(open311_services.CASE_TYPE) or [""])[-1]
    case_type = chosen_type if chosen_type in types else (types[0] if types else "complaint")

    lat, long = _one(params, "lat"), _one(params, "long")
    for name, text in (("lat", lat), ("long", long)):
        if text:
            problem = _number_problem(name, text)
            if problem:
                problems.append(problem)
    if lat and not long:
        problems.append(Problem(BAD_REQUEST, "long", _l("Send lat and long together.")))
    if long and not lat:
        problems.append(Problem(BAD_REQUEST, "lat", _l("Send lat and long together.")))
    if not (lat or long or _one(params, "address_string")):
        problems.append(Problem(BAD_REQUEST, "lat", _l("Give the place: lat and long, or address_string.")))

    identity = any(_one(params, name) for name in IDENTITY)
    data = MultiDict({
        "service_code": category.code if category is not None else INVALID_CHOICE,
        "description": params.get("description", ""),
        "address_string": params.get("address_string", ""),
        "lat": lat if lat and not any(p.field == "lat" for p in problems) else "",
        "long": long if long and not any(p.field == "long" for p in problems) else "",
        "first_name": params.get("first_name", ""),
        "last_name": params.get("last_name", ""),
        "phone": params.get("phone", ""),
        "email": params.get("email", ""),
        "media_url": params.get("media_url", ""),
        # The partner tells its users how their data is used, as the key's terms require.
        "consent": "y",
        "anonymous": "" if identity else "y",
    })
    village_key = (attributes.get(open311_services.VILLAGE) or [""])[-1]
    if village_key:
        village = None
        if village_key.isdecimal() and len(village_key) < 6:
            village = db.session.scalar(select(Village).where(Village.number == int(village_key)))
        data["village"] = str(village.id) if village is not None else INVALID_CHOICE
    division_key = (attributes.get(open311_services.SUBJECT_DIVISION) or [""])[-1]
    if division_key:
        division = None
        if open311_services.SERVICE_CODE.fullmatch(division_key):
            division = db.session.scalar(select(Division).where(Division.code == division_key))
        data["subject_division"] = str(division.id) if division is not None else INVALID_CHOICE

    form = intake_form(case_type, form_class=Open311IntakeForm, formdata=data)
    del form.media
    form.validate()
    reported = {p.field for p in problems}
    for name, messages in form.errors.items():
        field = FIELD_NAMES.get(name, name)
        if name == "service_code" or field in reported:
            continue  # already said above, in the API's words
        for message in messages:
            problems.append(Problem(BAD_REQUEST, field, message))
    return form, problems, category
