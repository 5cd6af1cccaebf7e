"""The jurisdiction this endpoint serves, and the service discovery document."""

from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import AuditEntry, Organisation
from .dates import w3c
from .problems import NOT_FOUND, fail

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = ["text/xml", "application/json"]
# Changes to these make clients refresh the services and their definitions they keep.
SERVICE_DATA = ("category", "division", "village", "organisation")
FIRST_CHANGESET = datetime(2025, 1, 1, tzinfo=UTC)


def jurisdiction_id(org: Organisation | None, configured: str = "") -> str:
    """The configured id, else the municipality's website domain without ``www.`` (the spec's advice)."""
    if configured and configured.strip():
        return configured.strip().lower()
    website = (org.website if org is not None else "") or ""
    host = urlsplit(website if "://" in website else "//" + website).hostname or ""
    return host.lower().removeprefix("www.")


def check_jurisdiction(given: str | None, expected: str) -> None:
    """Absent is fine (one jurisdiction here); another one is not found."""
    given = (given or "").strip().lower()
    if given and given.removeprefix("www.") != expected:
        raise fail(NOT_FOUND, "jurisdiction_id", _l("This endpoint serves only the jurisdiction %(id)s.",
                                                    id=expected or "—"))


def changeset(session: Session) -> str:
    """When the services last changed (the latest administration entry about them)."""
    latest = session.scalar(
        select(func.max(AuditEntry.created_at)).where(AuditEntry.target_type.in_(SERVICE_DATA))
    )
    if latest is not None and latest.tzinfo is None:
        latest = latest.replace(tzinfo=UTC)
    return w3c(latest or FIRST_CHANGESET) or ""


def discovery(session: Session, org: Organisation | None, endpoint_url: str, locale: str,
              endpoint_type: str = "production") -> dict:
    name = org.name(locale) if org is not None else ""
    reach = " ".join(part for part in ((org.phone, org.email) if org is not None else ()) if part)
    stamp = changeset(session)
    return {
        "changeset": stamp,
        "contact": str(_l("%(name)s: %(contact)s", name=name, contact=reach or "—")),
        "key_service": str(_l("Partners ask %(name)s for an API key (%(contact)s); the key names the channel "
                              "its requests are filed under.", name=name, contact=reach or "—")),
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": endpoint_url,
            "changeset": stamp,
            "type": endpoint_type,
            "formats": list(FORMATS),
        }],
    }
