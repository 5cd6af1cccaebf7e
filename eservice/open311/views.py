"""Thin views: check the format, the jurisdiction and the key, call the domain, answer in XML or JSON."""

from functools import wraps

from flask import current_app, jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from ..database import begin_write
from ..domain.errors import DomainError
from ..domain.open311 import discovery as open311_discovery
from ..domain.open311 import keys
from ..domain.open311 import requests as open311_requests
from ..domain.open311 import services as open311_services
from ..domain.open311.problems import BAD_REQUEST, NOT_FOUND, Open311Error, fail
from ..extensions import db, limiter
from ..i18n import current_locale
from ..input_guard import checks_own_body
from ..models import Organisation
from ..models.open311 import ApiKey
from ..web import client_ip
from . import bp, context
from .errors import render_problems
from .forms import FIELD_NAMES, read_post
from .render import FORMATS, respond


def _organisation() -> Organisation | None:
    return db.session.scalar(select(Organisation).limit(1))


def _expected_jurisdiction() -> str:
    return open311_discovery.jurisdiction_id(_organisation(), current_app.config["OPEN311_JURISDICTION_ID"])


def _note_use(key: ApiKey | None) -> None:
    """Keep the key's last-used time (written at most once a minute)."""
    if key is None or not keys.mark_used(key):
        return
    db.session.rollback()  # nothing else was written; start the write cleanly
    begin_write(db.session)
    fresh = db.session.get(ApiKey, key.id)
    if fresh is not None and keys.mark_used(fresh):
        db.session.commit()
    else:
        db.session.rollback()


def open311_view(*, needs_key: bool = False, to_write: bool = False):
    """Format suffix, jurisdiction and api_key checks shared by every method; Open311Error → the spec's errors."""

    def decorator(view):
        @wraps(view)
        def wrapped(fmt, **kwargs):
            context.prepare()
            fmt = (fmt or "").lower()
            if fmt not in FORMATS:
                raise fail(BAD_REQUEST, "format", _l("Unknown format “%(fmt)s”: add .json or .xml to the address.",
                                                    fmt=fmt[:20]))
            if request.method == "POST" and request.mimetype != context.FORM_TYPE:
                raise fail(BAD_REQUEST, "", _l("Send the request as application/x-www-form-urlencoded, as "
                                               "GeoReport v2 asks."))
            params = request.form if request.method == "POST" else request.args
            open311_discovery.check_jurisdiction(params.get("jurisdiction_id") or request.args.get("jurisdiction_id"),
                                                 _expected_jurisdiction())
            key = keys.authenticate(db.session, context.sent_api_key(), required=needs_key, to_write=to_write)
            response = view(fmt, key=key, **kwargs)
            _note_use(key)
            return response

        # The body is capped before it is read (context.prepare) and refuses control characters (forms.read_post).
        checks_own_body(wrapped)
        # One bucket per key (or per address without one) across every method of the API.
        return limiter.shared_limit(context.rate_limit_value, scope="open311",
                                    key_func=context.rate_limit_key)(wrapped)

    return decorator


@bp.errorhandler(Open311Error)
def open311_error(error: Open311Error):
    db.session.rollback()
    fmt = request.view_args.get("fmt") if request.view_args else None
    return render_problems(error, fmt if fmt in FORMATS else None)


@bp.route("/discovery.<fmt>")
@open311_view()
def discovery(fmt, key):
    url = url_for("open311.discovery", fmt="xml", _external=True).rsplit("/", 1)[0]
    document = open311_discovery.discovery(db.session, _organisation(), url, current_locale(),
                                           current_app.config["OPEN311_ENDPOINT_TYPE"])
    return respond(fmt, "discovery", document)


@bp.route("/services.<fmt>")
@open311_view()
def services(fmt, key):
    return respond(fmt, "services", open311_services.services(db.session, current_locale()))


@bp.route("/services/<service_code>.<fmt>")
@open311_view()
def service_definition(fmt, key, service_code):
    category = open311_services.find_service(db.session, service_code)
    if category is None:
        raise fail(NOT_FOUND, "service_code", _l("There is no service “%(code)s”; see GET services.",
                                                 code=service_code[:50]))
    return respond(fmt, "service_definition",
                   open311_services.service_definition(db.session, category, current_locale()))


@bp.route("/requests.<fmt>", methods=["GET"])
@open311_view()
def get_requests(fmt, key):
    query = open311_requests.parse_query(db.session, request.args.to_dict(flat=False))
    cases = open311_requests.search(db.session, query)
    locale = current_locale()
    return respond(fmt, "service_requests", [open311_requests.request_entry(c, key, locale) for c in cases])


@bp.route("/requests.<fmt>", methods=["POST"])
@open311_view(needs_key=True, to_write=True)
def post_requests(fmt, key):
    form, problems, _category = read_post(request.form)
    if problems:
        raise Open311Error(problems)
    intake = form.to_intake()
    intake.media_url = (form.media_url.data or "").strip()
    try:
        begin_write(db.session)
        key = db.session.get(ApiKey, key.id)
        if key is None or key.revoked:  # revoked while this request was on its way
            keys.authenticate(db.session, context.sent_api_key(), required=True, to_write=True)
        filed = open311_requests.file_request(db.session, key, intake, ip_address=client_ip())
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise fail(BAD_REQUEST, FIELD_NAMES.get(error.field or "", error.field or ""), error.message) from None
    except SQLAlchemyError:
        db.session.rollback()
        raise
    case = filed.case
    return respond(fmt, "service_requests", [{
        "service_request_id": case.tracking_code,
        "service_notice": open311_requests.service_notice(case, current_locale()),
    }])


@bp.route("/requests/<service_request_id>.<fmt>")
@open311_view()
def get_request(fmt, key, service_request_id):
    case = open311_requests.find_request(db.session, service_request_id)
    return respond(fmt, "service_requests", [open311_requests.request_entry(case, key, current_locale())])


@bp.route("/tokens/<token>.<fmt>")
@open311_view()
def token(fmt, key, token):
    # Every service is realtime: POST answers with the service_request_id at once and issues no token,
    # so no token is known. A batch service would look its token up here.
    raise fail(NOT_FOUND, "token", _l("No request has this token."))


@bp.route("/openapi.json")
def openapi():
    from .openapi import document

    context.prepare()
    locale = current_locale()
    offered = [(c.code, open311_services.service_attributes(db.session, c, locale))
               for c in open311_services.offered_services(db.session)]
    server = url_for("open311.discovery", fmt="json", _external=True).rsplit("/", 1)[0]
    return jsonify(document(server, offered, _expected_jurisdiction()))

