"""The one place where text that cannot be stored is refused: every request's address, query string, form fields
(names and values, and the names of uploaded files) and JSON body are checked before any view runs. The one
header used as data, the client's address from X-Forwarded-For, is checked where it is read
(:func:`eservice.web.client_ip`).

PostgreSQL cannot hold a NUL byte in text at all (the insert or even the comparison fails), and no database
should keep the other C0 control characters or half a UTF-16 pair (a lone surrogate, which a JSON body can
carry as ``\\ud800``): they are invisible, break CSV and XML exports, and can hide what a text says. Tab,
carriage return and line feed are ordinary text and pass. What is refused gets 400 with a page in the page's
language saying what to fix, or the error format of a machine interface at its addresses
(:func:`eservice.errors.register_api_errors`).

A view that reads and checks its body itself is marked with :func:`checks_own_body`; its address and query
string are still checked. These are the LINE webhook (LINE signs the raw body, and a chat's text is cleaned
when processed) and the Open311 API (its body is capped at a few kB before it is read, and it refuses control
characters itself, naming the parameter, in the spec's error format).

Out-of-range input is bounded here too: ids in addresses (:class:`BoundedIntConverter`, every ``<int:...>``),
numbers read from a request (:func:`bounded_int`) and dates in forms (:func:`calendar_date`).
"""

import re
from collections.abc import Iterable
from datetime import date

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter
from wtforms.validators import ValidationError

# C0 controls but tab, LF and CR; DEL; lone surrogates; the two non-characters at the end of the BMP.
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
OWN_BODY = "_eservice_checks_own_body"
MESSAGE = _l("Something you typed or pasted contains an invisible control character (such as a NUL byte) that "
             "cannot be kept. Go back, remove it or type that part again, then send once more.")
# A JSON body with more values than this is not something a person typed; it is refused too.
MAX_JSON_ITEMS = 100_000


# The largest id or count a request may name: PostgreSQL's ``integer`` (ids are 32-bit there).
DB_INT_MAX = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` in every route: 1 to :data:`DB_INT_MAX` unless the rule says otherwise, so a 30-digit id
    is a 404 like any other unknown id, not an overflow in the database."""

    def __init__(self, map, fixed_digits=0, min=1, max=DB_INT_MAX, signed=False):  # noqa: A002  Werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def bounded_int(text, default: int | None = None, *, low: int = 0, high: int = DB_INT_MAX) -> int | None:
    """A whole number from a request (an id, a page) if it is one between ``low`` and ``high``, else
    ``default``: a doctored value never reaches a query as a number the database cannot hold."""
    text = str(text if text is not None else "").strip()
    if not text.isascii() or not text.isdecimal() or len(text) > len(str(high)):
        return default
    value = int(text)
    return value if low <= value <= high else default


# Dates a form accepts: any a municipality deals with, with room on both sides for the arithmetic of a range
# (a day before or after, the time zone) without leaving the calendar Python and the databases can hold.
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2200, 12, 31)


def calendar_date(form, field) -> None:
    """WTForms validator of a date field: between :data:`DATE_MIN` and :data:`DATE_MAX` (a Buddhist-era year
    typed into a date box, 2568-01-31, lands here too)."""
    if field.data is not None and not DATE_MIN <= field.data <= DATE_MAX:
        raise ValidationError(_l("Enter a date between %(first)s and %(last)s, with the year in the Christian era "
                                 "(2025, not 2568).", first=DATE_MIN.isoformat(), last=DATE_MAX.isoformat()))


class UnstorableText(BadRequest):
    """400: the request carries a character no page may store. ``description`` is the message to show."""

    def __init__(self, where: str = "") -> None:
        super().__init__(description=str(MESSAGE))
        self.where = where  # the field's name (for logs and API errors), never echoed as HTML


def has_unstorable(text: str) -> bool:
    return bool(UNSTORABLE.search(text))


def checks_own_body(view):
    """Mark a view that reads and checks its own body (the form and JSON body are left to it)."""
    setattr(view, OWN_BODY, True)
    return view


def _first_bad_pair(pairs: Iterable[tuple[str, str]]) -> str | None:
    for name, value in pairs:
        if has_unstorable(name) or has_unstorable(value):
            return name
    return None


def _json_strings(document) -> Iterable[tuple[str, str]]:
    """(key, string) for every string in a JSON document, walked without recursion."""
    stack, seen = [("", document)], 0
    while stack:
        key, value = stack.pop()
        seen += 1
        if seen > MAX_JSON_ITEMS:
            raise UnstorableText()  # far more than a person types: refused like bad text
        if isinstance(value, str):
            yield key, value
        elif isinstance(value, dict):
            stack.extend((str(k), v) for k, v in value.items())
            stack.extend((str(k), str(k)) for k in value)
        elif isinstance(value, list):
            stack.extend((key, v) for v in value)


def check_request() -> None:
    """Raise :class:`UnstorableText` if anything the request carries as data cannot be stored."""
    # The address itself (a tracking code in /track/<code> is looked up), then the query string.
    bad = "address" if has_unstorable(request.path) else _first_bad_pair(request.args.items(multi=True))
    view = current_app.view_functions.get(request.endpoint or "")
    if bad is None and not getattr(view, OWN_BODY, False) and request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            bad = _first_bad_pair(request.form.items(multi=True))
            if bad is None:
                bad = _first_bad_pair((name, upload.filename or "") for name, upload in request.files.items(multi=True))
        elif request.is_json:
            document = request.get_json(silent=True)
            if document is not None:
                bad = _first_bad_pair(_json_strings(document))
    if bad is not None:
        raise UnstorableText(UNSTORABLE.sub("", bad)[:60])


def init_app(app: Flask) -> None:
    """Register the check; and the bounded ``int`` converter, before any blueprint adds its routes."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(check_request)
