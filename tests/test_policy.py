"""The policy: who sees and acts on which case. The queue's SQL must agree with the per-case rule."""

import pytest
from sqlalchemy import select

from eservice.domain import case_actions, policy
from eservice.extensions import db
from eservice.models import Case, Division, User

from .factories import make_user, seed_case

USERS = {
    # name: (roles, divisions)
    "eng_officer": (("officer",), ("engineering",)),
    "eng_head": (("head",), ("engineering",)),
    "health_officer": (("officer",), ("health",)),
    "two_divisions": (("officer",), ("engineering", "finance")),
    "integrity": (("integrity",), ("integrity",)),
    "integrity_in_finance": (("integrity", "officer"), ("finance",)),
    "finance_head_admin_exec": (("head", "officer", "admin", "executive"), ("finance",)),
    "admin": (("admin",), ()),
    "executive": (("executive",), ()),
    "admin_with_division": (("admin",), ("engineering",)),  # membership needs a division role to count
}


@pytest.fixture
def world(app):
    users = {name: make_user(app, name, roles=roles, divisions=divs) for name, (roles, divs) in USERS.items()}
    cases = {
        "road": seed_case(app, category="road"),  # engineering
        "garbage": seed_case(app, category="garbage"),  # health
        "tax": seed_case(app, category="tax"),  # finance
        "bribery_about_finance": seed_case(app, case_type="corruption", category="bribery",
                                           subject_division="finance", anonymous=False, first_name="ผู้แจ้ง",
                                           phone="0812345678"),
        "gift": seed_case(app, case_type="gift", category="gift"),
    }
    return users, cases


def _get(name_or_code, model):
    if model is User:
        return db.session.scalar(select(User).where(User.username == name_or_code))
    return db.session.scalar(select(Case).where(Case.tracking_code == name_or_code))


EXPECTED_VIEW = {
    "eng_officer": {"road"},
    "eng_head": {"road"},
    "health_officer": {"garbage"},
    "two_divisions": {"road", "tax"},
    "integrity": {"bribery_about_finance", "gift"},
    "integrity_in_finance": {"tax", "bribery_about_finance", "gift"},
    "finance_head_admin_exec": {"road", "garbage", "tax"},  # executive reads all general cases
    "admin": set(),
    "executive": {"road", "garbage", "tax"},
    "admin_with_division": set(),
}
EXPECTED_ACT = {
    **EXPECTED_VIEW,
    "finance_head_admin_exec": {"tax"},  # acts only in its own division
    "executive": set(),
}


@pytest.mark.parametrize("user_name", list(USERS))
def test_view_and_act(app, world, user_name):
    _, cases = world
    with app.app_context():
        user = _get(user_name, User)
        seen = {key for key, code in cases.items() if policy.can_view_case(user, _get(code, Case))}
        acted = {key for key, code in cases.items() if policy.can_act_on_case(user, _get(code, Case))}
        assert seen == EXPECTED_VIEW[user_name]
        assert acted == EXPECTED_ACT[user_name]


@pytest.mark.parametrize("user_name", list(USERS))
def test_queue_clause_selects_exactly_what_can_view_case_allows(app, world, user_name):
    with app.app_context():
        user = _get(user_name, User)
        by_sql = set(db.session.scalars(select(Case.id).where(policy.visible_cases_clause(user))))
        by_rule = {c.id for c in db.session.scalars(select(Case)) if policy.can_view_case(user, c)}
        assert by_sql == by_rule


def test_members_of_the_named_division_never_see_the_report(app, world):
    """Whatever else they hold, membership of the division a report names does not open it."""
    _, cases = world
    with app.app_context():
        report = _get(cases["bribery_about_finance"], Case)
        assert report.subject_division.code == "finance"
        finance_staff = [u for u in db.session.scalars(select(User))
                         if any(d.code == "finance" for d in u.divisions) and not u.has_role("integrity")]
        assert finance_staff  # the fixture has some
        for user in finance_staff:
            assert not policy.can_view_case(user, report), user.username
            assert report.id not in set(db.session.scalars(select(Case.id).where(policy.visible_cases_clause(user))))


def test_inactive_or_anonymous_users_see_nothing(app, world):
    _, cases = world
    with app.app_context():
        user = _get("eng_officer", User)
        user.active = False
        road = _get(cases["road"], Case)
        assert not policy.can_view_case(user, road)
        assert not policy.can_view_case(None, road)
        assert db.session.scalars(select(Case.id).where(policy.visible_cases_clause(user))).all() == []


def test_only_heads_assign_others_and_only_to_their_division(app, world):
    _, cases = world
    with app.app_context():
        road = _get(cases["road"], Case)
        officer, head, health = _get("eng_officer", User), _get("eng_head", User), _get("health_officer", User)
        assert policy.can_assign_others(head, road) and not policy.can_assign_others(officer, road)
        assert policy.may_be_assigned(officer, road) and policy.may_be_assigned(head, road)
        assert not policy.may_be_assigned(health, road)
        assert not policy.may_be_assigned(_get("admin_with_division", User), road)
        bribery = _get(cases["bribery_about_finance"], Case)
        assert policy.may_be_assigned(_get("integrity", User), bribery)
        assert not policy.may_be_assigned(_get("finance_head_admin_exec", User), bribery)
        assert {u.username for u in policy.assignable_users(db.session, road)} == {
            "eng_officer", "eng_head", "two_divisions"}


def test_identity_needs_to_know(app, world):
    _, cases = world
    with app.app_context():
        tax = _get(cases["tax"], Case)
        assert policy.can_see_identity(_get("two_divisions", User), tax)
        assert not policy.can_see_identity(_get("executive", User), tax)  # reads the case, not the person


def test_sealed_identity_opens_only_with_a_recorded_reveal(app, world):
    _, cases = world
    with app.app_context():
        report = _get(cases["bribery_about_finance"], Case)
        integrity = _get("integrity", User)
        other_integrity = _get("integrity_in_finance", User)
        assert not policy.can_see_identity(integrity, report)
        assert policy.can_reveal_identity(integrity, report)
        assert not policy.can_reveal_identity(_get("finance_head_admin_exec", User), report)
        case_actions.reveal_identity(db.session, report, integrity, reason="ต้องสอบปากคำผู้แจ้ง")
        db.session.commit()
        assert policy.identity_revealed(report)
        assert policy.can_see_identity(integrity, report)
        assert policy.can_see_identity(other_integrity, report)  # revealed for the unit, with the reason kept
        general = _get(cases["road"], Case)
        assert not policy.can_reveal_identity(_get("eng_officer", User), general)  # nothing sealed there


def test_canned_replies_are_managed_by_heads_and_admins(app, world):
    with app.app_context():
        engineering = db.session.scalar(select(Division).where(Division.code == "engineering"))
        finance = db.session.scalar(select(Division).where(Division.code == "finance"))
        assert policy.can_manage_canned(_get("eng_head", User), engineering)
        assert not policy.can_manage_canned(_get("eng_head", User), finance)
        assert not policy.can_manage_canned(_get("eng_officer", User), engineering)
        assert policy.can_manage_canned(_get("admin", User), finance)
        assert policy.can_use_canned(_get("eng_officer", User), engineering)
        assert not policy.can_use_canned(_get("health_officer", User), engineering)


def test_workspace_and_recording(app, world):
    with app.app_context():
        assert policy.can_use_workspace(_get("executive", User))
        assert not policy.can_use_workspace(_get("admin", User))
        assert not policy.can_record_cases(_get("executive", User))
        assert policy.can_record_cases(_get("integrity", User))
