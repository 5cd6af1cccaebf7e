"""Attachments kept across a refused filing form, so that a citizen who forgot a field does not have to
find and attach their photos again. Keyed by the form's one-time submission token; kept for an hour."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models.pending import PendingUpload
from .tracking import hash_token
from .uploads import CleanFile

KEPT_FOR = timedelta(hours=1)


def _fresh(token: str, now: datetime):
    return (PendingUpload.token_hash == hash_token(token)) & (PendingUpload.created_at >= now - KEPT_FOR)


def listed(session: Session, token: str | None, now: datetime | None = None) -> list[PendingUpload]:
    """The files kept for this form, oldest first (without their bytes)."""
    if not token:
        return []
    now = now or datetime.now(UTC)
    return list(session.scalars(select(PendingUpload).where(_fresh(token, now)).order_by(PendingUpload.id)))


def keep(session: Session, token: str | None, files: list[CleanFile], limit: int,
         now: datetime | None = None) -> list[CleanFile]:
    """Keep ``files`` for the form; at most ``limit`` in all. Returns the files that did not fit.
    Also forgets every kept file older than an hour, from any form. Call inside a write transaction."""
    now = now or datetime.now(UTC)
    session.execute(delete(PendingUpload).where(PendingUpload.created_at < now - KEPT_FOR))
    if not token or not files:
        return list(files)
    room = max(0, limit - len(listed(session, token, now)))
    for upload in files[:room]:
        session.add(PendingUpload(token_hash=hash_token(token), filename=upload.filename,
                                  content_type=upload.content_type, size=upload.size, data=upload.data,
                                  created_at=now))
    session.flush()
    return list(files[room:])


def remove(session: Session, token: str | None, upload_id: int) -> bool:
    """Remove one kept file of this form (and no other form's)."""
    if not token:
        return False
    found = session.scalar(select(PendingUpload).where(
        PendingUpload.id == upload_id, PendingUpload.token_hash == hash_token(token)))
    if found is not None:
        session.delete(found)
    return found is not None


def take(session: Session, token: str | None, now: datetime | None = None) -> list[CleanFile]:
    """The kept files of this form as attachments to file, removed from the keeping. Call inside the
    filing's transaction: if the filing fails, they stay kept."""
    kept = listed(session, token, now)
    files = [CleanFile(item.filename, item.content_type, item.data) for item in kept]
    if kept:
        session.execute(delete(PendingUpload).where(PendingUpload.id.in_([item.id for item in kept])))
    return files
