"""Confidential details that must not leak to people outside the integrity unit (issue 9): the audit log,
the outbox page, the mail worker's log, the unit's canned replies, and a sealed report's receipt key on
the recording officer's screen."""

import logging

import pytest
from sqlalchemy import select

from eservice.extensions import db
from eservice.models import Division
from eservice.models.canned import CannedReply
from eservice.models.outbox import OutboxMessage

from .factories import citizen_case, make_user, new_case, update_row
from .smtp_server import deliver
from .web import act, english, extract, post, signed_in_client

REASON = "ต้องเชิญผู้แจ้งมาให้ถ้อยคำเรื่องนายสมปอง"


# --- the audit log ---------------------------------------------------------------------------------------


def _sealed_history(app):
    """A corruption report recorded by an officer, opened by the unit, its reporter revealed with a reason;
    and a general case beside it."""
    pim = make_user(app, "pim", roles=("integrity",))
    officer = make_user(app, "somchai", divisions=("engineering",))
    sealed = new_case(app, case_type="corruption", anonymous=False, first_name="สมใจ", last_name="กล้าหาญ",
                      phone="0812345678", actor_id=officer).code
    general = new_case(app, actor_id=officer).code
    act(signed_in_client(app, pim), sealed, "reveal", reason=REASON, expect=302)
    denied = signed_in_client(app, officer)
    assert denied.get(f"/staff/cases/{sealed}").status_code == 404  # a "case.denied" entry naming the code
    return sealed, general


def test_administrators_outside_the_unit_see_that_entries_exist_but_not_their_codes_or_reasons(app):
    sealed, general = _sealed_history(app)
    root = signed_in_client(app, make_user(app, "root", roles=("admin",)))
    html = root.get("/admin/audit").get_data(as_text=True)
    assert sealed not in html and REASON not in html and "corruption" not in html
    assert general in html  # the general case's entries are shown in full
    assert "shown to the integrity unit only" in html
    assert "case.reveal_identity" in html  # that the entry exists is not hidden
    # A search by the sealed code finds nothing (else it would tell that the code is a sealed report).
    found = root.get(f"/admin/audit?target_id={sealed}").get_data(as_text=True)
    assert 'id="audit-count">0 entries' in found and sealed not in found.split('id="audit-count"')[1]
    assert 'id="audit-count">0 entries' not in root.get(f"/admin/audit?target_id={general}").get_data(as_text=True)


def test_an_administrator_in_the_unit_sees_the_entries_in_full(app):
    sealed, _general = _sealed_history(app)
    boss = signed_in_client(app, make_user(app, "boss", roles=("admin", "integrity")))
    html = boss.get("/admin/audit").get_data(as_text=True)
    assert sealed in html and REASON in html
    assert 'id="audit-count">0 entries' not in boss.get(f"/admin/audit?target_id={sealed}").get_data(as_text=True)


# --- the outbox page and the worker's log ----------------------------------------------------------------


@pytest.fixture
def sealed_bounce(mail_app, smtp):
    smtp.handler.refuse = {"whistle.blower@example.com"}
    code = citizen_case(mail_app, case_type="corruption", category="bribery", email="whistle.blower@example.com").code
    deliver(mail_app)
    with mail_app.app_context():
        row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.status == "failed"))
        assert row is not None and row.sealed
        row_id = row.id
    # What some servers answer: the address in another case, its name part and its domain apart.
    update_row(mail_app, OutboxMessage, row_id, last_error="550 5.1.1 <Whistle.Blower@EXAMPLE.com>: no mailbox "
                                                           "whistle.blower here; ask postmaster@example.com")
    return mail_app, code


def test_the_outbox_page_hides_sealed_reporters_from_administrators_outside_the_unit(sealed_bounce):
    app, code = sealed_bounce
    root = english(signed_in_client(app, make_user(app, "root", roles=("admin",))))
    html = root.get("/admin/outbox").get_data(as_text=True)
    assert 'id="count-failed">1<' in html  # that a mail failed is known...
    for secret in ("whistle", "Whistle", "example.com", "EXAMPLE", code, "receipt", "550"):
        assert secret not in html, secret  # ...not whose, about which report, nor the server's words


def test_the_unit_reads_the_servers_answer_without_any_part_of_the_address(sealed_bounce):
    app, code = sealed_bounce
    boss = english(signed_in_client(app, make_user(app, "boss", roles=("admin", "integrity"))))
    html = boss.get("/admin/outbox").get_data(as_text=True)
    assert "550 5.1.1" in html and "no mailbox" in html
    for secret in ("whistle", "Whistle", "blower", "example.com", "EXAMPLE"):
        assert secret not in html, secret


def test_the_worker_logs_no_sealed_address(mail_app, smtp, caplog):
    smtp.handler.refuse = {"whistle.blower@example.com"}
    citizen_case(mail_app, case_type="corruption", category="bribery", email="whistle.blower@example.com")
    citizen_case(mail_app, email="somchai.citizen@example.com")
    smtp.handler.refuse.add("somchai.citizen@example.com")
    with caplog.at_level(logging.DEBUG):
        result = deliver(mail_app)
    assert result.failed == 2
    ours = [r for r in caplog.records if r.name.startswith("eservice")]  # not the test mail server's own log
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in ours)
    assert "outbox" in logged  # the failures are logged...
    assert "whistle" not in logged and "somchai.citizen" not in logged  # ...without anyone's address


def test_a_mail_that_cannot_be_built_names_no_address(mail_app, smtp, caplog):
    from eservice.notifications.delivery import build_message
    from eservice.notifications.render import Rendered

    with mail_app.app_context():
        row = OutboxMessage(kind="receipt", recipient="not an address whistle", audience="citizen")
        with pytest.raises(Exception) as error:
            build_message(row, Rendered("s", "t", "h"), None)
        assert "whistle" not in str(error.value)


# --- the unit's canned replies ----------------------------------------------------------------------------


def _integrity_division(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Division.id).where(Division.is_integrity_unit.is_(True)))


def test_a_head_of_the_unit_without_the_role_cannot_edit_its_canned_replies(app):
    division = _integrity_division(app)
    with app.app_context():
        code = db.session.get(Division, division).code
        reply = CannedReply(division_id=division, title="รับเรื่องแล้ว", body="ได้รับเรื่อง {code} แล้ว")
        db.session.add(reply)
        db.session.commit()
        reply_id = reply.id
    head = signed_in_client(app, make_user(app, "head", roles=("head",), divisions=(code,)))
    assert head.get(f"/staff/canned/{reply_id}").status_code == 404
    listing = head.get("/staff/canned").get_data(as_text=True)
    assert "รับเรื่องแล้ว" not in listing
    response = post(head, "/staff/canned/new", {"division": str(division), "title": "ปลอม", "body": "ข้อความ",
                                                "active": "y"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(CannedReply).where(CannedReply.title == "ปลอม")) is None
    root = signed_in_client(app, make_user(app, "root", roles=("admin",)))
    assert root.get(f"/staff/canned/{reply_id}").status_code == 404  # nor an administrator outside the unit
    member = signed_in_client(app, make_user(app, "member", roles=("head", "integrity"), divisions=(code,)))
    assert member.get(f"/staff/canned/{reply_id}").status_code == 200


# --- the receipt key of a sealed report: on paper only ----------------------------------------------------


def test_a_walk_in_corruption_reports_key_is_on_the_printed_copy_only(app):
    from .test_staff_intake import _record

    officer = signed_in_client(app, make_user(app, "somchai", divisions=("engineering",)))
    html = _record(officer, "corruption", channel="walk_in").get_data(as_text=True)
    key = extract(html, "receipt-key")
    printed = html.split('<div class="print-only" id="printed-codes">')[1].split("</div>\n  {% endif")[0]
    before, after = html.split('<div class="print-only" id="printed-codes">')
    assert key not in before  # nothing on screen before the printed section...
    assert after.index(key) < after.index('class="hint"')  # ...the key is inside it
    assert 'id="key-print-only"' in html and printed
    with open(app.static_folder + "/css/app.css", encoding="utf-8") as css:
        rules = css.read()
    assert ".print-only { display: none !important; }" in rules


def test_a_general_cases_receipt_is_unchanged(app):
    from .test_staff_intake import _record

    officer = signed_in_client(app, make_user(app, "somchai", divisions=("engineering",)))
    html = _record(officer).get_data(as_text=True)
    assert 'class="print-only"' not in html and extract(html, "receipt-key")
