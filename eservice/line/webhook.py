"""The webhook's two jobs, before it answers LINE: check the signature, store the events.

Nothing here parses a message or talks to LINE: what the events mean is worked out afterwards
(:mod:`.processing`), so the webhook answers in milliseconds whatever LINE's APIs are doing, and an event
stored is never lost, even if the process dies the moment after answering.
"""

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ..models.line import LineChannelState, LineEvent

# What LINE sends: a ULID for the event id, a "U" and 32 hex digits for a user id. Anything else is not
# from LINE (or not something we can act on) and is not stored as such.
EVENT_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
EVENT_TYPE = re.compile(r"^[A-Za-z]{1,30}$")
USER_ID = re.compile(r"^U[0-9a-f]{32}$")


class BadRequest(Exception):
    """The body is not a LINE webhook body: answered 400, nothing stored."""


def channel_secret() -> str:
    return str(current_app.config.get("LINE_CHANNEL_SECRET") or "")


def is_configured() -> bool:
    """Secret and access token both set: LINE can reach us and we can answer."""
    return bool(channel_secret() and current_app.config.get("LINE_CHANNEL_ACCESS_TOKEN"))


def signature_is_valid(body: bytes, signature: str | None, secret: str) -> bool:
    """LINE's ``x-line-signature``: base64 HMAC-SHA256 of the raw body, compared in constant time."""
    if not signature or not secret:
        return False
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False  # LINE sends UTF-8 JSON; the SDK's validator works on text
    from linebot.v3.webhook import SignatureValidator  # imported at start-up where LINE is configured

    return SignatureValidator(secret).validate(text, signature)


@dataclass
class StoredEvent:
    webhook_event_id: str
    event_type: str
    line_user_id: str | None
    redelivery: bool
    payload: str


def parse_body(body: bytes) -> list[StoredEvent]:
    """The events of a signed body, as rows to store. Raises :class:`BadRequest` for a body that is not
    a JSON object with a list of events. Events we cannot identify (no usable ``webhookEventId`` or
    ``type``) are left out: they could not be told apart from their redelivery."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        raise BadRequest("not JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("events"), list):
        raise BadRequest("no events list")
    events = []
    for raw in document["events"]:
        if not isinstance(raw, dict):
            continue
        event_id, event_type = raw.get("webhookEventId"), raw.get("type")
        if not isinstance(event_id, str) or not EVENT_ID.match(event_id):
            continue
        if not isinstance(event_type, str) or not EVENT_TYPE.match(event_type):
            continue
        source = raw.get("source")
        # Only one-to-one chats: in a group or room the bot is not the place to file a case.
        user_id = source.get("userId") if isinstance(source, dict) and source.get("type") == "user" else None
        context = raw.get("deliveryContext")
        try:
            # ASCII JSON: a lone surrogate or a NUL in a message cannot break the database's text.
            payload = json.dumps(raw, ensure_ascii=True)
        except (ValueError, RecursionError):
            continue
        events.append(StoredEvent(
            webhook_event_id=event_id,
            event_type=event_type,
            line_user_id=user_id if isinstance(user_id, str) and USER_ID.match(user_id) else None,
            redelivery=bool(isinstance(context, dict) and context.get("isRedelivery") is True),
            payload=payload,
        ))
    return events


def store(session: Session, events: list[StoredEvent], now: datetime | None = None) -> int:
    """Insert the events, skipping any already stored (a redelivery); note a call that brought nothing new.
    In the caller's transaction. Returns how many were new."""
    now = now or datetime.now(UTC)
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    new = 0
    seen: set[str] = set()
    for event in events:
        if event.webhook_event_id in seen:
            continue
        seen.add(event.webhook_event_id)
        result = session.execute(
            insert(LineEvent)
            .values(
                webhook_event_id=event.webhook_event_id,
                event_type=event.event_type,
                line_user_id=event.line_user_id,
                redelivery=event.redelivery,
                payload=event.payload,
                status="pending",
                attempts=0,
                next_attempt_at=now,
                last_error="",
                received_at=now,
            )
            .on_conflict_do_nothing(index_elements=["webhook_event_id"])
            .returning(LineEvent.id)  # a row back only when it was new (rowcount is not portable here)
        )
        new += 1 if result.first() is not None else 0
    if not new:
        state = insert(LineChannelState).values(id=1, last_webhook_at=now)
        session.execute(state.on_conflict_do_update(index_elements=["id"], set_={"last_webhook_at": now}))
    return new


def last_webhook_at(session: Session) -> datetime | None:
    """When LINE last called: the newest stored event, or a call that brought none."""
    from sqlalchemy import func, select

    times = [session.scalar(select(func.max(LineEvent.received_at))),
             session.scalar(select(LineChannelState.last_webhook_at).where(LineChannelState.id == 1))]
    times = [t for t in times if t is not None]
    return max(times) if times else None
