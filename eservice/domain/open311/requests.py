"""Service requests: what each shows to whom, the filters of GET requests, and filing one.

Who sees what:

- Anyone (no key, or a key that did not file the request) sees what tracking by code alone shows —
  the status and its dates — plus the service, the division handling it and the office's latest public
  reply: never the description, the place, coordinates, media or anyone's identity.
- The key that filed a request also sees its description, address, coordinates and media link.
- Corruption and gift reports are never shown to anyone: their ids answer exactly as unknown ids.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ...models import Case, Category
from ...models.open311 import ApiKey
from ...models.reference import village_label
from .. import audit, tracking
from ..case_types import GENERAL_TYPES
from ..filing import Filed, Intake, file_case
from ..statuses import ALL as ALL_STATUSES
from ..statuses import OPEN_STATUSES
from ..thai import format_date
from . import keys
from .dates import end_of_day, parse_w3c, w3c
from .problems import BAD_REQUEST, NOT_FOUND, Open311Error, Problem, fail
from .services import find_service

OPEN, CLOSED = "open", "closed"
STATUSES = (OPEN, CLOSED)
MAX_SPAN = timedelta(days=90)  # the spec's window: start_date..end_date, and the default
MAX_RESULTS = 1000  # "the last 90 days or the first 1,000, whichever is smaller"
MAX_DESCRIPTION_CHARS = 4000  # the spec's limit on description
REQUEST_ID = re.compile(r"[A-Z0-9-]{1,30}")  # a tracking code's characters
FIELD_ORDER = (
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
)


def open311_status(case: Case) -> str:
    return OPEN if case.status in OPEN_STATUSES else CLOSED


def _statuses_for(open311_statuses: set[str]) -> list[str]:
    return [s for s in ALL_STATUSES if (OPEN if s in OPEN_STATUSES else CLOSED) in open311_statuses]


def shown_clause():
    """Cases Open311 may mention at all: never a confidential one (and never an integrity case type,
    should one ever lose its seal by mistake)."""
    return and_(Case.confidential.is_(False), Case.case_type.in_(GENERAL_TYPES))


def _with_details(query):
    return query.options(
        joinedload(Case.category).joinedload(Category.division),
        joinedload(Case.division),
        joinedload(Case.village),
        selectinload(Case.events),
    )


def _well_formed(code: str) -> bool:
    return bool(REQUEST_ID.fullmatch(code))


def find_request(session: Session, service_request_id: str) -> Case:
    """The request with this id (the tracking code), or a 404 that reads the same for unknown ids and
    for corruption and gift reports."""
    code = tracking.normalise_code(service_request_id)
    case = None
    if _well_formed(code):
        case = session.scalar(_with_details(select(Case).where(Case.tracking_code == code, shown_clause())))
    if case is None:
        raise fail(NOT_FOUND, "service_request_id", _l("No request has this service_request_id."))
    return case


# --- what a request shows --------------------------------------------------------------------------


def latest_public_reply(case: Case) -> str | None:
    """The office's latest note the citizen can read (a reply, or the note of a status change): the
    citizen's own words are not the office's reply and stay out."""
    for event in reversed(case.events):
        if event.public and event.actor_kind == "staff" and (event.note or "").strip():
            return event.note.strip()
    return None


def last_public_change(case: Case) -> datetime:
    times = [e.created_at for e in case.events if e.public]
    return max(times) if times else case.received_at


def place(case: Case, locale: str) -> str | None:
    """From the most specific to the most general, as the spec asks."""
    parts = [case.address_string.strip()] if case.address_string and case.address_string.strip() else []
    if case.village is not None:
        parts.append(village_label(case.village, locale))
    return ", ".join(parts) or None


def filed_by(case: Case, viewer: ApiKey | None) -> bool:
    return viewer is not None and case.api_key_id is not None and case.api_key_id == viewer.id


def request_entry(case: Case, viewer: ApiKey | None, locale: str) -> dict:
    """One ``request`` of GET requests, in the spec's element order; what it may not show is null."""
    entry = dict.fromkeys(FIELD_ORDER)
    entry.update({
        "service_request_id": case.tracking_code,
        "status": open311_status(case),
        "status_notes": latest_public_reply(case),
        "service_name": case.category.name(locale) if case.category else None,
        "service_code": case.category.code if case.category else "",
        "agency_responsible": case.division.name(locale),
        "requested_datetime": w3c(case.received_at),
        "updated_datetime": w3c(last_public_change(case)),
        "expected_datetime": end_of_day(case.resolve_due),
    })
    if filed_by(case, viewer):
        entry.update({
            "description": case.description[:MAX_DESCRIPTION_CHARS],
            "address": place(case, locale),
            "lat": case.lat,
            "long": case.long,
            "media_url": case.media_url or None,
        })
    return entry


# --- GET requests: the filters ---------------------------------------------------------------------


@dataclass
class RequestQuery:
    ids: list[str]  # when given, the only filter (the spec: it "overrides all other arguments")
    service_codes: list[str]
    statuses: list[str]
    start: datetime
    end: datetime


SPACES = " \t\n\r"  # what is trimmed from a value (as the OpenAPI document's patterns say)


def _values(params: Mapping[str, list[str]], name: str) -> list[str]:
    """A parameter that may be sent several times and as a comma list; empty means not sent."""
    found = []
    for raw in params.get(name, []) or []:
        for part in str(raw).split(","):
            part = part.strip(SPACES)
            if part and part not in found:
                found.append(part)
    return found


def _single(params: Mapping[str, list[str]], name: str) -> str:
    values = [str(v).strip(SPACES) for v in params.get(name, []) or [] if str(v).strip(SPACES)]
    return values[-1] if values else ""


def parse_query(session: Session, params: Mapping[str, list[str]], now: datetime | None = None) -> RequestQuery:
    """Read the filters of GET requests; raises one Open311Error listing every malformed one (HTTP 400).
    service_request_id overrides the other filters, but a malformed one is refused all the same."""
    now = now or datetime.now(UTC)
    problems = []
    ids = [v.upper() for v in _values(params, "service_request_id")]
    if not all(_well_formed(i) for i in ids):
        problems.append(Problem(BAD_REQUEST, "service_request_id",
                                _l("A service_request_id is a tracking code, e.g. BPT-2568-00042.")))
    codes = _values(params, "service_code")
    for code in codes:
        if find_service(session, code) is None:
            problems.append(Problem(BAD_REQUEST, "service_code",
                                    _l("There is no service “%(code)s”; see GET services.", code=code[:50])))
    statuses = _values(params, "status")
    for status in statuses:
        if status not in STATUSES:
            problems.append(Problem(BAD_REQUEST, "status", _l("Use open or closed.")))
    start_text, end_text = _single(params, "start_date"), _single(params, "end_date")
    start = parse_w3c(start_text) if start_text else None
    end = parse_w3c(end_text) if end_text else None
    example = "2025-01-31T00:00:00+07:00"
    if start_text and start is None:
        problems.append(Problem(BAD_REQUEST, "start_date",
                                _l("Use the W3C format with a time zone, e.g. %(example)s.", example=example)))
    if end_text and end is None:
        problems.append(Problem(BAD_REQUEST, "end_date",
                                _l("Use the W3C format with a time zone, e.g. %(example)s.", example=example)))
    if problems:
        raise Open311Error(problems)
    if start is not None and end is not None and not ids:
        # The window rules are about filtering by date, which service_request_id overrides.
        if end < start:
            raise fail(BAD_REQUEST, "end_date", _l("The end_date is before the start_date."))
        if end - start > MAX_SPAN:
            raise fail(BAD_REQUEST, "end_date", _l("start_date and end_date may be at most 90 days apart."))
    # Without dates, the last 90 days; with one of them, the 90 days from or up to it.
    if start is not None and end is not None:
        window = (start, end)
    elif start is not None:
        window = (start, start + MAX_SPAN)
    else:
        last = end if end is not None else now
        window = (last - MAX_SPAN, last)
    return RequestQuery(ids=ids, service_codes=codes, statuses=statuses, start=window[0], end=window[1])


def search(session: Session, query: RequestQuery, limit: int = MAX_RESULTS) -> list[Case]:
    statement = select(Case).where(shown_clause())
    if query.ids:
        statement = statement.where(Case.tracking_code.in_([i for i in query.ids if _well_formed(i)][:limit]))
    else:
        statement = statement.where(Case.received_at >= query.start, Case.received_at <= query.end)
        if query.service_codes:
            statement = statement.join(Case.category).where(Category.code.in_(query.service_codes))
        if query.statuses and set(query.statuses) != set(STATUSES):
            statement = statement.where(Case.status.in_(_statuses_for(set(query.statuses))))
    statement = statement.order_by(Case.received_at.desc(), Case.id.desc()).limit(limit)
    return list(session.scalars(_with_details(statement)).unique())


# --- POST requests ---------------------------------------------------------------------------------


def service_notice(case: Case, locale: str) -> str:
    return str(_l("%(division)s will answer by %(date)s.", division=case.division.name(locale),
                  date=format_date(case.resolve_due, locale)))


def file_request(session: Session, key: ApiKey, intake: Intake, *, ip_address: str = "",
                 now: datetime | None = None) -> Filed:
    """File a request validated by the intake schema, under the key's channel, and audit it with the
    key's name: one transaction with the case (the caller commits)."""
    now = now or datetime.now(UTC)
    if intake.case_type not in GENERAL_TYPES:
        # Nothing reaches here otherwise (the services offer none); a sealed report never comes this way.
        raise fail(BAD_REQUEST, "attribute[case_type]", _l("Choose one of the values the service lists."))
    intake.channel_code = key.channel_code
    intake.api_key_id = key.id
    filed = file_case(session, intake, now=now)
    # The audit log names the key (no staff account files through the API).
    audit.record(
        session, "open311.request.create", actor=keys.actor_for(key), ip_address=ip_address, target_type="case",
        target_id=filed.case.id, now=now,
        details={"api_key_id": key.id, "api_key": key.name, "tracking_code": filed.case.tracking_code,
                 "channel": key.channel_code},
    )
    keys.mark_used(key, now)
    return filed
