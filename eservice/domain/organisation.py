"""The one organisation this installation serves (its name, prefix, contacts and published texts)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Organisation
from .errors import DomainError


def current(session: Session) -> Organisation | None:
    """The organisation, or None before ``flask --app eservice init`` has run."""
    return session.scalar(select(Organisation).order_by(Organisation.id).limit(1))


def required(session: Session) -> Organisation:
    org = current(session)
    if org is None:
        raise DomainError(_l("The service is not set up yet: run `flask --app eservice init`."))
    return org
