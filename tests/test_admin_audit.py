"""The audit log, browsable and filterable by administrators."""

from datetime import UTC, datetime

import pytest

from eservice.domain import audit
from eservice.extensions import db
from eservice.models import User


@pytest.fixture
def entries(app, make_user):
    """Three entries at known Bangkok dates, by two people, from two addresses."""
    somchai = make_user("somchai", roles=("officer",), divisions=("engineering",))
    with app.app_context():
        actor = db.session.get(User, somchai)
        audit.record(db.session, "case.acknowledge", actor=actor, ip_address="10.0.0.5", target_type="case",
                     target_id=7, details={"note": "รับเรื่องแล้ว"}, now=datetime(2025, 1, 5, 2, 0, tzinfo=UTC))
        audit.record(db.session, "login.failed", ip_address="192.0.2.9", details={"username": "ghost"},
                     now=datetime(2025, 1, 6, 18, 30, tzinfo=UTC))  # 7 Jan 01:30 in Bangkok
        audit.record(db.session, "admin.division.update", actor=actor, ip_address="10.0.0.5",
                     target_type="division", target_id=3, details={"name_th": ["ก", "ข"]},
                     now=datetime(2025, 1, 8, 3, 0, tzinfo=UTC))
        db.session.commit()


def rows(html: str) -> int:
    return html.split("<tbody>")[1].split("</tbody>")[0].count("<tr>")


def test_every_entry_is_listed_newest_first_with_thai_readable(admin, entries):
    html = admin.get("/admin/audit").get_data(as_text=True)
    assert rows(html) == 3
    actions = ("admin.division.update", "login.failed", "case.acknowledge")
    position = {a: html.index(f'lang="en">{a}</code>') for a in actions}
    assert position["admin.division.update"] < position["login.failed"] < position["case.acknowledge"]
    assert "รับเรื่องแล้ว" in html  # details shown as written, not as \u escapes


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("action=case.", ["case.acknowledge"]),
        ("action=admin", ["admin.division.update"]),
        ("actor=SOMCHAI", ["case.acknowledge", "admin.division.update"]),
        ("target_type=division&target_id=3", ["admin.division.update"]),
        ("ip_address=192.0.2.9", ["login.failed"]),
        # Dates are Bangkok dates: the failed sign-in at 18:30 UTC on the 6th belongs to the 7th.
        ("start=2025-01-07&end=2025-01-07", ["login.failed"]),
        ("start=2025-01-06", ["login.failed", "admin.division.update"]),
        ("end=2025-01-05", ["case.acknowledge"]),
    ],
)
def test_filters(admin, entries, query, expected):
    html = admin.get(f"/admin/audit?{query}").get_data(as_text=True)
    assert rows(html) == len(expected)
    for action in ("case.acknowledge", "login.failed", "admin.division.update"):
        assert (f'lang="en">{action}</code>' in html) == (action in expected), action


def test_a_reversed_or_bad_date_range_is_refused_clearly(admin, entries):
    response = admin.get("/admin/audit?start=2025-01-08&end=2025-01-05")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The end date is before the start date." in html and rows(html) == 1  # the "no entries" row
    response = admin.get("/admin/audit?start=yesterday")
    assert response.status_code == 422 and "Not a valid date value" in response.get_data(as_text=True)


def test_chain_verification_is_shown(app, admin, entries):
    html = admin.get("/admin/audit?verify=1").get_data(as_text=True)
    assert "The chain is intact: 3 entries checked." in html
    with app.app_context():
        db.session.execute(db.text("UPDATE audit_entry SET note = 'changed' WHERE action = 'login.failed'"))
        db.session.commit()
    html = admin.get("/admin/audit?verify=1").get_data(as_text=True)
    assert "The chain is broken at entry" in html


def test_pages_of_fifty(app, admin):
    with app.app_context():
        for n in range(120):
            audit.record(db.session, "test.entry", target_id=n)
        db.session.commit()
    first = admin.get("/admin/audit?action=test").get_data(as_text=True)
    assert rows(first) == 50 and "Page 1 of 3" in first and 'rel="next"' in first
    last = admin.get("/admin/audit?action=test&page=3").get_data(as_text=True)
    assert rows(last) == 20 and 'rel="prev"' in last
