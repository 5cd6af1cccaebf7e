"""Writing and verifying the audit log.

Each entry stores the SHA-256 of its own content together with the hash of the entry before it, so
changing or deleting any entry breaks the chain from there on (``flask --app eservice audit-verify``).
Entries are appended under a lock on the last entry's position (SQLite: the write transaction;
PostgreSQL: an advisory transaction lock), so two writers cannot both chain to the same predecessor.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..models.audit import AuditEntry

AUDIT_LOCK_KEY = 7_311_001  # any constant; names the advisory lock on PostgreSQL


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
