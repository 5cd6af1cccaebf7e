"""What a LINE user may see and do: the cases they filed from that LINE account, and nothing else.

A case belongs to a LINE user when its reporter carries their LINE user id (set only by filing in chat).
A tracking code typed in chat shows its case only to its owner; for any other code, existing or not, the
answer is the same, so the chat cannot be used to probe other people's cases.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Case, Reporter
from ..statuses import Status
from ..tracking import normalise_code

MY_CASES_SHOWN = 10


def owns(case: Case | None, line_user_id: str) -> bool:
    return bool(
        case is not None
        and line_user_id
        and not case.confidential
        and case.reporter is not None
        and case.reporter.line_user_id == line_user_id
    )


def _owned(line_user_id: str):
    return (
        select(Case)
        .join(Reporter, Reporter.case_id == Case.id)
        .where(Reporter.line_user_id == line_user_id, Case.confidential.is_(False))
    )


def my_cases(session: Session, line_user_id: str, limit: int = MY_CASES_SHOWN) -> list[Case]:
    """The user's cases, newest first."""
    if not line_user_id:
        return []
    return list(session.scalars(_owned(line_user_id).order_by(Case.received_at.desc(), Case.id.desc()).limit(limit)))


def case_by_code(session: Session, line_user_id: str, code: str) -> Case | None:
    """The case with this tracking code if this user filed it; None otherwise (whether or not it exists)."""
    normalised = normalise_code(code)
    if not normalised:
        return None
    return session.scalar(_owned(line_user_id).where(Case.tracking_code == normalised))


def case_by_id(session: Session, line_user_id: str, case_id: object) -> Case | None:
    """A case named in a button's data, if it is this user's. Data we did not make gives None."""
    try:
        number = int(str(case_id))
    except ValueError:
        return None
    if number <= 0 or number > 2**62:
        return None
    return session.scalar(_owned(line_user_id).where(Case.id == number))


def awaiting_cases(session: Session, line_user_id: str) -> list[Case]:
    """The user's cases waiting for their information (the office asked them something)."""
    if not line_user_id:
        return []
    return list(session.scalars(
        _owned(line_user_id).where(Case.status == Status.AWAITING_CITIZEN).order_by(Case.received_at, Case.id)
    ))


def status_label(case: Case) -> str:
    return str(Status(case.status).label)
