"""Canned replies: per-division texts with ``{code}``, ``{category}`` and ``{due_date}`` filled in for a
case, in the citizen's language. Only these names are replaced (never ``str.format``, which would let a
text reach into Python objects); any other ``{name}`` is refused when the text is saved."""

import re
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Case, Division, User
from ..models.canned import CannedReply
from . import audit
from .errors import DomainError, NotAllowed
from .policy import can_manage_canned, can_use_canned
from .thai import format_date

VARIABLES = ("code", "category", "due_date")
VARIABLE_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
MAX_TITLE = 200
MAX_BODY = 5000


def check_text(title: str, body: str) -> tuple[str, str]:
    title = (title or "").strip()
    body = (body or "").strip()
    if not title:
        raise DomainError(_l("Give the reply a short title."), field="title")
    if len(title) > MAX_TITLE:
        raise DomainError(_l("Keep it under %(max)d characters.", max=MAX_TITLE), field="title")
    if not body:
        raise DomainError(_l("Write the text of the reply."), field="body")
    if len(body) > MAX_BODY:
        raise DomainError(_l("Keep it under %(max)d characters.", max=MAX_BODY), field="body")
    unknown = sorted({name for name in VARIABLE_RE.findall(body) if name not in VARIABLES})
    if unknown:
        raise DomainError(
            _l("Unknown variable: %(names)s. Use only {code}, {category} and {due_date}.",
               names=", ".join("{" + n + "}" for n in unknown)),
            field="body",
        )
    return title, body


def fill(body: str, case: Case) -> str:
    locale = case.locale or "th"
    values = {
        "code": case.tracking_code,
        "category": case.category.name(locale) if case.category else "",
        "due_date": format_date(case.resolve_due, locale),
    }
    return VARIABLE_RE.sub(lambda m: values.get(m.group(1), m.group(0)), body)


def replies_for_case(session: Session, user: User, case: Case) -> list[tuple[CannedReply, str]]:
    """The case's division's active replies, filled in, if the user may use them."""
    if not can_use_canned(user, case.division):
        return []
    replies = session.scalars(
        select(CannedReply)
        .where(CannedReply.division_id == case.division_id, CannedReply.active.is_(True))
        .order_by(CannedReply.sort_order, CannedReply.title)
    )
    return [(reply, fill(reply.body, case)) for reply in replies]


def _require_manage(user: User, division: Division) -> None:
    if division is None or not can_manage_canned(user, division):
        raise NotAllowed(_l("You may not edit the canned replies of this division."))


def _title_taken(session: Session, division: Division, title: str, exclude_id: int | None = None) -> bool:
    query = select(CannedReply.id).where(CannedReply.division_id == division.id, CannedReply.title == title)
    if exclude_id is not None:
        query = query.where(CannedReply.id != exclude_id)
    return session.scalar(query) is not None


def create(session: Session, user: User, division: Division, title: str, body: str, *, active: bool = True,
           ip: str = "") -> CannedReply:
    _require_manage(user, division)
    title, body = check_text(title, body)
    if _title_taken(session, division, title):
        raise DomainError(_l("This division already has a reply with this title."), field="title")
    reply = CannedReply(division=division, title=title, body=body, active=active, updated_by_id=user.id)
    session.add(reply)
    session.flush()
    audit.record(session, "canned.create", actor=user, ip_address=ip, target_type="canned_reply",
                 target_id=reply.id, details={"division": division.code, "title": title})
    return reply


def update(session: Session, user: User, reply: CannedReply, division: Division, title: str, body: str, *,
           active: bool = True, ip: str = "") -> CannedReply:
    _require_manage(user, reply.division)
    _require_manage(user, division)
    title, body = check_text(title, body)
    if _title_taken(session, division, title, exclude_id=reply.id):
        raise DomainError(_l("This division already has a reply with this title."), field="title")
    reply.division = division
    reply.title, reply.body, reply.active = title, body, active
    reply.updated_by_id = user.id
    reply.updated_at = datetime.now(UTC)
    session.flush()
    audit.record(session, "canned.update", actor=user, ip_address=ip, target_type="canned_reply",
                 target_id=reply.id, details={"division": division.code, "title": title, "active": active})
    return reply


def delete(session: Session, user: User, reply: CannedReply, *, ip: str = "") -> None:
    _require_manage(user, reply.division)
    audit.record(session, "canned.delete", actor=user, ip_address=ip, target_type="canned_reply",
                 target_id=reply.id, details={"division": reply.division.code, "title": reply.title})
    session.delete(reply)
    session.flush()
