"""Who belongs to the integrity unit: a change needs someone who already belongs.

An administrator who gives or takes away the integrity role does not change the account at once: a
:class:`~eservice.models.RoleRequest` waits until a member of the unit (not the person it is about, and
not the one who asked) confirms or declines it. Nobody grants themselves a role at all
(:func:`eservice.domain.policy.can_grant_roles_to`). Every request and decision is in the audit log, and
every member of the unit is told of it by mail (``integrity_membership``), as they are when an
administrator deactivates or reactivates a member's account.

The first member of the unit is made on the command line (``flask --app eservice create-user --role
integrity``): whoever runs it already holds the server. See the README.
"""

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import RoleRequest, User
from . import audit, notify, policy
from .audit import By
from .errors import DomainError
from .roles import Role

PENDING, CONFIRMED, DECLINED, WITHDRAWN = "pending", "confirmed", "declined", "withdrawn"


def pending(session: Session) -> list[RoleRequest]:
    return list(session.scalars(select(RoleRequest).where(RoleRequest.state == PENDING)
                                .order_by(RoleRequest.requested_at, RoleRequest.id)))


def pending_for(session: Session, user: User) -> RoleRequest | None:
    return session.scalar(select(RoleRequest).where(RoleRequest.user_id == user.id, RoleRequest.state == PENDING)
                          .order_by(RoleRequest.id.desc()).limit(1))


def _name(user: User | None) -> str:
    if user is None:
        return ""
    return f"{user.display_name} ({user.username})" if user.display_name and user.display_name != user.username \
        else user.username


def tell_the_unit(session: Session, change: str, member: User, *, by: User | None, grant: bool | None = None,
                  requested_by: User | None = None, also: tuple[User, ...] = ()) -> int:
    """Mail every member of the unit (and ``also``) about a change to its membership; no case is named."""
    data = {"change": change, "member": _name(member), "by": _name(by) if by is not None else "",
            "requested_by": _name(requested_by), "grant": grant}
    recipients = {u.id: u for u in [*policy.integrity_users(session), *also] if u is not None}
    rows = [notify.staff_row(user, None, "integrity_membership", data=data) for user in recipients.values()]
    return notify.queue(session, [r for r in rows if r])


def request_change(session: Session, user: User, *, grant: bool, by: By,
                   now: datetime | None = None) -> RoleRequest:
    """Ask for ``user`` to be given (``grant``) or to lose the integrity role; a member confirms it later."""
    if by.user is None or not policy.can_request_integrity_change(by.user, user):
        raise DomainError(_l("You cannot change your own membership of the integrity unit; ask another "
                             "administrator."), field="roles")
    if grant == policy.holds_integrity_role(user):
        raise DomainError(_l("Nothing to change: the account already is as asked."), field="roles")
    earlier = pending_for(session, user)
    if earlier is not None:
        if earlier.grant == grant:
            return earlier
        earlier.state = WITHDRAWN  # the newer wish replaces it
        earlier.decided_by_id, earlier.decided_at = by.user.id, now or datetime.now(UTC)
    request = RoleRequest(user_id=user.id, role=Role.INTEGRITY.value, grant=grant, state=PENDING,
                          requested_by_id=by.user.id, requested_at=now or datetime.now(UTC))
    session.add(request)
    session.flush()
    audit.change(session, by, "integrity.request", target_type="user", target_id=user.id, now=now,
                 details={"request": request.id, "username": user.username, "grant": grant})
    tell_the_unit(session, "requested", user, by=by.user, grant=grant)
    return request


def decide(session: Session, request: RoleRequest, *, confirm: bool, by: By,
           now: datetime | None = None) -> None:
    """A member of the unit confirms (the role changes now) or declines a pending request."""
    if request.state != PENDING:
        raise DomainError(_l("This request has already been decided."), field="request")
    if by.user is None or not policy.can_decide_integrity_change(by.user, request):
        raise DomainError(_l("Another member of the integrity unit must decide this request: not the person it "
                             "is about, nor the one who asked for it."), field="request")
    member = request.user
    request.state = CONFIRMED if confirm else DECLINED
    request.decided_by_id, request.decided_at = by.user.id, now or datetime.now(UTC)
    if confirm:
        held = set((member.roles or "").split())
        held = held | {Role.INTEGRITY.value} if request.grant else held - {Role.INTEGRITY.value}
        member.roles = " ".join(sorted(held))
    session.flush()
    audit.change(session, by, "integrity.confirm" if confirm else "integrity.decline", target_type="user",
                 target_id=member.id, now=now,
                 details={"request": request.id, "username": member.username, "grant": request.grant,
                          "requested_by": request.requested_by.username if request.requested_by else ""})
    # The unit as it is now, and the member even when they just left it.
    tell_the_unit(session, "confirmed" if confirm else "declined", member, by=by.user, grant=request.grant,
                  requested_by=request.requested_by, also=(member,))
