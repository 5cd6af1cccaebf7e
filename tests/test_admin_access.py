"""Who may open the administration: generated from the URL map, so a new /admin page cannot escape,
whichever blueprint serves it (the administration, the statistics, the outbox).

Administrators may use every page; executives may read the measures report and its data but change
nothing; every other role gets 403; a visitor who is not signed in is sent to the sign-in page.
"""

import re
from datetime import date

import pytest
from sqlalchemy import select

from eservice.domain.organisation import current as current_organisation
from eservice.extensions import db
from eservice.models import Category, Channel, Division, Holiday, User, Village
from eservice.models.measures import Measure
from eservice.models.open311 import ApiKey
from eservice.models.outbox import OutboxMessage
from eservice.models.paper import PaperTotal

from .web import token_for

# The pages an executive may read: the measures report and what it is made of.
EXECUTIVE_READS = {"admin.index", "admin.measures", "admin.ita", "admin.report", "admin.report_docx",
                   "admin.report_html_file",
                   "statistics.admin_stats", "statistics.admin_stats_csv", "statistics.admin_stats_xlsx"}

# Pages that need a query to answer at all (without it they say 404: no such table).
QUERIES = {"statistics.admin_stats_csv": "?table=summary"}


def admin_rules(app):
    """(rule, endpoint, methods) of every page under /admin, whichever blueprint serves it."""
    return [
        (rule, rule.endpoint, sorted(rule.methods - {"HEAD", "OPTIONS"}))
        for rule in app.url_map.iter_rules()
        if rule.rule == "/admin" or rule.rule.startswith("/admin/")
    ]


def concrete_url(app, rule) -> str:
    """The rule with real ids of existing rows, so the page itself answers (not a 404)."""
    with app.app_context():
        ids = {
            "division_id": db.session.scalar(select(Division.id).limit(1)),
            "category_id": db.session.scalar(select(Category.id).limit(1)),
            "village_id": db.session.scalar(select(Village.id).limit(1)),
            "channel_id": db.session.scalar(select(Channel.id).limit(1)),
            "holiday_id": db.session.scalar(select(Holiday.id).limit(1)),
            "user_id": db.session.scalar(select(User.id).limit(1)),
            "measure_id": db.session.scalar(select(Measure.id).limit(1)),
            "key_id": db.session.scalar(select(ApiKey.id).limit(1)),
            "paper_total_id": db.session.scalar(select(PaperTotal.id).limit(1)),
            "message_id": db.session.scalar(select(OutboxMessage.id).limit(1)) or 1,
        }
    url = rule.rule
    for name in rule.arguments:
        url = re.sub(rf"<(?:\w+:)?{name}>", str(ids[name]), url)
    return url + QUERIES.get(rule.endpoint, "")


@pytest.fixture
def seeded(app):
    """The seed's measures, so measure pages and the report have something to show; an Open311 key."""
    from eservice.domain.measures import load_measures_data
    from eservice.domain.open311 import keys

    with app.app_context():
        load_measures_data(db.session, app.config["REFERENCE_DATA"])
        keys.create_key(db.session, keys.KeyInput("Partner", "referral", True))
        # A total from paper records (their pages take its id): the e-Service in use since FY2568.
        current_organisation(db.session).in_use_since = date(2025, 3, 15)
        db.session.add(PaperTotal(fiscal_year=2567, case_type="complaint", channel_code="phone", cases=3, note=""))
        db.session.commit()
    return app


def test_the_map_has_the_pages_this_test_expects(app):
    endpoints = {endpoint for _, endpoint, _ in admin_rules(app)}
    assert {"admin.settings", "admin.users", "admin.audit_log", "admin.holiday_import", "admin.report"} <= endpoints
    # Pages of other blueprints under /admin are covered too.
    assert {"statistics.admin_stats", "statistics.admin_stats_csv", "notifications.outbox",
            "notifications.retry_message", "notifications.retry_all"} <= endpoints
    assert endpoints >= EXECUTIVE_READS


@pytest.mark.parametrize("role", ["officer", "head", "integrity"])
def test_other_roles_get_403_on_every_admin_page(app, client, make_user, login_as, seeded, role):
    user_id = make_user("staff1", roles=(role,), divisions=("engineering",) if role != "integrity" else ("integrity",))
    login_as(user_id)
    token = token_for(client, "/file/complaint")
    checked = 0
    for rule, _endpoint, methods in admin_rules(app):
        url = concrete_url(app, rule)
        for method in methods:
            response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
            assert response.status_code == 403, f"{role} {method} {url} -> {response.status_code}"
            checked += 1
    assert checked > 40


def test_executive_reads_the_report_and_changes_nothing(app, client, make_user, login_as, seeded):
    login_as(make_user("boss", roles=("executive",)))
    token = token_for(client, "/file/complaint")
    for rule, endpoint, methods in admin_rules(app):
        url = concrete_url(app, rule)
        for method in methods:
            response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
            if method == "GET" and endpoint in EXECUTIVE_READS:
                assert response.status_code == 200, f"executive GET {url} -> {response.status_code}"
            else:
                assert response.status_code == 403, f"executive {method} {url} -> {response.status_code}"


def test_executive_sees_no_edit_controls(client, make_user, login_as, seeded):
    login_as(make_user("boss", roles=("executive",)))
    html = client.get("/admin/measures?fy=2568").get_data(as_text=True)
    assert "/admin/measures/new" not in html and "/move" not in html and "/delete" not in html
    html = client.get("/admin/ita?fy=2568").get_data(as_text=True)
    assert "/admin/ita/edit" not in html
    html = client.get("/admin/").get_data(as_text=True)
    assert "/admin/users" not in html and "/admin/report" in html


def test_visitors_are_sent_to_sign_in(app, client, make_user, seeded):
    make_user("someone", roles=("admin",))
    for rule, _endpoint, methods in admin_rules(app):
        if "GET" not in methods:
            continue
        response = client.get(concrete_url(app, rule))
        assert response.status_code in (302, 401), f"GET {rule.rule} -> {response.status_code}"
        if response.status_code == 302:
            assert "/staff/login" in response.headers["Location"]


def test_admin_opens_every_page(app, client, make_user, login_as, seeded):
    login_as(make_user("root", roles=("admin",)))
    with app.app_context():
        db.session.add(Holiday(day=date(2031, 1, 2), name="ทดสอบ"))
        db.session.commit()
    for rule, endpoint, methods in admin_rules(app):
        if "GET" not in methods:
            continue
        response = client.get(concrete_url(app, rule))
        expected = 302 if endpoint == "admin.canned_replies" and response.status_code == 302 else 200
        assert response.status_code == expected, f"admin GET {rule.rule} -> {response.status_code}"


@pytest.mark.parametrize(("roles", "expected"), [
    (("head",), 200), (("officer",), 403), (("integrity",), 403), (("admin",), 403), (("executive",), 403),
])
def test_only_division_heads_choose_a_digest(client, make_user, login_as, roles, expected):
    divisions = {"integrity": ("integrity",), "head": ("engineering",), "officer": ("engineering",)}.get(roles[0], ())
    login_as(make_user("staff1", roles=roles, divisions=divisions))
    assert client.get("/notifications/digest").status_code == expected
    token = token_for(client, "/file/complaint")
    response = client.post("/notifications/digest", data={"csrf_token": token, "digest": "y"})
    if expected == 403:
        assert response.status_code == 403
    else:
        assert response.status_code < 400
