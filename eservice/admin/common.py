"""Helpers shared by the administration views: the audit entry of a change, errors onto forms."""

from datetime import date, datetime
from decimal import Decimal

from flask import current_app, request
from flask_login import current_user

from ..domain import audit
from ..extensions import db
from ..form_errors import show_domain_error

# Pages an executive may read (the measures report and its data); every other admin page is admin-only.
READ_ROLES = ("admin", "executive")


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


def record_change(action: str, *, target_type: str, target_id="", details: dict | None = None, note: str = ""):
    """An audit entry for a change made in this request, in the same transaction as the change."""
    return audit.record(
        db.session,
        action,
        actor=current_user._get_current_object(),
        ip_address=request.remote_addr or "",
        target_type=target_type,
        target_id=target_id,
        details=jsonable(details) if details else None,
        note=note,
    )


show_error = show_domain_error


def page_at(path: str) -> str | None:
    """``path`` when some part of the product serves a page there (another issue may not have built it yet)."""
    for rule in current_app.url_map.iter_rules():
        if rule.rule == path and "GET" in rule.methods and not rule.arguments:
            return path
    return None
