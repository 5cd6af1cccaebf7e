"""Open311 API keys: made by administrators and shown once, kept as a hash, scoped, rate-limited per key,
revoked at once; filings audited with the key's name; the officer sees the partner's link (issue 13)."""

import re
import uuid

import pytest
from sqlalchemy import select

from eservice.domain.open311 import keys
from eservice.extensions import db
from eservice.models import AuditEntry, Case
from eservice.models.open311 import ApiKey

from .factories import make_user
from .open311_support import errors, get, key_row, make_key, post_request
from .web import post, signed_in_client


@pytest.fixture
def admin(app):
    return signed_in_client(app, make_user(app, "root", roles=("admin",)))


def _created_key(html: str) -> str:
    match = re.search(r'id="api-key">([^<]+)<', html)
    assert match, "the new key is not on the page"
    return match.group(1)


def test_an_administrator_makes_a_key_that_is_shown_once_and_kept_as_a_hash(app, client, admin):
    assert "/admin/api-keys" in admin.get("/admin/").get_data(as_text=True)
    page = admin.get("/admin/api-keys/new")
    assert page.status_code == 200 and '<option selected value="referral">' in page.get_data(as_text=True)
    response = post(admin, "/admin/api-keys/new", {"name": "ศูนย์ดำรงธรรมจังหวัด", "channel_code": "referral",
                                                   "can_write": "write", "rate_limit": "30 per minute"})
    assert response.status_code == 200
    raw = _created_key(response.get_data(as_text=True))
    assert len(raw) >= 40 and response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        key = db.session.scalar(select(ApiKey))
        assert key.key_hash == keys.hash_key(raw) and raw not in (key.prefix, key.key_hash)
        assert key.prefix == raw[:8] and key.channel_code == "referral" and key.can_write
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "admin.api_key.create"))
        assert entry.actor_name == "root" and raw not in str(entry.details)
    listing = admin.get("/admin/api-keys").get_data(as_text=True)
    assert "ศูนย์ดำรงธรรมจังหวัด" in listing and raw[:8] in listing and raw not in listing
    # The key works at once.
    assert post_request(client, raw).status_code == 200


def test_key_form_refuses_bad_input_and_saves_nothing(app, admin):
    make_key(app, name="แอปเทศบาล")
    for data, message in [
        ({"name": "", "channel_code": "referral", "can_write": "write", "rate_limit": "60 per minute"},
         "Name the key after the partner that uses it."),
        ({"name": "แอปเทศบาล", "channel_code": "referral", "can_write": "write", "rate_limit": "60 per minute"},
         "Another key already has this name."),
        ({"name": "x", "channel_code": "nowhere", "can_write": "write", "rate_limit": "60 per minute"},
         "Not a valid choice"),
        ({"name": "x", "channel_code": "referral", "can_write": "write", "rate_limit": "lots"},
         "Write the limit like"),
    ]:
        response = post(admin, "/admin/api-keys/new", data, token_page="/admin/api-keys/new")
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(ApiKey.name).where(ApiKey.name == "x")) is None


def test_rescoping_a_key_takes_effect_at_once(app, client, admin):
    raw = make_key(app, name="แอปเทศบาล")
    key_id = key_row(app, raw).id
    response = post(admin, f"/admin/api-keys/{key_id}", {"name": "แอปเทศบาล (อ่าน)", "channel_code": "line",
                                                         "can_write": "read", "rate_limit": "10 per minute"})
    assert response.status_code == 302
    key = key_row(app, raw)
    assert key.name == "แอปเทศบาล (อ่าน)" and not key.can_write and key.channel_code == "line"
    assert post_request(client, raw).status_code == 403
    assert get(client, "requests", api_key=raw).status_code == 200
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "admin.api_key.update"))
        assert entry.details["can_write"] == [True, False]


def test_a_revoked_key_is_refused_at_once_on_every_method(app, client, admin):
    raw = make_key(app, name="แอปเทศบาล")
    code = post_request(client, raw).get_json()[0]["service_request_id"]
    key_id = key_row(app, raw).id
    assert post(admin, f"/admin/api-keys/{key_id}/revoke", token_page="/admin/api-keys").status_code == 302
    for response in (post_request(client, raw), get(client, "requests", api_key=raw),
                     get(client, f"requests/{code}", api_key=raw), get(client, "services", api_key=raw),
                     get(client, "services/road", "xml", api_key=raw)):
        assert response.status_code == 403
    refused = errors(post_request(client, raw))
    assert refused[0]["description"] == "api_key: This api_key is not valid, or it was revoked."
    # Its requests stay, and read like anyone else's now.
    assert get(client, f"requests/{code}").get_json()[0]["description"] is None
    listing = admin.get("/admin/api-keys").get_data(as_text=True)
    assert "Revoked" in listing and f"/admin/api-keys/{key_id}\"" not in listing
    assert admin.get(f"/admin/api-keys/{key_id}").status_code == 200
    edit = post(admin, f"/admin/api-keys/{key_id}", {"name": "again", "channel_code": "line", "can_write": "write",
                                                     "rate_limit": "10 per minute"})
    assert edit.status_code == 422 and key_row(app, raw).revoked
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "admin.api_key.revoke"))


def test_only_administrators_manage_keys(app, client):
    raw = make_key(app)
    key_id = key_row(app, raw).id
    for role in ("officer", "head", "integrity", "executive"):
        user = signed_in_client(app, make_user(app, f"u-{role}", roles=(role,), divisions=("engineering",)))
        assert user.get("/admin/api-keys").status_code == 403
        assert post(user, f"/admin/api-keys/{key_id}/revoke", token_page="/file/complaint").status_code == 403
    assert not key_row(app, raw).revoked
    assert client.get("/admin/api-keys").status_code == 302  # to the sign-in page


def test_last_used_time_is_kept(app, client):
    raw = make_key(app)
    assert key_row(app, raw).last_used_at is None
    assert get(client, "services", api_key=raw).status_code == 200
    first = key_row(app, raw).last_used_at
    assert first is not None
    get(client, "services", api_key=raw)
    assert key_row(app, raw).last_used_at == first  # written at most once a minute


@pytest.mark.parametrize("storage", ["memory://", "redis://127.0.0.1:6379/3"])
def test_each_key_has_its_own_rate_limit(make_app, storage):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=storage, OPEN311_RATE_LIMIT="3 per minute",
                   RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}")
    client = app.test_client()
    slow = make_key(app, name="ช้า", rate_limit="2 per minute")
    fast = make_key(app, name="เร็ว", rate_limit="100 per minute")
    assert get(client, "services", api_key=slow).status_code == 200
    assert post_request(client, slow).status_code == 200
    limited = get(client, "services", "xml", api_key=slow)
    assert limited.status_code == 429 and limited.content_type == "text/xml; charset=utf-8"
    assert b"<errors><error><code>429</code>" in limited.get_data()
    assert errors(post_request(client, slow))[0]["code"] == 429
    # Another key is not affected; nor are requests without a key (their own limit, per address).
    for _ in range(5):
        assert get(client, "services", api_key=fast).status_code == 200
    assert [get(client, "services").status_code for _ in range(4)] == [200, 200, 200, 429]
    with app.app_context():
        assert len(db.session.scalars(select(Case)).all()) == 1


def test_the_officer_sees_the_partner_and_its_link_never_fetched(app, client):
    raw = make_key(app, name="แอปเทศบาล")
    code = post_request(client, raw, media_url="https://photos.example.org/x.jpg?a=1&b=2").get_json()[0][
        "service_request_id"]
    officer = signed_in_client(app, make_user(app, "somsri", roles=("officer",), divisions=("engineering",)))
    html = officer.get(f"/staff/cases/{code}").get_data(as_text=True)
    assert "แอปเทศบาล, through the Open311 API" in html
    assert ('<a href="https://photos.example.org/x.jpg?a=1&amp;b=2" rel="noopener noreferrer nofollow" '
            'target="_blank" class="media-link">') in html
    with app.app_context():
        event = db.session.scalar(select(Case).where(Case.tracking_code == code)).events[0]
        assert event.kind == "filed" and event.data["api_key_id"] == key_row(app, raw).id
