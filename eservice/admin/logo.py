"""The organisation's logo at a public address (/organisation/logo), for the home page and printouts."""

from flask import Blueprint, Response, abort

from ..domain.organisation import current as current_organisation
from ..extensions import db

logo_bp = Blueprint("organisation", __name__)


@logo_bp.route("/organisation/logo")
def logo():
    org = current_organisation(db.session)
    if org is None or not org.logo_content_type or not org.logo:
        abort(404)
    response = Response(org.logo, mimetype=org.logo_content_type)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
