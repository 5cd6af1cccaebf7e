"""The one organisation this installation serves (its name, prefix, contacts and published texts)."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Case, Organisation
from .errors import DomainError
from .thai import bangkok_today, to_bangkok


def current(session: Session) -> Organisation | None:
    """The organisation, or None before ``flask --app eservice init`` has run."""
    return session.scalar(select(Organisation).order_by(Organisation.id).limit(1))


def required(session: Session) -> Organisation:
    org = current(session)
    if org is None:
        raise DomainError(_l("The service is not set up yet: run `flask --app eservice init`."))
    return org


def in_use_since(session: Session) -> date | None:
    """The day the e-Service went into use, or None before ``init``: figures before it are unknown, not 0."""
    org = current(session)
    return org.in_use_since if org is not None else None


def settle_in_use_since(session: Session, org: Organisation, *, now: datetime | None = None) -> date:
    """Set the go-live date once (``init``): the day of the first case on record, or today for a new
    installation. An administrator may correct it later; it is never moved by ``init`` again."""
    if org.in_use_since is None:
        first = session.scalar(select(func.min(Case.received_at)))
        org.in_use_since = to_bangkok(first).date() if first is not None else bangkok_today(now)
        session.flush()
    return org.in_use_since
