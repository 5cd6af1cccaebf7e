"""The queue: only the cases one may see, counts per status, every filter, search, order and pages."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from eservice.domain import case_actions, workflow
from eservice.extensions import db
from eservice.models import Case, User, Village

from .factories import make_user, seed_case
from .web import signed_in_client


def codes_in(html: str) -> list[str]:
    return re.findall(r'class="case-link" href="/staff/cases/([A-Z]+-\d{4}-T?\d+)"', html)


def _by_code(code):
    return db.session.scalar(select(Case).where(Case.tracking_code == code))


@pytest.fixture
def desk(app):
    now = datetime.now(UTC)
    users = {
        "somchai": make_user(app, "somchai", divisions=("engineering",)),
        "malee": make_user(app, "malee", divisions=("engineering",)),
        "pim": make_user(app, "pim", roles=("integrity",), divisions=("integrity",)),
        "boss": make_user(app, "boss", roles=("executive",)),
    }
    cases = {
        "old_road": seed_case(app, category="road", description="ถนนพังมานาน", received_at=now - timedelta(days=40),
                              channel="phone"),
        "light": seed_case(app, category="street_light", description="ไฟดับหน้าโรงเรียน",
                           received_at=now - timedelta(days=2), channel="line"),
        "drain": seed_case(app, category="drainage", description="น้ำท่วมขัง 100% ทั้งซอย", channel="web"),
        "inquiry": seed_case(app, case_type="inquiry", category="building", description="ขออนุญาตต่อเติมบ้าน"),
        "garbage": seed_case(app, category="garbage", description="ขยะไม่เก็บ"),
        "bribe": seed_case(app, case_type="corruption", category="bribery", description="เรียกรับเงินใต้โต๊ะ"),
    }
    with app.app_context():
        village = db.session.scalar(select(Village).where(Village.number == 5))
        _by_code(cases["drain"]).village = village
        somchai = db.session.get(User, users["somchai"])
        light = _by_code(cases["light"])
        case_actions.assign(db.session, light, somchai, assignee=somchai)
        inquiry = _by_code(cases["inquiry"])
        workflow.transition(db.session, inquiry, "resolve", actor=somchai, note="ตอบแล้ว")
        db.session.commit()
        village_id = village.id
    clients = {name: signed_in_client(app, uid) for name, uid in users.items()}
    return clients, cases, village_id


def test_each_sees_only_their_cases(desk):
    clients, cases, _ = desk
    engineering = codes_in(clients["somchai"].get("/staff/?status=all").get_data(as_text=True))
    assert set(engineering) == {cases[k] for k in ("old_road", "light", "drain", "inquiry")}
    integrity = codes_in(clients["pim"].get("/staff/?status=all").get_data(as_text=True))
    assert integrity == [cases["bribe"]]
    executive = clients["boss"].get("/staff/?status=all").get_data(as_text=True)
    assert cases["bribe"] not in executive and cases["garbage"] in executive
    assert "Division</th>" in executive  # several divisions: the column is shown


def test_counts_per_status_and_flags(desk):
    clients, _, _ = desk
    html = clients["somchai"].get("/staff/").get_data(as_text=True)

    def count(css):
        match = re.search(rf'class="count [^"]*count-{css}[^"]*"[^>]*>\s*<span class="count-n">(\d+)</span>', html)
        assert match, css
        return int(match.group(1))

    assert count("open") == 3 and count("received") == 3 and count("resolved") == 1
    assert count("overdue") >= 1  # the forty-day-old road


def test_default_is_open_cases_sorted_by_the_date_to_act_by(desk):
    clients, cases, _ = desk
    listed = codes_in(clients["somchai"].get("/staff/").get_data(as_text=True))
    assert cases["inquiry"] not in listed  # resolved
    assert listed[0] == cases["old_road"]  # the most overdue first
    assert 'class="case-row state-overdue' in clients["somchai"].get("/staff/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=resolved", {"inquiry"}),
        ("case_type=inquiry&status=all", {"inquiry"}),
        ("category=street_light", {"light"}),
        ("channel=phone", {"old_road"}),
        ("assigned=me", {"light"}),
        ("assigned=none", {"old_road", "drain"}),
        ("due=overdue", {"old_road", "light"}),
        ("q=ไฟดับ", {"light"}),
        ("q=100%25", {"drain"}),  # % is a character to find, not a wildcard
        ("q=zzz", set()),
        ("status=evil&category=nope", {"old_road", "light", "drain"}),  # doctored values filter nothing
    ],
)
def test_filters(desk, query, expected):
    clients, cases, _ = desk
    listed = codes_in(clients["somchai"].get(f"/staff/?{query}").get_data(as_text=True))
    assert set(listed) == {cases[k] for k in expected}


def test_filter_by_village_and_search_by_code(desk):
    clients, cases, village_id = desk
    assert codes_in(clients["somchai"].get(f"/staff/?village={village_id}").get_data(as_text=True)) == [cases["drain"]]
    partial = cases["drain"].lower()[-8:]
    assert codes_in(clients["somchai"].get(f"/staff/?q={partial}").get_data(as_text=True)) == [cases["drain"]]


def test_assigned_to_me_is_personal(desk):
    clients, cases, _ = desk
    assert codes_in(clients["malee"].get("/staff/?assigned=me").get_data(as_text=True)) == []


def test_integrity_filter_offers_integrity_types_only_to_integrity(desk):
    clients, cases, _ = desk
    assert 'value="corruption"' not in clients["somchai"].get("/staff/").get_data(as_text=True)
    assert 'value="corruption"' in clients["pim"].get("/staff/").get_data(as_text=True)
    # Asking for it anyway is a filter that is not offered: ignored, and the report stays out of sight.
    listed = codes_in(clients["somchai"].get("/staff/?case_type=corruption&status=all").get_data(as_text=True))
    assert cases["bribe"] not in listed


def test_pages(make_app):
    app = make_app(STAFF_QUEUE_PER_PAGE=2)
    codes = [seed_case(app, description=f"เรื่องที่ {n}") for n in range(5)]
    client = signed_in_client(app, make_user(app, "somchai", divisions=("engineering",)))
    pages = [codes_in(client.get(f"/staff/?page={n}").get_data(as_text=True)) for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [2, 2, 1]
    assert sorted(sum(pages, [])) == sorted(codes)
    html = client.get("/staff/?page=2").get_data(as_text=True)
    assert 'rel="prev"' in html and 'rel="next"' in html and "5 cases" in html
    assert codes_in(client.get("/staff/?page=99").get_data(as_text=True)) == pages[2]  # past the end: the last
    assert codes_in(client.get("/staff/?page=abc").get_data(as_text=True)) == pages[0]


def test_roles_without_cases_get_403(app):
    client = signed_in_client(app, make_user(app, "root", roles=("admin",)))
    assert client.get("/staff/").status_code == 403
