"""A report finished in chat, put through the web form's intake schema (:mod:`eservice.intake`).

The chat collects the same fields the filing form has; here they are given to the very same form class
(without CSRF, as the machine APIs do) so that one set of rules decides what a valid case is, whichever
way it came. Photos were checked when they arrived, with the web's upload checks.
"""

from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from ..domain.errors import DomainError
from ..domain.filing import Intake
from ..domain.uploads import CleanFile
from ..intake import intake_form


def build_intake(draft: dict, photos: list[CleanFile], locale: str, line_user_id: str) -> Intake:
    """The :class:`Intake` for a finished draft, channel ``line``; :class:`DomainError` naming the field the
    schema refused."""
    contact = bool(draft.get("contact"))
    fields = {
        "service_code": draft.get("category", ""),
        "description": draft.get("description", ""),
        "address_string": draft.get("address", ""),
        "consent": "y",  # the person pressed "Confirm" under the personal-data notice
    }
    if draft.get("lat") is not None and draft.get("long") is not None:
        fields["lat"], fields["long"] = repr(float(draft["lat"])), repr(float(draft["long"]))
    if contact:
        fields.update(first_name=draft.get("first_name", ""), last_name=draft.get("last_name", ""),
                      phone=draft.get("phone", ""))
    else:
        fields["anonymous"] = "y"
    formdata = MultiDict(fields)
    with force_locale(locale):
        form = intake_form(draft.get("case_type", ""), formdata=formdata, meta={"csrf": False})
        # Outside a request the form counts as not submitted and fills in its defaults: read ours again.
        form.process(formdata)
        if not form.validate():
            name, errors = next(iter(form.errors.items()))
            raise DomainError(str(errors[0]) if errors else "", field=name)
        form.clean_files = list(photos)
        form.submission_token.data = draft.get("id") or None
        intake = form.to_intake(channel_code="line")
    intake.locale = locale
    intake.line_user_id = line_user_id
    return intake
