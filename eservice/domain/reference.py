"""Loading the municipality's reference data from its TOML file. Idempotent: existing rows, as the
administrators may have edited them, are kept; only what is missing is added."""

import tomllib
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Category, Channel, Division, Holiday, HolidaySource, Organisation, Village
from .organisation import current as current_organisation

DEFAULT_CASE_TYPES = ("complaint", "suggestion", "inquiry")


@dataclass
class LoadReport:
    added: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> None:
        self.added[kind] = self.added.get(kind, 0) + 1


def load_reference_data(session: Session, path: str) -> LoadReport:
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    report = LoadReport()

    org = current_organisation(session)
    if org is None:
        session.add(Organisation(**data["organisation"]))
        report.count("organisation")
    else:
        # Fields added after the organisation was first loaded are filled in, never overwritten.
        for name in ("executive_title_th", "executive_title_en"):
            if not getattr(org, name) and data["organisation"].get(name):
                setattr(org, name, data["organisation"][name])

    divisions = {d.code: d for d in session.scalars(select(Division))}
    for order, item in enumerate(data.get("divisions", [])):
        if item["code"] in divisions:
            continue
        item = dict(item)
        parent = divisions.get(item.pop("parent", None) or "")
        division = Division(sort_order=order * 10, parent=parent, **item)
        session.add(division)
        divisions[division.code] = division
        report.count("divisions")

    existing = set(session.scalars(select(Category.code)))
    for order, item in enumerate(data.get("categories", [])):
        if item["code"] in existing:
            continue
        item = dict(item)
        division = divisions[item.pop("division")]
        case_types = " ".join(item.pop("case_types", DEFAULT_CASE_TYPES))
        session.add(Category(division=division, case_types=case_types, sort_order=order * 10, **item))
        report.count("categories")

    existing_villages = set(session.scalars(select(Village.number)))
    for item in data.get("villages", []):
        item = {"number": item} if isinstance(item, int) else dict(item)
        if item["number"] not in existing_villages:
            session.add(Village(**item))
            report.count("villages")

    existing_channels = set(session.scalars(select(Channel.code)))
    for order, item in enumerate(data.get("channels", [])):
        if item["code"] not in existing_channels:
            session.add(Channel(sort_order=order * 10, **item))
            report.count("channels")

    # Thailand's public and government holidays come from the holidays package (eservice.domain.days_off);
    # a reference file may still list local days off, which are kept like an administrator's own days.
    existing_days = set(session.scalars(select(Holiday.day)))
    for item in data.get("holidays", []):
        if item["day"] not in existing_days:
            session.add(Holiday(day=item["day"], name=item.get("name", ""), name_en=item.get("name_en", ""),
                                source=HolidaySource.ADMIN_ADDED.value))
            report.count("holidays")

    session.flush()
    return report
