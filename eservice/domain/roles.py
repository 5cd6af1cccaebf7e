"""The staff roles and their names. What each role may do is decided in :mod:`eservice.domain.policy`
alone; everything else asks the policy and never tests a role itself."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    OFFICER = "officer"
    HEAD = "head"
    INTEGRITY = "integrity"
    ADMIN = "admin"
    EXECUTIVE = "executive"

    @property
    def label(self):
        return _LABELS[self]


_LABELS = {
    Role.OFFICER: _l("Officer"),
    Role.HEAD: _l("Head of division"),
    Role.INTEGRITY: _l("Integrity unit"),
    Role.ADMIN: _l("Administrator"),
    Role.EXECUTIVE: _l("Executive (read only)"),
}

ALL = tuple(Role)
# A new account, unless told otherwise.
DEFAULT = (Role.OFFICER,)
# Roles that reach cases through membership of a division; an account with one needs a division.
DIVISION_ROLES = (Role.OFFICER, Role.HEAD)


def parse(values) -> set[Role]:
    """Known roles among ``values`` (strings or members); unknown values are left out."""
    known = {r.value: r for r in Role}
    return {known[str(v)] for v in values if str(v) in known}


def unknown(values) -> set[str]:
    return {str(v) for v in values} - {r.value for r in Role}


def names_of(user) -> list[str]:
    """The roles an account holds, sorted (for forms and the audit log; what they allow: the policy)."""
    return sorted(set((user.roles or "").split()))
