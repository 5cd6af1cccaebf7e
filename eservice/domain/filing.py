"""Filing a case: route it, number it, date it, and record it with its first event, all in the
caller's transaction, so a failed filing leaves nothing behind (no case, no file, no used number)."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from ..models import Attachment, Case, CaseEvent, Category, Division, Reporter, Village
from . import audit, clock, organisation, routing, tracking, workflow
from .audit import By
from .case_types import CASE_TYPES
from .errors import DomainError
from .fiscal import fiscal_year_of
from .thai import to_bangkok
from .uploads import CleanFile


@dataclass
class Intake:
    """What was filed, already validated by the intake schema (:mod:`eservice.intake`)."""

    case_type: str
    description: str
    category: Category | None = None
    village: Village | None = None
    address_string: str = ""
    lat: float | None = None
    long: float | None = None
    anonymous: bool = True
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    email: str = ""
    national_id: str = ""
    subject_division: Division | None = None
    channel_code: str = "web"
    received_at: datetime | None = None  # when the office received it; now for the web
    locale: str = "th"
    files: list[CleanFile] = field(default_factory=list)
    submission_token: str | None = None
    api_key_id: int | None = None  # filed by a partner system through the Open311 API with this key
    media_url: str = ""  # Open311 media_url: a link for the officer, never fetched
    # The key to give the filer; by default derived from the form's token (see the web side), else random.
    receipt_key: str | None = None
    # Filed in LINE chat: the LINE user to answer there (eservice.domain.line). Kept with the reporter's
    # details even when the filing is anonymous, and never shown to staff.
    line_user_id: str = ""


@dataclass
class Filed:
    case: Case
    receipt_key: str


class AlreadyFiled(Exception):
    """The same form (same one-time submission token) was filed before: a double tap, a resent POST.
    Not a refusal: the caller shows that filing instead of an error. The transaction must be rolled back."""

    def __init__(self, case_id: int, tracking_code: str) -> None:
        super().__init__(tracking_code)
        self.case_id = case_id
        self.tracking_code = tracking_code


def _raise_if_filed(session: Session, token: str | None) -> None:
    earlier = find_by_submission_token(session, token)
    if earlier is not None:
        raise AlreadyFiled(earlier.id, earlier.tracking_code)


def find_by_submission_token(session: Session, token: str | None) -> Case | None:
    if not token:
        return None
    return session.scalar(select(Case).where(Case.submission_token_hash == tracking.hash_token(token)))


def filing_digest(case: Case) -> str:
    """A SHA-256 over what was filed, printed on the proof of filing so both sides can show later
    that the text and files were not changed."""
    content = {
        "code": case.tracking_code,
        "type": case.case_type,
        "received_at": case.received_at.isoformat(),
        "category": case.category.code if case.category else None,
        "village": case.village.number if case.village else None,
        "address": case.address_string,
        "description": case.description,
        "files": [a.sha256 for a in case.attachments],
    }
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def file_case(session: Session, intake: Intake, *, by: By | None = None, now: datetime | None = None) -> Filed:
    """Record a new case. Call it inside :func:`eservice.database.begin_write`; the caller commits.

    ``by`` names the officer who records a case that came another way (audited); a citizen filing
    themselves is nobody in the audit log.

    A form sent twice files once: the token is checked here, inside the write transaction (on SQLite
    writers queue on the write lock, so the second sees the first), and a twin that raced past the check
    (PostgreSQL: both read before either committed) meets the unique token and is told the same.
    Either way :class:`AlreadyFiled` is raised."""
    actor = by.user if by is not None else None
    _raise_if_filed(session, intake.submission_token)
    kind = CASE_TYPES.get(intake.case_type)
    if kind is None:
        raise DomainError(_l("Unknown case type."), field="case_type")
    if not intake.description.strip():
        raise DomainError(_l("Describe the matter."), field="description")
    category = intake.category
    if category is not None and (not category.active or not category.offered_for(intake.case_type)):
        raise DomainError(_l("This category is not available for this kind of case."), field="service_code")
    if kind.confidential and category is not None and not category.division.is_integrity_unit:
        raise DomainError(_l("This category is not available for this kind of case."), field="service_code")

    division = routing.route(session, intake.case_type, category, intake.subject_division)
    org = organisation.required(session)
    now = now or datetime.now(UTC)
    received_at = intake.received_at or now
    fiscal_year = fiscal_year_of(received_at)
    ack_days, resolve_days = clock.limits_for(category)
    ack_due, resolve_due = clock.due_dates(session, to_bangkok(received_at).date(), ack_days, resolve_days)

    # Corruption and gift reports number from their own series: the general one shows no gap for them.
    series = tracking.series_for(kind.confidential)
    number = tracking.allocate_number(session, fiscal_year, series)
    receipt_key = intake.receipt_key or tracking.new_receipt_key()
    case = Case(
        tracking_code=tracking.format_tracking_code(org.tracking_prefix, fiscal_year, number, series),
        fiscal_year=fiscal_year,
        number=number,
        receipt_key_hash=tracking.hash_key(receipt_key),
        submission_token_hash=tracking.hash_token(intake.submission_token) if intake.submission_token else None,
        case_type=intake.case_type,
        channel_code=intake.channel_code,
        category=category,
        division=division,
        subject_division=intake.subject_division,
        village=intake.village,
        description=intake.description.strip(),
        address_string=intake.address_string.strip(),
        lat=intake.lat,
        long=intake.long,
        api_key_id=intake.api_key_id,
        media_url=intake.media_url,
        anonymous=intake.anonymous,
        confidential=kind.confidential,
        locale=intake.locale,
        received_at=received_at,
        created_at=now,
        ack_due=ack_due,
        resolve_due=resolve_due,
    )
    if not intake.anonymous:
        # An anonymous filing keeps no identity at all, even if the form carried some.
        case.reporter = Reporter(
            first_name=intake.first_name.strip(),
            last_name=intake.last_name.strip(),
            phone=intake.phone,
            email=intake.email,
            national_id=intake.national_id,
            line_user_id=intake.line_user_id,
        )
    elif intake.line_user_id:
        # Anonymous in LINE: no name, but the LINE account it came from, so the person hears back there.
        case.reporter = Reporter(line_user_id=intake.line_user_id)
    event = workflow.start_life(
        case, actor=actor, now=now,
        data={"channel": intake.channel_code, **({"api_key_id": intake.api_key_id} if intake.api_key_id else {})},
    )
    attach_files(case, event, intake.files, now)
    try:
        # A savepoint (begun before the case is added: begin_nested flushes first), so that the twin's
        # refusal leaves the transaction usable for finding the filing it twins.
        with session.begin_nested():
            session.add(case)
            session.flush()
    except IntegrityError:
        if intake.submission_token:
            if case in session:  # else the next query would flush the twin again
                session.expunge(case)
            with session.no_autoflush:
                _raise_if_filed(session, intake.submission_token)
        raise
    if by is not None and actor is not None:
        audit.change(session, by, "case.file", target_type="case", target_id=case.tracking_code,
                     details={"case_id": case.id, "channel": intake.channel_code, "type": intake.case_type})
    return Filed(case=case, receipt_key=receipt_key)


def attach_files(case: Case, event, files: list[CleanFile], now: datetime) -> None:
    for upload in files:
        case.attachments.append(
            Attachment(
                event=event,
                filename=upload.filename,
                content_type=upload.content_type,
                size=upload.size,
                sha256=upload.sha256,
                data=upload.data,
                created_at=now,
            )
        )


def find_case_by_code(session: Session, code: str, *, whole: bool = False) -> Case | None:
    """The case with this tracking code. ``whole``: with what its page shows loaded in three queries (the case
    with its category, division, village and channel; its events with their attachments; its attachments),
    instead of one lazy query per relation while the page renders."""
    query = select(Case).where(Case.tracking_code == tracking.normalise_code(code))
    if whole:
        query = query.options(
            joinedload(Case.category), joinedload(Case.division), joinedload(Case.village),
            joinedload(Case.channel), joinedload(Case.rating),
            selectinload(Case.events).selectinload(CaseEvent.attachments), selectinload(Case.attachments),
        )
    return session.scalar(query)


def load_event_files(session: Session, case: Case) -> None:
    """Load the case's events with every event's files for a timeline: two queries, not one per event.
    (Events already loaded are left as they are.)"""
    session.scalars(
        select(Case).where(Case.id == case.id).options(selectinload(Case.events).selectinload(CaseEvent.attachments))
    ).one()


def add_citizen_information(
    session: Session, case: Case, note: str, files: list[CleanFile], now: datetime | None = None
):
    """The citizen adds text or files; if the office was waiting for them, the clock restarts."""
    if not workflow.can_add_information(case):
        raise DomainError(_l("This case is finished; information can no longer be added to it."))
    if not note.strip() and not files:
        raise DomainError(_l("Write something or attach a file."), field="note")
    now = now or datetime.now(UTC)
    event = workflow.citizen_adds_information(session, case, note.strip(), now)
    attach_files(case, event, files, now)
    session.flush()
    return event
