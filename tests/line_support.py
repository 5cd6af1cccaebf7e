"""Driving the real webhook with signed LINE events against the fake LINE Platform on loopback."""

import base64
import hashlib
import hmac
import itertools
import json
import time
from datetime import UTC, datetime

import pytest

from eservice.extensions import db as _db
from tests.line_platform import FakeLinePlatform

SECRET = "0123456789abcdef0123456789abcdef"
TOKEN = "test-access-token"
_serial = itertools.count(1)


def user_id(n: int = 1) -> str:
    return "U" + f"{n:032x}"


def sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def event_id() -> str:
    # LINE's ids are ULIDs; any unique string of that alphabet does here.
    return f"01TEST{next(_serial):020d}"


class Line:
    """One test's LINE set-up: the app, its client, the fake platform, and helpers to talk as a user."""

    def __init__(self, app, platform: FakeLinePlatform):
        self.app = app
        self.platform = platform
        self.client = app.test_client()

    # --- events -------------------------------------------------------------------------------------

    def _base(self, user: str, kind: str, *, reply=True, redelivery=False, **extra) -> dict:
        event = {
            "type": kind,
            "mode": "active",
            "timestamp": int(time.time() * 1000),
            "webhookEventId": event_id(),
            "deliveryContext": {"isRedelivery": redelivery},
            "source": {"type": "user", "userId": user},
            **extra,
        }
        if reply:
            event["replyToken"] = self.platform.issue_reply_token(user)
        return event

    def text_event(self, user: str, text: str, **kw) -> dict:
        return self._base(user, "message", message={"type": "text", "id": str(next(_serial)),
                                                     "quoteToken": "q", "text": text}, **kw)

    def postback_event(self, user: str, data: str, **kw) -> dict:
        return self._base(user, "postback", postback={"data": data}, **kw)

    def image_event(self, user: str, content: bytes | None, *, image_set=None, **kw) -> dict:
        message_id = str(next(_serial))
        if content is not None:
            self.platform.content[message_id] = content
        message = {"type": "image", "id": message_id, "quoteToken": "q", "contentProvider": {"type": "line"}}
        if image_set:
            message["imageSet"] = image_set
        return self._base(user, "message", message=message, **kw)

    def location_event(self, user: str, lat: float, long: float, address: str = "", **kw) -> dict:
        return self._base(user, "message", message={"type": "location", "id": str(next(_serial)),
                                                     "latitude": lat, "longitude": long, "address": address}, **kw)

    def sticker_event(self, user: str, **kw) -> dict:
        return self._base(user, "message", message={"type": "sticker", "id": str(next(_serial)), "quoteToken": "q",
                                                     "packageId": "1", "stickerId": "1",
                                                     "stickerResourceType": "STATIC"}, **kw)

    def follow_event(self, user: str) -> dict:
        return self._base(user, "follow", follow={"isUnblocked": False})

    def unfollow_event(self, user: str) -> dict:
        return self._base(user, "unfollow", reply=False)

    def unsend_event(self, user: str, message_id: str) -> dict:
        return self._base(user, "unsend", reply=False, unsend={"messageId": message_id})

    # --- sending ------------------------------------------------------------------------------------

    def post(self, *events: dict, body: bytes | None = None, signature: str | None = "sign"):
        raw = body if body is not None else json.dumps({"destination": "Ubot", "events": list(events)}).encode()
        headers = {"Content-Type": "application/json"}
        if signature == "sign":
            headers["x-line-signature"] = sign(raw)
        elif signature is not None:
            headers["x-line-signature"] = signature
        return self.client.post("/line/webhook", data=raw, headers=headers)

    def run(self, now: datetime | None = None):
        """What the worker does: process the stored events, send the answers."""
        from eservice.line.background import run_round

        with self.app.app_context():
            try:
                return run_round(now=now)
            finally:
                _db.session.remove()

    def say(self, user: str, *events: dict, now: datetime | None = None) -> dict:
        """Send events, let the worker run, and return the last message the user saw."""
        response = self.post(*events)
        assert response.status_code == 200, response.get_data(as_text=True)
        self.run(now=now)
        return self.platform.last(user)

    def text(self, user: str, text: str, now=None) -> dict:
        return self.say(user, self.text_event(user, text), now=now)

    def press(self, user: str, label_or_prefix: str, message: dict | None = None, now=None) -> dict:
        """Press the quick-reply button whose label starts with ``label_or_prefix`` on the last message."""
        message = message or self.platform.last(user)
        action = button(message, label_or_prefix)
        assert action["type"] == "postback", action
        return self.say(user, self.postback_event(user, action["data"]), now=now)


def buttons(message: dict) -> list[dict]:
    return [item["action"] for item in message.get("quickReply", {}).get("items", [])]


def labels(message: dict) -> list[str]:
    return [action.get("label", "") for action in buttons(message)]


def button(message: dict, label_or_prefix: str) -> dict:
    for action in buttons(message):
        if action.get("label", "").startswith(label_or_prefix):
            return action
    raise AssertionError(f"no button {label_or_prefix!r} in {labels(message)}")


def line_config(platform: FakeLinePlatform, **overrides) -> dict:
    config = {
        "LINE_CHANNEL_SECRET": SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
        "LINE_API_BASE_URL": platform.url,
        "LINE_DATA_API_BASE_URL": platform.url,
        "LINE_TIMEOUT_SECONDS": 3,
        "LINE_PROCESS_IN_WEB": False,
        "PUBLIC_BASE_URL": "https://eservice.example.go.th",
    }
    config.update(overrides)
    return config


@pytest.fixture
def platform():
    with FakeLinePlatform(TOKEN) as fake:
        yield fake


@pytest.fixture
def line(make_app, platform) -> Line:
    return Line(make_app(**line_config(platform)), platform)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)
