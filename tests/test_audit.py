"""The audit log: hash-chained and append-only; `flask audit-verify` finds a changed or removed entry;
sign-ins, case changes, views of integrity cases and user changes are all in it, with the address."""

from sqlalchemy import delete, select, update

from eservice.domain import audit
from eservice.extensions import db
from eservice.models import AuditEntry

from .factories import PASSWORD, audit_entries, make_user, seed_case
from .web import act, sign_in


def _three_entries(app):
    with app.app_context():
        for n in range(3):
            audit.record(db.session, "test.entry", ip_address="192.0.2.1", target_type="thing", target_id=n,
                         details={"n": n})
        db.session.commit()
        return list(db.session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))


def test_each_entry_chains_to_the_one_before(app):
    ids = _three_entries(app)
    with app.app_context():
        entries = [db.session.get(AuditEntry, i) for i in ids]
        assert entries[0].prev_hash == ""
        assert entries[1].prev_hash == entries[0].entry_hash
        assert entries[2].prev_hash == entries[1].entry_hash
        assert audit.verify(db.session).ok


def test_audit_verify_command_passes_on_an_intact_log(app):
    _three_entries(app)
    result = app.test_cli_runner().invoke(args=["audit-verify"])
    assert result.exit_code == 0, result.output
    assert "3 entries" in result.output and "intact" in result.output


def test_audit_verify_finds_a_changed_entry(app):
    ids = _three_entries(app)
    with app.app_context():
        db.session.execute(update(AuditEntry).where(AuditEntry.id == ids[1]).values(ip_address="203.0.113.9"))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit-verify"])
    assert result.exit_code == 1
    assert f"entry {ids[1]}" in result.output and "changed" in result.output


def test_audit_verify_finds_a_removed_entry(app):
    ids = _three_entries(app)
    with app.app_context():
        db.session.execute(delete(AuditEntry).where(AuditEntry.id == ids[1]))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit-verify"])
    assert result.exit_code == 1
    assert f"entry {ids[2]}" in result.output and "removed" in result.output


def test_create_user_from_the_command_line_is_audited(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "malee", "--role", "officer", "--division", "health", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    entries = audit_entries(app, "user.create")
    assert len(entries) == 1
    assert entries[0].details["username"] == "malee" and entries[0].details["roles"] == ["officer"]


def test_sign_ins_case_changes_and_integrity_views_are_audited_with_the_address(app, client):
    make_user(app, "somchai", roles=("officer",), divisions=("engineering",))
    make_user(app, "pim", roles=("integrity",), divisions=("integrity",))
    road = seed_case(app, category="road")
    report = seed_case(app, case_type="corruption", category="bribery")

    sign_in(client, "somchai", "wrong password!")
    sign_in(client, "somchai")
    act(client, road, "acknowledge", expect=302)
    other = app.test_client()
    sign_in(other, "pim")
    assert other.get(f"/staff/cases/{report}").status_code == 200

    failed, success = audit_entries(app, "login.failed"), audit_entries(app, "login.success")
    assert failed[0].details["reason"] == "bad_password" and failed[0].ip_address == "127.0.0.1"
    assert [e.actor_name for e in success] == ["somchai", "pim"]
    change = audit_entries(app, "case.acknowledge")
    assert change[0].target_id == road and change[0].actor_name == "somchai" and change[0].ip_address == "127.0.0.1"
    assert change[0].details["from"] == "received" and change[0].details["to"] == "acknowledged"
    view = audit_entries(app, "case.view")
    assert [(v.target_id, v.actor_name) for v in view] == [(report, "pim")]
    with app.app_context():
        assert audit.verify(db.session).ok
