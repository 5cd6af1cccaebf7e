"""Every staff route × every role × a case of one's own division, of another division, and an integrity
report — generated from the application's URL map, so that a new route cannot escape.

How it works: each endpoint under PREFIXES must have a *kind* in ENDPOINT_KINDS (a missing one fails
``test_every_route_has_an_expectation``); each kind says, per role and scenario, whether the request is
allowed, refused with 403 (may not use this page at all) or 404 (may not know the case exists), or
refused by the domain with a message (422). Denied requests must change nothing, and a denied case
request leaves an audit entry.

To cover another area (e.g. /admin), add its prefix to PREFIXES, its endpoints to ENDPOINT_KINDS (new
kinds go in EXPECTATIONS) and, if its URLs take new parameters, a builder to PARAMETERS.
"""

from fnmatch import fnmatch

import pytest
from flask import url_for
from sqlalchemy import func, select

from eservice import create_app
from eservice.domain.uploads import clean_upload
from eservice.extensions import db
from eservice.models import AuditEntry, Case, CaseEvent, Division, RoleRequest, User
from eservice.models.canned import CannedReply

from .factories import make_jpeg, make_user, seed_case
from .web import signed_in_client

PREFIXES = ("/staff",)
METHODS = ("GET", "POST")

ROLES = {
    # role: (roles held, divisions). Everyone with a division is in engineering, the "own" division.
    "officer": (("officer",), ("engineering",)),
    "head": (("head",), ("engineering",)),
    "integrity": (("integrity",), ("integrity",)),
    "admin": (("admin",), ()),
    "executive": (("executive",), ()),
}
# own: an engineering complaint; other: a health complaint; integrity: a corruption report that names
# engineering (so engineering's members are exactly the people who must never see it).
SCENARIOS = ("own", "other", "integrity")

ALLOW, REFUSED, SIGNED_OUT = "allow", "refused", "signed out"
SECRET = "รายละเอียดลับของรายงานการทุจริต"
VIEW = {"officer": {"own"}, "head": {"own"}, "integrity": {"integrity"}, "executive": {"own", "other"}, "admin": set()}
ACT = {"officer": {"own"}, "head": {"own"}, "integrity": {"integrity"}, "executive": set(), "admin": set()}
WORKSPACE = ("officer", "head", "integrity", "executive")


def _case_view(role, scenario):
    if role not in WORKSPACE:
        return 403  # refused before any case is looked up
    return ALLOW if scenario in VIEW[role] else 404


def _case_act(role, scenario):
    outcome = _case_view(role, scenario)
    if outcome != ALLOW:
        return outcome
    return ALLOW if scenario in ACT[role] else 403


def _case_reveal(role, scenario):
    outcome = _case_act(role, scenario)
    # Only integrity reports have a sealed identity: elsewhere the action is refused with a message.
    return REFUSED if outcome == ALLOW and scenario != "integrity" else outcome


def _roles(*allowed):
    return lambda role, scenario: ALLOW if role in allowed else 403


def _canned_reply(role, scenario):
    if role not in ("head", "admin"):
        return 403
    if role == "admin":
        # The integrity unit's canned replies are for its members only, not every administrator.
        return 404 if scenario == "integrity" else ALLOW
    return ALLOW if scenario == "own" else 404


EXPECTATIONS = {
    "public": lambda role, scenario: ALLOW,
    "signed_in": lambda role, scenario: ALLOW,
    "sign_out": lambda role, scenario: SIGNED_OUT,
    "workspace": _roles(*WORKSPACE),
    "record": _roles("officer", "head", "integrity"),
    "case_view": _case_view,
    "case_act": _case_act,
    "case_reveal": _case_reveal,
    "canned_manage": _roles("head", "admin"),
    "canned_reply": _canned_reply,
    "integrity_membership": _roles("integrity"),
}

# First match wins (fnmatch patterns on the endpoint name).
ENDPOINT_KINDS = {
    "staff.login": "public",
    "staff.logout": "sign_out",
    "staff.sign_out_everywhere": "sign_out",
    "staff.integrity_requests": "integrity_membership",
    "staff.integrity_decide": "integrity_membership",
    "staff.password": "signed_in",
    "staff.queue": "workspace",
    "staff.case": "case_view",
    "staff.attachment": "case_view",
    "staff.action_reveal": "case_reveal",
    "staff.action_*": "case_act",
    "staff.record_choose": "record",
    "staff.record": "record",
    "staff.canned_list": "canned_manage",
    "staff.canned_new": "canned_manage",
    "staff.canned_edit": "canned_reply",
    "staff.canned_delete": "canned_reply",
}
CASE_KINDS = ("case_view", "case_act", "case_reveal")


def kind_of(endpoint: str) -> str | None:
    for pattern, kind in ENDPOINT_KINDS.items():
        if fnmatch(endpoint, pattern):
            return kind
    return None


def _routes():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIXES):
            for method in METHODS:
                if method in rule.methods:
                    found.append((rule.endpoint, rule.rule, method))
    return sorted(found)


ROUTES = _routes()


# --- the world each route is tried against -------------------------------------------------------------


class World:
    def __init__(self, app):
        self.app = app
        self.users = {role: make_user(app, f"u_{role}", roles=roles, divisions=divisions)
                      for role, (roles, divisions) in ROLES.items()}
        photo = clean_upload("photo.jpg", make_jpeg(), 10 * 1024 * 1024)
        self.codes = {
            "own": seed_case(app, category="road", files=[photo]),
            "other": seed_case(app, category="garbage", files=[photo]),
            "integrity": seed_case(app, case_type="corruption", category="bribery", subject_division="engineering",
                                   anonymous=False, first_name="ผู้แจ้ง", files=[photo], description=SECRET),
        }
        self.reply_divisions = {"own": "engineering", "other": "health", "integrity": "integrity"}

    def attachment_id(self, scenario):
        with self.app.app_context():
            case = db.session.scalar(select(Case).where(Case.tracking_code == self.codes[scenario]))
            return case.attachments[0].id

    def reply_id(self, scenario):
        """A canned reply of the scenario's division (made again if an allowed request deleted it)."""
        with self.app.app_context():
            division = db.session.scalar(select(Division).where(Division.code == self.reply_divisions[scenario]))
            reply = db.session.scalar(select(CannedReply).where(CannedReply.division_id == division.id))
            if reply is None:
                reply = CannedReply(division=division, title=f"reply {scenario}", body="{code}")
                db.session.add(reply)
                db.session.commit()
            return reply.id

    def request_id(self):
        """A pending request (the officer to join the integrity unit, asked for by the administrator)."""
        with self.app.app_context():
            request = RoleRequest(user_id=self.users["officer"], role="integrity", grant=True,
                                  requested_by_id=self.users["admin"])
            db.session.add(request)
            db.session.commit()
            return request.id

    def snapshot(self):
        with self.app.app_context():
            return (
                tuple(db.session.execute(select(Case.tracking_code, Case.version, Case.status, Case.division_id,
                                                Case.assigned_to_id).order_by(Case.id)).all()),
                db.session.scalar(select(func.count()).select_from(CaseEvent)),
                tuple(db.session.execute(select(CannedReply.id, CannedReply.title, CannedReply.body)
                                         .order_by(CannedReply.id)).all()),
                tuple(db.session.execute(select(RoleRequest.id, RoleRequest.state).order_by(RoleRequest.id)).all()),
                tuple(db.session.execute(select(User.id, User.roles, User.session_version).order_by(User.id)).all()),
            )

    def denied_count(self):
        with self.app.app_context():
            return db.session.scalar(select(func.count()).select_from(AuditEntry)
                                     .where(AuditEntry.action == "case.denied"))


PARAMETERS = {
    "code": lambda world, scenario: world.codes[scenario],
    "attachment_id": lambda world, scenario: world.attachment_id(scenario),
    "case_type": lambda world, scenario: "complaint",
    "reply_id": lambda world, scenario: world.reply_id(scenario),
    "request_id": lambda world, scenario: world.request_id(),
    "decision": lambda world, scenario: "decline",
}


def build_url(world, endpoint, rule_text, scenario):
    rule = next(r for r in world.app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == rule_text)
    values = {}
    for name in rule.arguments:
        assert name in PARAMETERS, f"teach the matrix how to fill <{name}> (PARAMETERS) for {rule_text}"
        values[name] = PARAMETERS[name](world, scenario)
    with world.app.test_request_context():
        return url_for(endpoint, **values)


def check(response, expected, where):
    status = response.status_code
    location = response.headers.get("Location", "")
    if expected == ALLOW:
        assert status < 500, where
        assert status in (200, 302, 409, 422), (where, status)
        assert not location.startswith("/staff/login"), (where, location)
    elif expected == SIGNED_OUT:
        assert status == 302 and location == "/staff/login", (where, status, location)
    elif expected == REFUSED:
        assert status == 422, (where, status)
    else:
        assert status == expected, (where, status, response.get_data(as_text=True)[:300])


# --- the tests ------------------------------------------------------------------------------------------


def test_routes_were_found():
    endpoints = {endpoint for endpoint, _, _ in ROUTES}
    assert {"staff.queue", "staff.case", "staff.attachment", "staff.action_acknowledge"} <= endpoints


@pytest.mark.parametrize(("endpoint", "rule", "method"), ROUTES, ids=[f"{m} {r}" for _, r, m in ROUTES])
def test_every_route_has_an_expectation(endpoint, rule, method):
    assert kind_of(endpoint) in EXPECTATIONS, f"{endpoint} ({rule}) has no entry in ENDPOINT_KINDS"


@pytest.mark.parametrize(("endpoint", "rule", "method"), ROUTES, ids=[f"{m} {r}" for _, r, m in ROUTES])
def test_matrix(make_app, endpoint, rule, method):
    kind = kind_of(endpoint)
    assert kind is not None, f"{endpoint} has no entry in ENDPOINT_KINDS"
    app = make_app(WTF_CSRF_ENABLED=False)  # the CSRF check has its own test below
    world = World(app)

    anonymous = app.test_client().open(build_url(world, endpoint, rule, "own"), method=method, data={})
    if kind == "public":
        check(anonymous, ALLOW, f"anonymous {method} {rule}")
    else:
        assert anonymous.status_code == 302, f"anonymous {method} {rule}"
        assert anonymous.headers["Location"].startswith("/staff/login"), f"anonymous {method} {rule}"

    for role in ROLES:
        for scenario in SCENARIOS:
            where = f"{role} {method} {rule} [{scenario}]"
            url = build_url(world, endpoint, rule, scenario)
            expected = EXPECTATIONS[kind](role, scenario)
            before, denied_before = world.snapshot(), world.denied_count()
            client = signed_in_client(app, world.users[role])
            response = client.open(url, method=method, data={})
            check(response, expected, where)
            if expected in (403, 404, REFUSED):
                assert world.snapshot() == before, f"{where}: a refused request changed something"
            if expected == 404 and kind in CASE_KINDS:
                assert world.denied_count() == denied_before + 1, f"{where}: not in the audit log"
            if expected == 404:
                page = response.get_data(as_text=True)
                assert SECRET not in page and "ผู้แจ้ง" not in page, where


POSTS = [(e, r) for e, r, m in ROUTES if m == "POST"]
PERMITTED = {"public": None, "signed_in": "officer", "sign_out": "officer", "record": "officer", "case_act": "officer",
             "case_reveal": "integrity", "canned_manage": "admin", "canned_reply": "admin", "workspace": "officer",
             "integrity_membership": "integrity"}


@pytest.mark.parametrize(("endpoint", "rule"), POSTS, ids=[r for _, r in POSTS])
def test_every_post_needs_a_csrf_token(make_app, endpoint, rule):
    app = make_app()
    world = World(app)
    role = PERMITTED[kind_of(endpoint)]
    scenario = "integrity" if role == "integrity" else "own"
    client = signed_in_client(app, world.users[role]) if role else app.test_client()
    url = build_url(world, endpoint, rule, scenario)
    before = world.snapshot()
    response = client.post(url, data={})
    assert response.status_code == 400
    assert world.snapshot() == before
