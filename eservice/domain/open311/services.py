"""Which categories are Open311 services, and what each asks for (its attributes).

A service is an active category offered for at least one general case type (complaint, suggestion,
inquiry, objection). Corruption and gift categories are never services: a partner system cannot see
them, and their codes answer as unknown codes.
"""

import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Category, Division, Village
from ...models.reference import village_label
from ..case_types import CASE_TYPES, GENERAL_TYPES

# Attribute codes are the intake schema's field names.
CASE_TYPE = "case_type"
VILLAGE = "village"
SUBJECT_DIVISION = "subject_division"
ATTRIBUTE_CODES = (CASE_TYPE, VILLAGE, SUBJECT_DIVISION)

SERVICE_TYPE = "realtime"  # every service answers with its service_request_id at once
SERVICE_CODE = re.compile(r"[a-z][a-z0-9_]{1,39}")  # as administrators may write category codes


@dataclass
class Attribute:
    code: str
    description: object  # lazy string
    required: bool
    order: int
    values: list[tuple[str, str]] = field(default_factory=list)  # (key, name)
    datatype: str = "singlevaluelist"
    variable: bool = True
    datatype_description: object | None = None


def general_types(category: Category) -> list[str]:
    """The general case types a category is offered for, in the brief's order."""
    offered = set(category.case_types.split())
    return [code for code in GENERAL_TYPES if code in offered]


def is_service(category: Category | None) -> bool:
    return (
        category is not None
        and category.active
        and not category.division.is_integrity_unit
        and bool(general_types(category))
    )


def offered_services(session: Session) -> list[Category]:
    categories = session.scalars(
        select(Category).where(Category.active.is_(True)).order_by(Category.sort_order, Category.id)
    )
    return [c for c in categories if is_service(c)]


def find_service(session: Session, code: str) -> Category | None:
    """The service with this code, or None: unknown codes and integrity categories alike."""
    code = (code or "").strip()
    if not SERVICE_CODE.fullmatch(code):
        return None  # not a code at all (and nothing odd, such as a NUL, is sent to the database)
    category = session.scalar(select(Category).where(Category.code == code))
    return category if is_service(category) else None


def _villages(session: Session) -> list[Village]:
    return list(session.scalars(select(Village).where(Village.active.is_(True)).order_by(Village.number)))


def _subject_divisions(session: Session) -> list[Division]:
    return list(session.scalars(
        select(Division)
        .where(Division.active.is_(True), Division.is_integrity_unit.is_(False))
        .order_by(Division.sort_order, Division.id)
    ))


def service_attributes(session: Session, category: Category, locale: str, *, villages=None) -> list[Attribute]:
    """The attributes of a service: the case type when it serves several, the village, and for
    objections the division concerned. Keys are the case type codes, village numbers, division codes."""
    attributes: list[Attribute] = []
    types = general_types(category)
    if len(types) > 1:
        attributes.append(Attribute(
            CASE_TYPE, _l("Kind of case"), True, len(attributes) + 1,
            [(code, str(CASE_TYPES[code].label)) for code in types],
        ))
    villages = _villages(session) if villages is None else villages
    if villages:
        attributes.append(Attribute(
            VILLAGE, _l("Village"), False, len(attributes) + 1,
            [(str(v.number), village_label(v, locale)) for v in villages],
        ))
    if any(CASE_TYPES[code].names_division for code in types):
        attributes.append(Attribute(
            SUBJECT_DIVISION, _l("Division concerned (if you know it)"), False, len(attributes) + 1,
            [(d.code, d.name(locale)) for d in _subject_divisions(session)],
            datatype_description=_l("Only for an objection to budget spending."),
        ))
    return attributes


def service_entry(category: Category, locale: str, *, has_attributes: bool) -> dict:
    """One ``service`` of GET services, in the spec's element order."""
    types = general_types(category)
    labels = ", ".join(str(CASE_TYPES[code].short) for code in types)
    return {
        "service_code": category.code,
        "service_name": category.name(locale),
        "description": str(_l("%(types)s. The division answers within %(days)d working days.",
                              types=labels, days=category.resolve_days)),
        "metadata": has_attributes,
        "type": SERVICE_TYPE,
        "keywords": labels,
        "group": category.division.name(locale),
    }


def services(session: Session, locale: str) -> list[dict]:
    villages = _villages(session)
    return [
        service_entry(c, locale, has_attributes=bool(service_attributes(session, c, locale, villages=villages)))
        for c in offered_services(session)
    ]


def service_definition(session: Session, category: Category, locale: str) -> dict:
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": a.variable,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": str(a.datatype_description) if a.datatype_description else None,
                "order": a.order,
                "description": str(a.description),
                "values": [{"key": key, "name": name} for key, name in a.values],
            }
            for a in service_attributes(session, category, locale)
        ],
    }
