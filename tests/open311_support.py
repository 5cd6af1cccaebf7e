"""Helpers for the Open311 tests: keys, calls in both formats, the community schemas, XML reading."""

import json
import pathlib
from xml.etree import ElementTree

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from sqlalchemy import func, select

from eservice.domain.open311 import keys
from eservice.extensions import db
from eservice.models import AuditEntry, Case, Reporter, TrackingSequence

BASE = "/open311/v2"
SCHEMA_DIR = pathlib.Path(__file__).parent / "open311_schema"
_SCHEMAS = {p.name: json.loads(p.read_text()) for p in SCHEMA_DIR.glob("*.json")}
_REGISTRY = Registry().with_resources(
    (name, Resource.from_contents(schema, default_specification=DRAFT4))
    for name, schema in _SCHEMAS.items()
)


def validate(body, schema_name: str) -> None:
    """Validate a JSON answer against a community schema (services.json, requests.json, ...)."""
    validator = jsonschema.Draft4Validator(_SCHEMAS[schema_name], registry=_REGISTRY,
                                           format_checker=jsonschema.FormatChecker())
    validator.validate(body)


def make_key(app, name="ศูนย์ดำรงธรรมจังหวัดนครราชสีมา", channel="referral", can_write=True,
             rate_limit="60 per minute") -> str:
    with app.app_context():
        _key, raw = keys.create_key(db.session, keys.KeyInput(name, channel, can_write, rate_limit))
        db.session.commit()
        return raw


def key_row(app, raw):
    with app.app_context():
        key = keys.find_key(db.session, raw)
        db.session.expunge_all()
        return key


def post_request(client, api_key=None, fmt="json", language="en", **fields):
    data = {"service_code": "road", "attribute[case_type]": "complaint", "lat": "14.6321", "long": "102.9512",
            "description": "ถนนหน้าวัดเป็นหลุมลึก"}
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    if api_key is not None:
        data["api_key"] = api_key
    return client.post(f"{BASE}/requests.{fmt}", data=data, headers={"Accept-Language": language})


def get(client, path, fmt="json", language="en", **params):
    return client.get(f"{BASE}/{path}.{fmt}", query_string=params, headers={"Accept-Language": language})


def xml(response):
    """The parsed XML answer, checking what the spec asks of it: UTF-8, its declaration, no namespace."""
    assert response.content_type == "text/xml; charset=utf-8"
    body = response.get_data()
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ElementTree.fromstring(body)  # noqa: S314  (our own answer, in a test)
    assert "{" not in root.tag and "xmlns" not in body.decode()
    return root


def errors(response):
    """The spec's JSON errors: [{"code", "description"}]."""
    assert response.content_type == "application/json; charset=utf-8"
    body = response.get_json()
    assert isinstance(body, list) and body
    for error in body:
        assert set(error) == {"code", "description"}
        assert isinstance(error["code"], int) and error["description"]
    return body


def counts(app) -> dict:
    """What a filing writes: nothing of it may stay behind when a filing is refused."""
    with app.app_context():
        return {
            "cases": db.session.scalar(select(func.count()).select_from(Case)),
            "reporters": db.session.scalar(select(func.count()).select_from(Reporter)),
            "audit": db.session.scalar(select(func.count()).select_from(AuditEntry)),
            "numbers": db.session.scalar(select(func.coalesce(func.sum(TrackingSequence.last_number), 0))),
        }
