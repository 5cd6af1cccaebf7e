"""The officer's queue: the cases a user may see (:func:`policy.visible_cases_clause`), filtered,
searched, counted per status and sorted by the date the office must act by."""

from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session, selectinload

from ..models import Case, Category, User
from . import clock, policy, statuses

PER_PAGE = 25
STATUS_CHOICES = ("open", "all", *statuses.ALL)
ASSIGNED_CHOICES = ("", "me", "none")
DUE_CHOICES = ("", "soon", "overdue")
PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


@dataclass(frozen=True)
class QueueFilters:
    status: str = "open"  # "open", "all" or one status
    case_type: str = ""
    category: str = ""  # category code
    channel: str = ""  # channel code
    village: int | None = None  # village id
    division: int | None = None  # for people who see several divisions
    assigned: str = ""  # "", "me" (assigned to me) or "none" (unassigned)
    due: str = ""  # "", "soon" or "overdue"
    q: str = ""  # a tracking code or words of the description / place
    page: int = 1

    def without_status(self) -> "QueueFilters":
        return replace(self, status="all", due="", page=1)


@dataclass
class QueuePage:
    items: list[Case]
    total: int
    page: int
    pages: int
    counts: dict[str, int] = field(default_factory=dict)  # per status, plus "open", "overdue", "due_soon"
    assignees: dict[int, User] = field(default_factory=dict)


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(user: User, filters: QueueFilters, today: date, soon_limit: date) -> Select:
    query = select(Case).where(policy.visible_cases_clause(user))
    if filters.status == "open":
        query = query.where(Case.status.in_(statuses.OPEN_STATUSES))
    elif filters.status in statuses.ALL:
        query = query.where(Case.status == filters.status)
    if filters.case_type:
        query = query.where(Case.case_type == filters.case_type)
    if filters.category:
        query = query.where(Case.category_id.in_(select(Category.id).where(Category.code == filters.category)))
    if filters.channel:
        query = query.where(Case.channel_code == filters.channel)
    if filters.village:
        query = query.where(Case.village_id == filters.village)
    if filters.division:
        query = query.where(Case.division_id == filters.division)
    if filters.assigned == "me":
        query = query.where(Case.assigned_to_id == user.id)
    elif filters.assigned == "none":
        query = query.where(Case.assigned_to_id.is_(None))
    if filters.due == "overdue":
        query = query.where(clock.overdue_clause(today))
    elif filters.due == "soon":
        query = query.where(clock.due_soon_clause(today, soon_limit))
    words = (filters.q or "").strip()
    if words:
        pattern = _like_pattern(words)
        query = query.where(
            or_(
                Case.tracking_code.ilike(_like_pattern(words.upper().replace(" ", "")), escape="\\"),
                Case.description.ilike(pattern, escape="\\"),
                Case.address_string.ilike(pattern, escape="\\"),
            )
        )
    return query


def _order(query: Select) -> Select:
    rank = case(*((Case.priority == p, r) for p, r in PRIORITY_RANK.items()), else_=2)
    return query.order_by(clock.next_due_column(), rank, Case.received_at, Case.id)


def counts(session: Session, user: User, filters: QueueFilters, today: date, soon_limit: date) -> dict[str, int]:
    """Per status under every filter but status and due date, so that each count leads somewhere."""
    base = _filtered(user, filters.without_status(), today, soon_limit).subquery()
    rows = session.execute(select(base.c.status, func.count()).group_by(base.c.status)).all()
    result = {status.value: 0 for status in statuses.ALL}
    result.update({status: n for status, n in rows})
    result["open"] = sum(result[s] for s in statuses.OPEN_STATUSES)
    result["all"] = sum(n for s, n in result.items() if s in statuses.ALL)
    # Overdue and due soon: open cases only, so these counts use the (division, status) index like the list.
    for key, due in (("overdue", "overdue"), ("due_soon", "soon")):
        flagged = _filtered(user, replace(filters, status="open", due=due, page=1), today, soon_limit)
        result[key] = session.scalar(select(func.count()).select_from(flagged.subquery())) or 0
    return result


def load(session: Session, user: User, filters: QueueFilters, today: date, *, per_page: int = PER_PAGE) -> QueuePage:
    holidays = clock.holidays_from(session, today)
    soon_limit = clock.due_soon_limit(today, holidays)
    query = _filtered(user, filters, today, soon_limit)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, filters.page), pages)
    items = list(
        session.scalars(
            _order(query)
            .options(selectinload(Case.category), selectinload(Case.village), selectinload(Case.division),
                     selectinload(Case.channel))
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    assignee_ids = {c.assigned_to_id for c in items if c.assigned_to_id}
    assignees = {u.id: u for u in session.scalars(select(User).where(User.id.in_(assignee_ids)))} if assignee_ids \
        else {}
    return QueuePage(items=items, total=total, page=page, pages=pages,
                     counts=counts(session, user, filters, today, soon_limit), assignees=assignees)


def deadline_states(cases: list[Case], today: date, session: Session) -> dict[int, str]:
    holidays = clock.holidays_from(session, today)
    soon_limit = clock.due_soon_limit(today, holidays)
    return {c.id: clock.deadline_state(c, today, holidays, soon_limit) for c in cases}
