"""SQLAlchemy 2.0 typed models. Importing this package registers every table with the metadata."""

from .audit import AuditEntry
from .case import Attachment, Case, CaseEvent, Rating, Reporter, TrackingSequence
from .reference import Category, Channel, Division, Holiday, Organisation, Village
from .user import User, user_divisions

# Modules whose tables register themselves; import their classes from the module itself.
from . import canned, line, measures, open311, outbox, paper, pending  # noqa: E402,F401  isort: skip

__all__ = [
    "AuditEntry",
    "Attachment",
    "Case",
    "CaseEvent",
    "Category",
    "Channel",
    "Division",
    "Holiday",
    "Organisation",
    "Rating",
    "Reporter",
    "TrackingSequence",
    "User",
    "Village",
    "user_divisions",
]
