"""Writing and verifying the audit log.

Each entry stores the SHA-256 of its own content together with the hash of the entry before it, so
changing or deleting any entry breaks the chain from there on (``flask --app eservice audit-verify``).
Entries are appended under a lock on the last entry's position (SQLite: the write transaction;
PostgreSQL: an advisory transaction lock), so two writers cannot both chain to the same predecessor.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..models.audit import AuditEntry
from .case_types import INTEGRITY_TYPES

if TYPE_CHECKING:
    from ..models.user import User

AUDIT_LOCK_KEY = 7_311_001
# Case types whose entries are masked for readers outside the integrity unit even before a case row exists.
_SEALED_TYPES = frozenset(INTEGRITY_TYPES)  # any constant; names the advisory lock on PostgreSQL


@dataclass(frozen=True)
class By:
    """Who makes a change and from where: the audit log names them. ``user`` is None for the system."""

    user: "User | None" = None
    ip: str = ""


def jsonable(value):
    """Audit details as JSON: dates as ISO text, decimals as text, sets as sorted lists."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, set):
        return sorted(jsonable(v) for v in value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def change(session: Session, by: By, action: str, *, target_type: str, target_id: object = "",
           details: dict | None = None, note: str = "", now: datetime | None = None) -> AuditEntry:
    """The audit entry of a change made by ``by``, in the same transaction as the change."""
    return record(session, action, actor=by.user, ip_address=by.ip, target_type=target_type,
                  target_id=target_id, details=jsonable(details) if details else None, note=note, now=now)


def _content_hash(entry: AuditEntry) -> str:
    payload = {
        "created_at": entry.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "ip_address": entry.ip_address,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "details": entry.details,
        "note": entry.note,
        "prev_hash": entry.prev_hash,
    }
    encoded = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def record(
    session: Session,
    action: str,
    *,
    actor=None,
    ip_address: str = "",
    target_type: str = "",
    target_id: object = "",
    details: dict | None = None,
    note: str = "",
    now: datetime | None = None,
) -> AuditEntry:
    """Append an entry in the caller's transaction (it commits or rolls back with the change)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
    last = session.scalar(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1))
    entry = AuditEntry(
        created_at=now or datetime.now(UTC),
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", "") or "",
        ip_address=ip_address or "",
        action=action,
        target_type=target_type,
        target_id=str(target_id) if target_id != "" else "",
        details=details,
        note=note,
        prev_hash=last or "",
    )
    entry.entry_hash = _content_hash(entry)
    session.add(entry)
    session.flush()
    return entry


@dataclass
class VerifyResult:
    checked: int
    first_bad_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None


def verify(session: Session) -> VerifyResult:
    """Walk the chain in order; report the first entry whose content or link does not match."""
    previous = ""
    checked = 0
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)).yield_per(1000):
        if entry.prev_hash != previous:
            return VerifyResult(checked, entry.id, "link to the previous entry is broken (an entry was removed)")
        if _content_hash(entry) != entry.entry_hash:
            return VerifyResult(checked, entry.id, "content does not match its hash (the entry was changed)")
        previous = entry.entry_hash
        checked += 1
    return VerifyResult(checked)


# --- searching the log -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditQuery:
    """What the administrator asks the log for; empty fields do not filter. Dates are Bangkok dates,
    both included."""

    action: str = ""  # a prefix: "admin.user" finds every change to accounts
    actor: str = ""  # a user name, any case
    target_type: str = ""
    target_id: str = ""
    ip_address: str = ""
    start: date | None = None
    end: date | None = None


@dataclass
class AuditPage:
    entries: list
    total: int
    page: int
    pages: int


def _bangkok_midnight(day: date) -> datetime:
    from .thai import BANGKOK

    return datetime.combine(day, datetime.min.time(), tzinfo=BANGKOK).astimezone(UTC)


def search(session: Session, query: AuditQuery, *, page: int = 1, page_size: int = 50,
           full: bool = True) -> AuditPage:
    """Entries matching ``query``, newest first, one page of them. With ``full`` false (a reader outside
    the integrity unit) the entries about corruption and gift reports come masked (:func:`shown`), and a
    search by target cannot find them: it would tell that a code belongs to a sealed report."""
    from datetime import timedelta

    from sqlalchemy import func

    statement = select(AuditEntry)
    if query.target_id and not full:
        statement = statement.where(~_is_about_a_sealed_case())
    if query.action:
        statement = statement.where(AuditEntry.action.startswith(query.action, autoescape=True))
    if query.actor:
        statement = statement.where(func.lower(AuditEntry.actor_name) == query.actor.lower())
    if query.target_type:
        statement = statement.where(AuditEntry.target_type == query.target_type)
    if query.target_id:
        statement = statement.where(AuditEntry.target_id == query.target_id)
    if query.ip_address:
        statement = statement.where(AuditEntry.ip_address == query.ip_address)
    if query.start:
        statement = statement.where(AuditEntry.created_at >= _bangkok_midnight(query.start))
    if query.end:
        statement = statement.where(AuditEntry.created_at < _bangkok_midnight(query.end + timedelta(days=1)))
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    pages = max(1, (total + page_size - 1) // page_size)
    page = min(max(1, page), pages)
    entries = session.scalars(
        statement.order_by(AuditEntry.id.desc()).offset((page - 1) * page_size).limit(page_size)).all()
    return AuditPage(shown(session, list(entries), full=full), total, page, pages)


def _is_about_a_sealed_case():
    from sqlalchemy import and_, exists

    from ..models import Case

    return and_(AuditEntry.target_type == "case", exists().where(
        Case.confidential.is_(True), Case.tracking_code == AuditEntry.target_id))


@dataclass(frozen=True)
class ShownEntry:
    """An entry as one reader may see it. ``sealed``: about a corruption or gift report, and masked for this
    reader (the entry's existence, time, actor, action and address stay; the code, details and note go)."""

    id: int
    created_at: datetime
    actor_name: str
    ip_address: str
    action: str
    target_type: str
    target_id: str
    details: dict | None
    note: str
    sealed: bool = False


SEALED_MASK = "•••"


def sealed_entry_ids(session: Session, entries: list[AuditEntry]) -> set[int]:
    """The entries about a confidential case: by the case's code (``target_id``) or id (``details.case_id``)."""
    from sqlalchemy import or_

    from ..models import Case

    about = [e for e in entries if e.target_type == "case"]
    if not about:
        return set()
    codes = {e.target_id for e in about if e.target_id}
    ids = {e.details.get("case_id") for e in about if isinstance(e.details, dict)}
    ids = {i for i in ids if isinstance(i, int)}
    rows = session.execute(select(Case.id, Case.tracking_code).where(
        Case.confidential.is_(True), or_(Case.tracking_code.in_(codes), Case.id.in_(ids)))).all()
    sealed_codes, sealed_ids = {r.tracking_code for r in rows}, {r.id for r in rows}
    return {e.id for e in about
            if e.target_id in sealed_codes
            or (isinstance(e.details, dict) and e.details.get("case_id") in sealed_ids)
            or (isinstance(e.details, dict) and e.details.get("type") in _SEALED_TYPES)}


def shown(session: Session, entries: list[AuditEntry], *, full: bool) -> list[ShownEntry]:
    """The entries for a reader: in full (``full``: the integrity unit), or with those about a sealed report
    masked."""
    sealed = set() if full else sealed_entry_ids(session, entries)
    out = []
    for e in entries:
        if e.id in sealed:
            out.append(ShownEntry(e.id, e.created_at, e.actor_name, e.ip_address, e.action, e.target_type,
                                  SEALED_MASK, None, "", sealed=True))
        else:
            out.append(ShownEntry(e.id, e.created_at, e.actor_name, e.ip_address, e.action, e.target_type,
                                  e.target_id, e.details, e.note))
    return out


def known_actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def known_target_types(session: Session) -> list[str]:
    return [t for t in session.scalars(select(AuditEntry.target_type).distinct().order_by(AuditEntry.target_type))
            if t]
