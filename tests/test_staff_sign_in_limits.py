"""Wrong sign-ins are slowed down per name, per address and per name from one address; no account is ever
locked for everyone, a name that exists answers exactly like one that does not, and the officer at their
own desk still gets in while someone elsewhere guesses their password (issue 9, item 6)."""

import os
import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from eservice.domain import sign_in as rules
from eservice.extensions import db
from eservice.input_guard import has_unstorable
from eservice.models import AuditEntry, SignInThrottle, User

from .factories import PASSWORD, audit_entries, make_user
from .web import csrf_token, english, sign_in

OFFICE = "192.0.2.10"  # the officer's own desk
ATTACKER = "198.51.100.66"


def client_at(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return english(client)


def _answer(response) -> tuple[int, str]:
    """Status and the page's words, without what differs by design (the token, the name typed)."""
    html = response.get_data(as_text=True)
    html = re.sub(r'name="csrf_token"[^>]*>', "", html)
    html = re.sub(r'value="[^"]*"', "", html)
    return response.status_code, html


def test_a_real_and_an_unknown_name_get_the_same_answers_all_the_way(app):
    make_user(app, "somchai", divisions=("engineering",))
    real, unknown = client_at(app, ATTACKER), client_at(app, ATTACKER)
    limit = app.config["LOGIN_MAX_FAILURES"]
    for attempt in range(limit + 2):
        a = _answer(sign_in(real, "somchai", "wrong password"))
        b = _answer(sign_in(unknown, "nobody-here", "wrong password"))
        assert a == b, f"attempt {attempt + 1} tells the names apart"
    status, html = a
    assert status == 429 and "Too many unsuccessful sign-ins: please wait until" in html


def test_while_the_wait_runs_even_the_right_password_is_not_checked(app):
    make_user(app, "somchai", divisions=("engineering",))
    attacker = client_at(app, ATTACKER)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        sign_in(attacker, "somchai", "wrong password")
    assert sign_in(attacker, "somchai").status_code == 429  # a correct guess is not revealed by the answer
    assert audit_entries(app, "login.failed")[-1].details["reason"] == "slowed"
    assert {e.details["scope"] for e in audit_entries(app, "login.slowed")} == {"pair"}


def test_someone_guessing_elsewhere_does_not_keep_the_officer_out(app):
    make_user(app, "somchai", divisions=("engineering",))
    attacker = client_at(app, ATTACKER)
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 3):
        sign_in(attacker, "somchai", "wrong password")
    assert sign_in(attacker, "somchai").status_code == 429
    # The officer at their own desk is not held back by the guesses made from another address.
    assert sign_in(client_at(app, OFFICE), "somchai").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "somchai")).last_login_at is not None


def test_guessing_from_many_addresses_slows_the_name_but_not_its_known_address(make_app):
    app = make_app(LOGIN_ACCOUNT_MAX_FAILURES=6, LOGIN_MAX_FAILURES=5)
    make_user(app, "somchai", divisions=("engineering",))
    assert sign_in(client_at(app, OFFICE), "somchai").status_code == 302  # the office address is now known
    for n in range(7):
        sign_in(client_at(app, f"203.0.113.{n + 1}"), "somchai", "wrong password")
    assert sign_in(client_at(app, "203.0.113.200"), "somchai").status_code == 429  # a new address waits
    assert sign_in(client_at(app, "203.0.113.201"), "nobody-here").status_code == 422  # other names do not
    assert sign_in(client_at(app, OFFICE), "somchai").status_code == 302  # the officer's desk still gets in


def test_the_same_name_count_applies_to_a_name_that_does_not_exist(make_app):
    app = make_app(LOGIN_ACCOUNT_MAX_FAILURES=6)
    for n in range(7):
        sign_in(client_at(app, f"203.0.113.{n + 1}"), "nobody-here", "wrong password")
    assert sign_in(client_at(app, "203.0.113.200"), "nobody-here", "wrong password").status_code == 429


def test_one_address_guessing_many_names_is_slowed_for_every_name(make_app):
    app = make_app(LOGIN_ADDRESS_MAX_FAILURES=8)
    make_user(app, "somchai", divisions=("engineering",))
    attacker = client_at(app, ATTACKER)
    for n in range(9):
        assert sign_in(attacker, f"guess{n}", "wrong password").status_code in (422, 429)
    # The address waits, whatever name it tries next, while every account stays open to others.
    assert sign_in(attacker, "somchai").status_code == 429
    assert sign_in(client_at(app, OFFICE), "somchai").status_code == 302
    with app.app_context():
        scopes = {row.scope for row in db.session.scalars(select(SignInThrottle))}
    assert "address" in scopes


def test_the_wait_grows_and_ends(app):
    with app.app_context():
        user = db.session.get(User, make_user(app, "somchai", divisions=("engineering",)))
        limits = rules.Limits(max_failures=3, delay=timedelta(seconds=30), max_delay=timedelta(minutes=2))
        now = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)
        waits = []
        for _ in range(5):  # 2 failures, then a wait after each
            result = rules.authenticate(db.session, "somchai", "wrong password", ip=ATTACKER, limits=limits, now=now)
            assert not result.ok
            slowed = rules.authenticate(db.session, "somchai", "wrong password", ip=ATTACKER, limits=limits,
                                        now=now)
            if slowed.slowed_until is not None:
                waits.append(slowed.slowed_until - now)
                now = slowed.slowed_until + timedelta(seconds=1)
        assert waits == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120), timedelta(seconds=120)]
        ok = rules.authenticate(db.session, "somchai", PASSWORD, ip=ATTACKER, limits=limits, now=now)
        assert ok.ok and ok.user.id == user.id
        db.session.commit()


def test_old_failures_are_forgotten(app):
    make_user(app, "somchai", divisions=("engineering",))
    with app.app_context():
        limits = rules.Limits(max_failures=3)
        then = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)
        for _ in range(2):
            rules.authenticate(db.session, "somchai", "wrong", ip=ATTACKER, limits=limits, now=then)
        later = then + limits.forget_after + timedelta(minutes=1)
        result = rules.authenticate(db.session, "somchai", "wrong", ip=ATTACKER, limits=limits, now=later)
        assert result.slowed_until is None
        assert rules.authenticate(db.session, "somchai", "wrong", ip=ATTACKER, limits=limits,
                                  now=later).slowed_until is None  # two failures counted, not four
        db.session.commit()


def test_an_administrators_reset_lifts_the_wait_of_the_name(make_app, login_as):
    app = make_app(LOGIN_ACCOUNT_MAX_FAILURES=3)
    officer = make_user(app, "somchai", divisions=("engineering",))
    for n in range(4):
        sign_in(client_at(app, f"203.0.113.{n + 1}"), "somchai", "wrong password")
    assert sign_in(client_at(app, "203.0.113.99"), "somchai").status_code == 429
    with app.app_context():
        from eservice.domain import administration
        from eservice.domain.audit import By

        administration.reset_password(db.session, db.session.get(User, officer), "a brand new password",
                                      by=By(None))
        db.session.commit()
    assert sign_in(client_at(app, "203.0.113.99"), "somchai", "a brand new password").status_code == 302


@pytest.mark.parametrize("name", ["somchai", "SOMCHAI", "nobody-here", "x" * 80])
def test_nothing_typed_is_stored_in_clear(app, name):
    make_user(app, "somchai", divisions=("engineering",))
    sign_in(client_at(app, ATTACKER), name, "wrong password")
    with app.app_context():
        keys = [row.key for row in db.session.scalars(select(SignInThrottle))]
    assert keys and all(re.fullmatch(r"[0-9a-f]{64}", k) for k in keys)


# --- any text in the sign-in form: no 5xx, every attempt audited once, nothing typed kept in clear -------



# NUL is refused in one place by another part of issue 9 (item 4); here every other character, RTL overrides
# and very long text.
typed = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=300),
    st.sampled_from(["somchai", "SOMCHAI ", "\u202eiahcmos", "ก" * 100_000, "' OR 1=1 --", "a@b"]),
)


@settings(max_examples=int(os.environ.get("SIGN_IN_FUZZ_EXAMPLES", "25")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(name=typed, password=typed)
def test_any_text_in_the_sign_in_form(app, name, password):
    make_user(app, "somchai", divisions=("engineering",)) if not _exists(app, "somchai") else None
    client = client_at(app, ATTACKER)
    page = client.get("/staff/login").get_data(as_text=True)
    before = _failed_count(app)
    response = client.post("/staff/login", data={"csrf_token": csrf_token(page), "username": name,
                                                 "password": password})
    if has_unstorable(name) or has_unstorable(password):  # refused before sign-in by the one input guard
        assert response.status_code == 400 and _failed_count(app) == before
        return
    assert response.status_code in (302, 422, 429), response.status_code
    if response.status_code != 302 and name.strip() and len(name.strip()) <= 80 and password:
        assert _failed_count(app) == before + 1  # every attempt checked is audited, once
    with app.app_context():
        for row in db.session.scalars(select(SignInThrottle)):
            assert re.fullmatch(r"[0-9a-f]{64}", row.key) and row.failures >= 0


def _exists(app, name) -> bool:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == name)) is not None


def _failed_count(app) -> int:
    from sqlalchemy import func

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "login.failed"))
