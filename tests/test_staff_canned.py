"""Canned replies: heads edit their division's, admins everyone's; variables filled in per case."""

import html as htmllib

from sqlalchemy import select

from eservice.domain import canned_replies
from eservice.domain.thai import format_date
from eservice.extensions import db
from eservice.models import Case, Division
from eservice.models.canned import CannedReply

from .factories import audit_actions, load_case, make_user, seed_case
from .web import csrf_token, signed_in_client

BODY = "เรื่อง {code} ({category}) จะแล้วเสร็จภายใน {due_date}"


def _division_id(app, code):
    with app.app_context():
        return db.session.scalar(select(Division.id).where(Division.code == code))


def _save(client, url, **fields):
    page = client.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "active": "y"}
    data.update(fields)
    return client.post(url, data=data)


def _replies(app):
    with app.app_context():
        return [(r.title, r.division.code) for r in db.session.scalars(select(CannedReply).order_by(CannedReply.id))]


def test_a_head_writes_a_reply_that_officers_insert_filled_in(app):
    head = signed_in_client(app, make_user(app, "head", roles=("head",), divisions=("engineering",)))
    officer = signed_in_client(app, make_user(app, "somchai", divisions=("engineering",)))
    response = _save(head, "/staff/canned/new", division=str(_division_id(app, "engineering")), title="รับเรื่อง",
                     body=BODY)
    assert response.status_code == 302
    assert _replies(app) == [("รับเรื่อง", "engineering")]
    assert "รับเรื่อง" in head.get("/staff/canned").get_data(as_text=True)

    code = seed_case(app, category="road")
    case = load_case(app, code)
    page = htmllib.unescape(officer.get(f"/staff/cases/{code}").get_data(as_text=True))
    expected = f"เรื่อง {code} (ถนน ทางเท้า สะพานชำรุด) จะแล้วเสร็จภายใน {format_date(case.resolve_due, 'th')}"
    assert f'data-text="{expected}"' in page
    assert audit_actions(app).count("canned.create") == 1


def test_variables_follow_the_citizens_language(app):
    code = seed_case(app, category="road")
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.tracking_code == code))
        case.locale = "en"
        filled = canned_replies.fill(BODY + " {code.__class__}", case)
    assert "Damaged roads, footpaths or bridges" in filled
    assert "{code.__class__}" in filled  # only the three names are ever replaced


def test_bad_texts_are_refused(app):
    head = signed_in_client(app, make_user(app, "head", roles=("head",), divisions=("engineering",)))
    engineering = str(_division_id(app, "engineering"))
    unknown = _save(head, "/staff/canned/new", division=engineering, title="x", body="สวัสดี {name}")
    assert unknown.status_code == 422 and "Unknown variable: {name}" in unknown.get_data(as_text=True)
    assert _save(head, "/staff/canned/new", division=engineering, title="", body="x").status_code == 422
    assert _save(head, "/staff/canned/new", division=engineering, title="ก", body="ข").status_code == 302
    twice = _save(head, "/staff/canned/new", division=engineering, title="ก", body="ค")
    assert twice.status_code == 422 and "already has a reply with this title" in twice.get_data(as_text=True)
    assert _replies(app) == [("ก", "engineering")]


def test_heads_edit_only_their_division_officers_none(app):
    head = signed_in_client(app, make_user(app, "head", roles=("head",), divisions=("engineering",)))
    officer = signed_in_client(app, make_user(app, "somchai", divisions=("engineering",)))
    admin = signed_in_client(app, make_user(app, "root", roles=("admin",)))
    assert officer.get("/staff/canned").status_code == 403
    refused = _save(head, "/staff/canned/new", division=str(_division_id(app, "health")), title="ก", body="ข")
    assert refused.status_code == 422 and "may not edit the canned replies of this division" in refused.get_data(
        as_text=True)
    assert _save(admin, "/staff/canned/new", division=str(_division_id(app, "health")), title="ขยะ",
                 body="จะเก็บภายใน {due_date}").status_code == 302
    with app.app_context():
        reply_id = db.session.scalar(select(CannedReply.id))
    assert head.get(f"/staff/canned/{reply_id}").status_code == 404
    page = head.get("/staff/canned").get_data(as_text=True)
    assert head.post(f"/staff/canned/{reply_id}/delete", data={"csrf_token": csrf_token(page)}).status_code == 404
    assert _replies(app) == [("ขยะ", "health")]


def test_edit_and_delete(app):
    admin = signed_in_client(app, make_user(app, "root", roles=("admin",)))
    health = str(_division_id(app, "health"))
    _save(admin, "/staff/canned/new", division=health, title="เดิม", body="ข้อความเดิม")
    with app.app_context():
        reply_id = db.session.scalar(select(CannedReply.id))
    assert _save(admin, f"/staff/canned/{reply_id}", division=health, title="ใหม่", body="ข้อความใหม่",
                 active="").status_code == 302
    with app.app_context():
        reply = db.session.get(CannedReply, reply_id)
        assert (reply.title, reply.body, reply.active) == ("ใหม่", "ข้อความใหม่", False)
    page = admin.get(f"/staff/canned/{reply_id}").get_data(as_text=True)
    assert admin.post(f"/staff/canned/{reply_id}/delete", data={"csrf_token": csrf_token(page)}).status_code == 302
    assert _replies(app) == []
    assert [a for a in audit_actions(app) if a.startswith("canned.")] == ["canned.create", "canned.update",
                                                                            "canned.delete"]


def test_inactive_replies_are_not_offered(app):
    admin = signed_in_client(app, make_user(app, "root", roles=("admin",)))
    officer = signed_in_client(app, make_user(app, "somchai", divisions=("engineering",)))
    _save(admin, "/staff/canned/new", division=str(_division_id(app, "engineering")), title="เก่า", body="เลิกใช้",
          active="")
    code = seed_case(app)
    assert "เลิกใช้" not in officer.get(f"/staff/cases/{code}").get_data(as_text=True)
