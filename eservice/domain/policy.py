"""Who may see and do what with which case. The one place these rules live.

- ``officer`` and ``head`` reach the general cases of the divisions they belong to; a ``head`` also
  assigns them to others and edits the division's canned replies.
- ``integrity`` reaches every corruption and gift report (``case.confidential``), and only they do:
  membership of a division, even the division a report is about, never opens one.
- ``executive`` reads every general case (no personal data, no actions); never a confidential one.
- ``admin`` configures the system; an admin reaches cases only through other roles they also hold.
- A reporter's identity on a confidential case stays sealed, even from the integrity unit, until an
  integrity user reveals it with a written reason (a ``reveal_identity`` event, also in the audit log).

Views and templates ask these functions; they never test roles themselves.
"""

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from ..models import Case, Division, User
from .actions import REVEAL_IDENTITY
from .roles import DIVISION_ROLES, Role

# Roles that open the staff workspace at all.
STAFF_ROLES = (Role.OFFICER, Role.HEAD, Role.INTEGRITY, Role.EXECUTIVE)
# Roles that may record a case that came by phone, letter, walk-in...
RECORDING_ROLES = (Role.OFFICER, Role.HEAD, Role.INTEGRITY)
# Roles that read the statistics and the measures report (executives change nothing).
STATISTICS_ROLES = (Role.ADMIN, Role.EXECUTIVE)


def _is_signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and getattr(user, "active", False)


def division_ids(user: User) -> set[int]:
    """Divisions whose cases the user handles: membership counts only with a division role."""
    if not _is_signed_in(user) or not user.has_role(*DIVISION_ROLES):
        return set()
    return {d.id for d in user.divisions if d.active}


# --- seeing and acting on one case ------------------------------------------------------------------


def can_view_case(user: User, case: Case) -> bool:
    if not _is_signed_in(user):
        return False
    if case.confidential:
        # Only the integrity role. In particular, members of the division a report names never see
        # it through that membership, whatever else they hold (head, admin, executive).
        return user.has_role(Role.INTEGRITY)
    if user.has_role(Role.EXECUTIVE):
        return True
    return case.division_id in division_ids(user)


def can_act_on_case(user: User, case: Case) -> bool:
    """Change the case: acknowledge, reply, transfer, resolve... Executives only read."""
    if not _is_signed_in(user):
        return False
    if case.confidential:
        return user.has_role(Role.INTEGRITY)
    return case.division_id in division_ids(user)


def can_assign_others(user: User, case: Case) -> bool:
    """Heads give cases to the officers of their division; officers may only take a case themselves."""
    return can_act_on_case(user, case) and user.has_role(Role.HEAD)


def may_be_assigned(candidate: User, case: Case) -> bool:
    """Who can hold a case: an active officer or head of its division (integrity users for sealed cases)."""
    if candidate is None or not candidate.active:
        return False
    if case.confidential:
        return candidate.has_role(Role.INTEGRITY)
    return candidate.has_role(*DIVISION_ROLES) and case.division_id in {d.id for d in candidate.divisions}


def assignable_users(session: Session, case: Case) -> list[User]:
    users = session.scalars(select(User).where(User.active.is_(True)).order_by(User.display_name, User.username))
    return [u for u in users if may_be_assigned(u, case)]


def identity_revealed(case: Case) -> bool:
    return any(event.kind == REVEAL_IDENTITY.kind for event in case.events)


def can_reveal_identity(user: User, case: Case) -> bool:
    """Only a sealed identity can be revealed: an anonymous report keeps none, so nothing is offered."""
    return (case.confidential and not case.anonymous and can_act_on_case(user, case)
            and user.has_role(Role.INTEGRITY))


def can_see_identity(user: User, case: Case) -> bool:
    """Contact details of the reporter: for those handling the case, and on a sealed case only after a
    recorded reveal. Executives read cases without anyone's personal data."""
    if not can_act_on_case(user, case):
        return False
    if case.confidential:
        return identity_revealed(case)
    return True


# --- the queue: the same rules as a query -----------------------------------------------------------


def visible_cases_clause(user: User) -> ColumnElement[bool]:
    """A WHERE clause selecting exactly the cases :func:`can_view_case` allows."""
    if not _is_signed_in(user):
        return false()
    parts = []
    if user.has_role(Role.INTEGRITY):
        parts.append(Case.confidential.is_(True))
    if user.has_role(Role.EXECUTIVE):
        parts.append(Case.confidential.is_(False))
    else:
        ids = division_ids(user)
        if ids:
            parts.append(and_(Case.confidential.is_(False), Case.division_id.in_(ids)))
    return or_(*parts) if parts else false()


# --- pages that are not one case --------------------------------------------------------------------


def can_use_workspace(user: User) -> bool:
    return _is_signed_in(user) and user.has_role(*STAFF_ROLES)


def can_record_cases(user: User) -> bool:
    return _is_signed_in(user) and user.has_role(*RECORDING_ROLES)


def can_administer(user: User) -> bool:
    return _is_signed_in(user) and user.has_role(Role.ADMIN)


def can_enter_paper_totals(user: User) -> bool:
    """Totals from paper records for the years before go-live: administrators only (executives read them
    in the statistics, which mark them)."""
    return can_administer(user)


def can_read_statistics(user: User) -> bool:
    """Statistics and the measures report: administrators and executives (who change nothing)."""
    return _is_signed_in(user) and user.has_role(*STATISTICS_ROLES)


def sees_exact_integrity_statistics(user: User) -> bool:
    """Exact counts of corruption and gift reports in the statistics and their exports: the integrity
    role only; everyone else gets what the public page's small-count rule allows (integrity_figures)."""
    return _is_signed_in(user) and user.has_role(Role.INTEGRITY)


def can_choose_digest(user: User) -> bool:
    return _is_signed_in(user) and user.has_role(Role.HEAD)


def staff_menu(user: User) -> dict[str, bool]:
    """What the staff menu offers this user; templates show links by these answers only."""
    if not _is_signed_in(user):
        return {}
    return {
        "queue": can_use_workspace(user),
        "record": can_record_cases(user),
        "canned": can_manage_any_canned(user),
        "statistics": can_read_statistics(user),
        "admin": can_administer(user),
        "report": can_read_statistics(user),
        "outbox": can_administer(user),
        "digest": can_choose_digest(user),
        "integrity_membership": can_review_integrity_membership(user),
    }


def can_manage_canned(user: User, division: Division) -> bool:
    """Canned replies of a division: its heads and the administrators edit them; the integrity unit's only
    those of them who belong to the unit (a head of that division without the integrity role does not)."""
    if not _is_signed_in(user):
        return False
    if division.is_integrity_unit and not user.has_role(Role.INTEGRITY):
        return False
    if user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.HEAD) and division.id in division_ids(user)


def can_manage_any_canned(user: User) -> bool:
    if not _is_signed_in(user):
        return False
    return user.has_role(Role.ADMIN) or (user.has_role(Role.HEAD) and bool(division_ids(user)))


def canned_divisions(session: Session, user: User) -> list[Division]:
    """Divisions whose canned replies the user may edit."""
    divisions = session.scalars(
        select(Division).where(Division.active.is_(True)).order_by(Division.sort_order, Division.id)
    )
    return [d for d in divisions if can_manage_canned(user, d)]


def can_use_canned(user: User, division: Division) -> bool:
    """Reading a division's canned replies (to use them in a reply)."""
    if can_manage_canned(user, division):
        return True
    if division.is_integrity_unit:
        return _is_signed_in(user) and user.has_role(Role.INTEGRITY)
    return division.id in division_ids(user)


# --- who is who, for the rules above and for the people a mail goes to ------------------------------


def can_see_confidential(user: User) -> bool:
    """Corruption and gift reports exist for this user at all (filters, lists, mails)."""
    return _is_signed_in(user) and user.has_role(Role.INTEGRITY)


def handles_division_cases(user: User) -> bool:
    """Works on the general cases of the divisions they belong to."""
    return user.active and user.has_role(*DIVISION_ROLES)


def is_division_head(user: User) -> bool:
    """Heads assign cases, receive escalations and may opt in to the daily digest."""
    return user.active and user.has_role(Role.HEAD)


def is_integrity_member(user: User) -> bool:
    return user.active and user.has_role(Role.INTEGRITY)


def integrity_users(session: Session) -> list[User]:
    """Active members of the integrity unit (the only people who handle confidential reports)."""
    users = session.scalars(
        select(User).where(User.active.is_(True), User.roles.contains(Role.INTEGRITY.value)).order_by(User.id))
    return [u for u in users if is_integrity_member(u)]


def administrators(session: Session) -> list[User]:
    return [u for u in session.scalars(select(User).where(User.active.is_(True)).order_by(User.id))
            if u.has_role(Role.ADMIN)]


def can_open_administration(user: User) -> bool:
    """The administration's front page: administrators, and executives who read the report from there."""
    return _is_signed_in(user) and user.has_role(Role.ADMIN, Role.EXECUTIVE)


def visible_division_ids(session: Session, user: User) -> set[int]:
    """Divisions whose cases may appear in the user's queue (for its filter lists)."""
    ids = set()
    own = division_ids(user)
    for division in session.scalars(select(Division)):
        if division.is_integrity_unit:
            if can_see_confidential(user):
                ids.add(division.id)
        elif (_is_signed_in(user) and user.has_role(Role.EXECUTIVE)) or division.id in own:
            ids.add(division.id)
    return ids


def can_open_canned_replies(user: User) -> bool:
    """The canned-replies pages: heads (for their divisions) and administrators (for all; the integrity
    unit's only when they belong to it)."""
    return _is_signed_in(user) and user.has_role(Role.HEAD, Role.ADMIN)


# --- accounts and the integrity unit's membership ----------------------------------------------------


def holds_integrity_role(user: User) -> bool:
    """The account carries the integrity role (active or not): changing that needs the unit's confirmation."""
    return user.has_role(Role.INTEGRITY)


def can_grant_roles_to(actor: User, subject: User) -> bool:
    """Nobody gives themselves a role: an administrator adds roles to other people's accounts only."""
    return can_administer(actor) and actor.id != subject.id


def can_request_integrity_change(actor: User, subject: User) -> bool:
    """Ask for someone to join or leave the integrity unit (a member of the unit then decides)."""
    return can_grant_roles_to(actor, subject)


def can_review_integrity_membership(user: User) -> bool:
    """The page of pending changes to the unit's membership: its members."""
    return _is_signed_in(user) and user.has_role(Role.INTEGRITY)


def can_decide_integrity_change(user: User, request) -> bool:
    """Confirm or decline a change to the unit's membership: a member of the unit other than the person it
    is about and the one who asked for it (four eyes)."""
    return (can_review_integrity_membership(user) and user.id != request.user_id
            and user.id != request.requested_by_id)


def can_reset_password_of(actor: User, subject: User) -> bool:
    """An administrator sets a new password for someone who forgot theirs; a member of the integrity unit's
    only if the administrator belongs to the unit too (else the reset would be a way into sealed reports)."""
    if not can_administer(actor):
        return False
    return not subject.has_role(Role.INTEGRITY) or actor.has_role(Role.INTEGRITY)


# --- confidential details in the administration's pages ----------------------------------------------


def can_read_confidential_audit_entries(user: User) -> bool:
    """The audit log's entries about corruption and gift reports in full (codes, reasons given for revealing
    a reporter): the integrity unit. Other administrators see that such an entry exists, masked."""
    return can_see_confidential(user)


def can_see_sealed_outbox_details(user: User) -> bool:
    """Which mails about sealed reports failed, and the mail server's answer to them: the integrity unit.
    Other administrators see only that a mail about a confidential report could not be delivered."""
    return can_see_confidential(user)
