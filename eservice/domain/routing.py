"""Where a case goes on filing: category → its division; integrity reports → the integrity unit;
objections → the division named, else the category's division (finance)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Category, Division
from .case_types import CASE_TYPES
from .errors import DomainError


def integrity_unit(session: Session) -> Division:
    unit = session.scalar(
        select(Division).where(Division.is_integrity_unit.is_(True), Division.active.is_(True)).limit(1)
    )
    if unit is None:
        raise DomainError(_l("No integrity unit is configured; an administrator must name one."))
    return unit


def route(
    session: Session, case_type: str, category: Category | None, subject_division: Division | None
) -> Division:
    kind = CASE_TYPES[case_type]
    if kind.confidential:
        return integrity_unit(session)
    if case_type == "objection" and subject_division is not None:
        return subject_division
    if category is None:
        raise DomainError(_l("Choose a category."), field="service_code")
    return category.division
