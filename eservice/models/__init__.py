"""SQLAlchemy 2.0 typed models. Importing this package registers every table with the metadata."""

from .audit import AuditEntry
from .case import Attachment, Case, CaseEvent, Rating, Reporter, TrackingSequence
from .reference import CalendarYear, Category, Channel, Division, Holiday, HolidaySource, Organisation, Village
from .user import RoleRequest, SignInThrottle, User, user_divisions

# Modules whose tables register themselves; import their classes from the module itself.
from . import canned, line, measures, open311, outbox, paper, pending  # noqa: E402,F401  isort: skip

__all__ = [
    "AuditEntry",
    "CalendarYear",
    "Attachment",
    "Case",
    "CaseEvent",
    "Category",
    "Channel",
    "Division",
    "Holiday",
    "HolidaySource",
    "Organisation",
    "Rating",
    "Reporter",
    "RoleRequest",
    "SignInThrottle",
    "TrackingSequence",
    "User",
    "Village",
    "user_divisions",
]
