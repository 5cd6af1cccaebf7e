"""SQLAlchemy 2.0 typed models. Importing this package registers every table with the metadata."""

from .case import Attachment, Case, CaseEvent, Rating, Reporter, TrackingSequence
from .reference import Category, Channel, Division, Holiday, Organisation, Village
from .user import User, user_divisions

__all__ = [
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
