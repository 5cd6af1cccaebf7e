"""Nobody grants themselves a role; joining or leaving the integrity unit needs a member's confirmation,
is audited, and every member is told by mail (issue 9, item 8)."""

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from eservice.extensions import db
from eservice.models import RoleRequest, User
from eservice.models.outbox import OutboxMessage

from .factories import audit_entries, make_user, new_case
from .web import english, post, signed_in_client


def roles_of(app, user_id) -> set[str]:
    with app.app_context():
        return set(db.session.get(User, user_id).roles.split())


def membership_mails(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "integrity_membership")
                                  .order_by(OutboxMessage.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def requests(app) -> list[RoleRequest]:
    with app.app_context():
        rows = db.session.scalars(select(RoleRequest).order_by(RoleRequest.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def _people(app):
    ids = {
        "root": make_user(app, "root", roles=("admin",), email="root@borplathong.go.th"),
        "keeper": make_user(app, "keeper", roles=("integrity",), email="keeper@borplathong.go.th"),
        "second": make_user(app, "second", roles=("integrity",), email="second@borplathong.go.th"),
        "somchai": make_user(app, "somchai", divisions=("engineering",), email="somchai@borplathong.go.th"),
    }
    return ids


def _edit(client, user_id, roles, **extra):
    data = {"display_name": extra.pop("display_name", "x"), "roles": roles, "locale": "en", "active": "y",
            "division_ids": extra.pop("division_ids", []), **extra}
    return post(client, f"/admin/users/{user_id}", data)


def decide(client, request_id, decision):
    return post(client, f"/staff/integrity/membership/{request_id}/{decision}",
                token_page="/staff/integrity/membership")


def _division_id(app, code="engineering"):
    from eservice.models import Division

    with app.app_context():
        return str(db.session.scalar(select(Division.id).where(Division.code == code)))


def test_an_administrator_cannot_make_themselves_the_integrity_unit(app):
    ids = _people(app)
    root = signed_in_client(app, ids["root"])
    response = _edit(root, ids["root"], ["admin", "integrity"])
    assert response.status_code == 422
    assert "You cannot change your own membership of the integrity unit" in response.get_data(as_text=True)
    assert roles_of(app, ids["root"]) == {"admin"} and requests(app) == []
    # Nor any other role.
    response = _edit(root, ids["root"], ["admin", "executive"])
    assert response.status_code == 422 and "You cannot give yourself a role" in response.get_data(as_text=True)
    assert roles_of(app, ids["root"]) == {"admin"}
    # And no sealed report opens to them.
    code = new_case(app, case_type="corruption", description="เรื่องลับ").code
    assert root.get(f"/staff/case/{code}").status_code in (403, 404)


def test_a_grant_waits_for_a_member_and_the_unit_is_told(app):
    ids = _people(app)
    root = signed_in_client(app, ids["root"])
    response = _edit(root, ids["somchai"], ["officer", "integrity"], division_ids=[_division_id(app)])
    assert response.status_code == 302
    assert "officer" in roles_of(app, ids["somchai"]) and "integrity" not in roles_of(app, ids["somchai"])
    [pending] = requests(app)
    assert pending.state == "pending" and pending.grant and pending.requested_by_id == ids["root"]
    assert {m.recipient for m in membership_mails(app)} == {"keeper@borplathong.go.th", "second@borplathong.go.th"}
    assert [e.details["grant"] for e in audit_entries(app, "integrity.request")] == [True]

    # The person it is about cannot decide it, even once they hold another way in.
    somchai = signed_in_client(app, ids["somchai"])
    assert somchai.get("/staff/integrity/membership").status_code == 403
    assert post(somchai, f"/staff/integrity/membership/{pending.id}/confirm", token_page="/staff/").status_code == 403

    keeper = signed_in_client(app, ids["keeper"])
    page = keeper.get("/staff/integrity/membership").get_data(as_text=True)
    assert f'id="request-{pending.id}"' in page and "Join the integrity unit" in page
    response = decide(keeper, pending.id, "confirm")
    assert response.status_code == 302
    assert "integrity" in roles_of(app, ids["somchai"])
    assert requests(app)[0].state == "confirmed" and requests(app)[0].decided_by_id == ids["keeper"]
    [entry] = audit_entries(app, "integrity.confirm")
    assert entry.actor_name == "keeper" and entry.details["username"] == "somchai"
    told = [m.recipient for m in membership_mails(app) if m.data["change"] == "confirmed"]
    assert set(told) == {"keeper@borplathong.go.th", "second@borplathong.go.th", "somchai@borplathong.go.th"}


def test_a_member_who_asked_cannot_confirm_their_own_request(app):
    ids = _people(app)
    boss = make_user(app, "boss", roles=("admin", "integrity"))
    client = signed_in_client(app, boss)
    assert _edit(client, ids["somchai"], ["officer", "integrity"], division_ids=[_division_id(app)]).status_code == 302
    [pending] = requests(app)
    page = client.get("/staff/integrity/membership").get_data(as_text=True)
    assert "Another member of the unit decides this one." in page
    response = decide(client, pending.id, "confirm")
    assert response.status_code == 302 and "integrity" not in roles_of(app, ids["somchai"])
    assert requests(app)[0].state == "pending"


def test_a_declined_request_changes_nothing(app):
    ids = _people(app)
    root = signed_in_client(app, ids["root"])
    _edit(root, ids["somchai"], ["officer", "integrity"], division_ids=[_division_id(app)])
    [pending] = requests(app)
    keeper = signed_in_client(app, ids["keeper"])
    decide(keeper, pending.id, "decline")
    assert "integrity" not in roles_of(app, ids["somchai"]) and requests(app)[0].state == "declined"
    assert len(audit_entries(app, "integrity.decline")) == 1
    # Decided once: a second decision is refused.
    second = signed_in_client(app, ids["second"])
    decide(second, pending.id, "confirm")
    assert "integrity" not in roles_of(app, ids["somchai"])


def test_leaving_the_unit_needs_a_member_too(app):
    ids = _people(app)
    root = signed_in_client(app, ids["root"])
    assert _edit(root, ids["second"], []).status_code == 422  # at least one role
    assert _edit(root, ids["second"], ["executive", "integrity"]).status_code == 302
    assert roles_of(app, ids["second"]) == {"executive", "integrity"}
    assert _edit(root, ids["second"], ["executive"]).status_code == 302
    assert "integrity" in roles_of(app, ids["second"])  # still a member until confirmed
    [pending] = requests(app)
    assert not pending.grant
    second = signed_in_client(app, ids["second"])  # the person it is about
    decide(second, pending.id, "confirm")
    assert "integrity" in roles_of(app, ids["second"])
    keeper = signed_in_client(app, ids["keeper"])
    decide(keeper, pending.id, "confirm")
    assert roles_of(app, ids["second"]) == {"executive"}


def test_a_new_account_with_the_integrity_role_starts_without_it(app):
    ids = _people(app)
    root = english(signed_in_client(app, ids["root"]))
    response = post(root, "/admin/users/new", {
        "username": "newbie", "display_name": "Newbie", "email": "", "roles": ["integrity"],
        "division_ids": [], "locale": "en", "active": "y", "password": "a long enough password"})
    assert response.status_code == 302
    with app.app_context():
        newbie = db.session.scalar(select(User).where(User.username == "newbie"))
        assert newbie.roles == ""
    assert [r.grant for r in requests(app)] == [True]


def test_only_an_administrator_in_the_unit_resets_a_members_password(app):
    ids = _people(app)
    root = english(signed_in_client(app, ids["root"]))
    response = post(root, f"/admin/users/{ids['keeper']}/password", {"pw-password": "a brand new password"},
                    token_page=f"/admin/users/{ids['keeper']}")
    assert response.status_code == 422
    assert "Only an administrator who belongs to the integrity unit" in response.get_data(as_text=True)
    boss = english(signed_in_client(app, make_user(app, "boss", roles=("admin", "integrity"))))
    response = post(boss, f"/admin/users/{ids['keeper']}/password", {"pw-password": "a brand new password"},
                    token_page=f"/admin/users/{ids['keeper']}")
    assert response.status_code == 302


def test_switching_a_members_account_off_tells_the_unit(app):
    ids = _people(app)
    root = signed_in_client(app, ids["root"])
    data = {"display_name": "second", "roles": ["integrity"], "locale": "en", "division_ids": []}
    assert post(root, f"/admin/users/{ids['second']}", data).status_code == 302  # no "active": switched off
    mails = [m for m in membership_mails(app) if m.data["change"] == "deactivated"]
    assert {m.recipient for m in mails} == {"keeper@borplathong.go.th"}


def test_the_membership_mail_renders_in_both_languages(app):
    from eservice.notifications.render import render

    ids = _people(app)
    root = signed_in_client(app, ids["root"])
    _edit(root, ids["somchai"], ["officer", "integrity"], division_ids=[_division_id(app)])
    with app.app_context():
        for row in db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "integrity_membership")):
            for locale in ("th", "en"):
                row.locale = locale
                mail = render(row)
                assert "somchai" in mail.text and "/staff/integrity/membership" in mail.text
                assert mail.subject
        db.session.rollback()


def test_the_cli_makes_the_first_member_and_the_unit_is_told(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "first", "--role", "integrity", "--password", "a long enough password",
                                 "--email", "first@borplathong.go.th"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "first")).roles == "integrity"
    result = runner.invoke(args=["create-user", "second", "--role", "integrity", "--password", "a long enough password",
                                 "--email", "second@borplathong.go.th"])
    assert result.exit_code == 0, result.output
    told = [m.recipient for m in membership_mails(app) if m.data["change"] == "created"]
    assert sorted(told) == ["first@borplathong.go.th", "first@borplathong.go.th", "second@borplathong.go.th"]


# --- any set of roles, for oneself or another: nobody gains a role alone, the integrity role never directly --

ROLE_VALUES = ["officer", "head", "integrity", "admin", "executive", "bogus", "", "integrity " * 3]


@settings(max_examples=int(os.environ.get("ROLES_FUZZ_EXAMPLES", "25")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(chosen=st.lists(st.sampled_from(ROLE_VALUES), max_size=6), own=st.booleans(), active=st.booleans(),
       with_division=st.booleans())
def test_any_roles_posted_never_grant_a_role_alone(app, chosen, own, active, with_division):
    root = _user_id(app, "root") or make_user(app, "root", roles=("admin",))
    other = _user_id(app, "other") or make_user(app, "other", roles=("executive",))
    target = root if own else other
    before = roles_of(app, target)
    client = signed_in_client(app, root)
    data = {"display_name": "x", "roles": chosen, "locale": "en",
            "division_ids": [_division_id(app)] if with_division else []}
    if active:
        data["active"] = "y"
    response = post(client, f"/admin/users/{target}", data)
    assert response.status_code in (302, 400, 422), response.status_code  # 400: text the input guard refuses
    after = roles_of(app, target)
    if own:
        assert after <= before  # nobody gives themselves anything
    assert ("integrity" in after) == ("integrity" in before)  # never without a member's confirmation
    if response.status_code == 422:
        assert after == before  # refused: nothing half-saved


def _user_id(app, name):
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == name))
