"""The statuses of a case, their names for citizens and for staff, and the groups rules are written in.

``Case.status`` stays a plain string column; :class:`Status` is a ``StrEnum``, so a member compares equal
to the stored string and can be used in queries as it is. Only :mod:`eservice.domain.workflow` assigns a
status; everything else reads these names and groups.
"""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Status(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    AWAITING_CITIZEN = "awaiting_citizen"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"

    @property
    def label(self):
        """What the citizen reads on the tracking page."""
        return _CITIZEN_LABELS[self]

    @property
    def staff_label(self):
        """What staff read: whom the office waits for, what "duplicate" means to them."""
        return _STAFF_LABELS.get(self) or _CITIZEN_LABELS[self]


_CITIZEN_LABELS = {
    Status.RECEIVED: _l("Waiting to be acknowledged"),
    Status.ACKNOWLEDGED: _l("Acknowledged"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.AWAITING_CITIZEN: _l("Waiting for your information"),
    Status.RESOLVED: _l("Resolved"),
    Status.CLOSED: _l("Closed"),
    Status.REJECTED: _l("Not accepted"),
    Status.DUPLICATE: _l("Merged with another case"),
}
_STAFF_LABELS = {
    Status.AWAITING_CITIZEN: _l("Waiting for the citizen"),
    Status.DUPLICATE: _l("Merged (duplicate)"),
}

# The status a new case starts in.
INITIAL = Status.RECEIVED

# Still being handled: the office owes an answer (the clock runs or is paused).
OPEN_STATUSES = (Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.AWAITING_CITIZEN)
# The office has answered: resolved, closed, not accepted or merged.
FINISHED_STATUSES = (Status.RESOLVED, Status.CLOSED, Status.REJECTED, Status.DUPLICATE)
# The working-day clock runs: the office, not the citizen, has the next move.
CLOCK_RUNNING = (Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_PROGRESS)
# The clock stands still while the office waits for the citizen.
CLOCK_PAUSED = Status.AWAITING_CITIZEN
# Not yet acknowledged: the acknowledge-by date is the one that counts.
AWAITING_ACKNOWLEDGEMENT = Status.RECEIVED
# The citizen may rate the service once the matter is resolved.
RATEABLE = (Status.RESOLVED, Status.CLOSED)
# A resolved case (only) may be reopened online by the citizen, within the reopen period.
CITIZEN_REOPENABLE = (Status.RESOLVED,)
# Replies to the citizen are refused once a case is closed (reopen it first).
REPLY_CLOSED = (Status.CLOSED,)
# Merged into another case.
MERGED = Status.DUPLICATE

ALL = tuple(Status)


def label(value: str):
    """The citizen's name of a stored status (the value itself if it is unknown)."""
    try:
        return Status(value).label
    except ValueError:
        return value


def staff_label(value: str):
    try:
        return Status(value).staff_label
    except ValueError:
        return value
