"""Processing stored LINE events: in order per person, resumably, without holding a transaction open
while LINE is slow.

One round (:func:`process_due`):

1. **Claim** due events in a short transaction (``pending`` ones whose time has come, and ``processing``
   ones whose claim ran out because their worker died), taking for each LINE user only their earliest
   unfinished event, so one person's messages are handled in the order they were sent even with several
   workers (PostgreSQL: ``FOR UPDATE SKIP LOCKED``; SQLite: the write lock).
2. For each: read it, parse it with ``linebot.v3``, and fetch a photo from the data API with no
   transaction open. LINE down or slow: the event goes back to ``pending`` after a growing delay (the
   photo is not lost); a photo LINE no longer has is told to the person.
3. In one transaction: the conversation (:func:`eservice.domain.line.chat.handle`) changes the chat and
   files or updates cases; its answer is an outbox row (the reply token while fresh, else a push); the
   event is marked ``done`` and cut down to its id and type. A failure rolls all of it back and the event
   is tried again later, ``failed`` after ``LINE_EVENT_MAX_ATTEMPTS``.
"""

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import aliased

from ..database import begin_write
from ..domain.errors import DomainError
from ..domain.line import chat as conversation
from ..domain.line.pushes import READY_KIND
from ..extensions import db
from ..models import Organisation
from ..models.line import LineChat, LineEvent
from ..models.outbox import OutboxMessage
from ..outbox import external_url, worker_name
from ..web import clean_uploaded
from .client import LineError, line_client
from .intake import build_intake

log = logging.getLogger(__name__)

CLAIM_SECONDS = 120  # an event claimed by a worker that died is taken up again after this long
UNFINISHED = ("pending", "processing")


@dataclass
class ProcessResult:
    claimed: int = 0
    done: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0  # taken over by another worker in between

    def add(self, other: "ProcessResult") -> None:
        for name in ("claimed", "done", "retried", "failed", "skipped"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


class _TryLater(Exception):
    """LINE could not give us what the event needs now (a photo): the event waits and is tried again."""


# --- claiming ---------------------------------------------------------------------------------------


def due_events_query(dialect: str, *, now: datetime, limit: int):
    earlier = aliased(LineEvent)
    waits_for_earlier = exists().where(
        earlier.line_user_id == LineEvent.line_user_id,
        earlier.id < LineEvent.id,
        earlier.status.in_(UNFINISHED),
    )
    query = (
        select(LineEvent.id)
        .where(
            or_(
                (LineEvent.status == "pending") & (LineEvent.next_attempt_at <= now),
                (LineEvent.status == "processing") & (LineEvent.claimed_until < now),
            ),
            or_(LineEvent.line_user_id.is_(None), ~waits_for_earlier),
        )
        .order_by(LineEvent.id)
        .limit(limit)
    )
    if dialect == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return query


def claim(session, *, now: datetime, limit: int, worker: str) -> list[int]:
    begin_write(session)
    ids = list(session.scalars(due_events_query(session.get_bind().dialect.name, now=now, limit=limit)))
    if ids:
        session.execute(
            update(LineEvent)
            .where(LineEvent.id.in_(ids))
            .values(status="processing", claimed_by=worker, claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
        )
    session.commit()
    return ids


# --- one event --------------------------------------------------------------------------------------


def _context(now: datetime) -> conversation.ChatContext:
    config = current_app.config
    org = db.session.scalar(select(Organisation).limit(1))
    return conversation.ChatContext(
        now=now,
        org_name={locale: org.name(locale) if org else "" for locale in config["LANGUAGES"]},
        draft_minutes=int(config["LINE_DRAFT_MINUTES"]),
        reopen_days=int(config["REOPEN_WITHIN_DAYS"]),
        max_photos=int(config["MAX_ATTACHMENTS"]),
        max_description=int(config["MAX_DESCRIPTION_CHARS"]),
        track_url=lambda code: external_url("public.track", "/track", code=code),
        privacy_url=external_url("public.privacy", "/privacy"),
        form_url=lambda case_type: external_url("public.file", f"/file/{case_type}", case_type=case_type),
        build_intake=build_intake,
    )


@dataclass
class _Parsed:
    incoming: conversation.Incoming
    user_id: str | None
    reply_token: str | None


def parse(payload: str, *, fetch_photos: bool = True, give_up_on_photo: bool = False) -> _Parsed:
    """The stored event as the conversation sees it. Raises :class:`_TryLater` when LINE cannot give the
    photo now (and ``give_up_on_photo`` is not set)."""
    from linebot.v3.webhooks import (
        Event,
        FollowEvent,
        ImageMessageContent,
        LocationMessageContent,
        MessageEvent,
        PostbackEvent,
        TextMessageContent,
        UnfollowEvent,
        UnsendEvent,
    )

    raw = json.loads(payload) if payload else {}
    source = raw.get("source") if isinstance(raw, dict) else None
    try:
        event = Event.from_dict(raw)
    except (ValueError, TypeError, AttributeError):
        event = None  # a type the SDK does not know, or a malformed event: nothing to act on
    if event is None:
        user_id = source.get("userId") if isinstance(source, dict) and source.get("type") == "user" else None
        token = raw.get("replyToken") if isinstance(raw, dict) else None
        kind = "unsupported" if isinstance(raw, dict) and raw.get("type") == "message" else "other"
        return _Parsed(conversation.Incoming(kind=kind), user_id if isinstance(user_id, str) else None,
                       token if isinstance(token, str) else None)
    source = getattr(event, "source", None)
    user_id = getattr(source, "user_id", None) if getattr(source, "type", None) == "user" else None
    token = getattr(event, "reply_token", None)
    if isinstance(event, MessageEvent):
        content = event.message
        if isinstance(content, TextMessageContent):
            incoming = conversation.Incoming(kind="text", text=content.text or "", message_id=content.id)
        elif isinstance(content, LocationMessageContent):
            incoming = conversation.Incoming(kind="location", latitude=content.latitude, longitude=content.longitude,
                                             address=content.address or content.title or "", message_id=content.id)
        elif isinstance(content, ImageMessageContent):
            incoming = _photo(content, fetch_photos, give_up_on_photo)
        else:  # stickers, video, audio, files, and whatever LINE adds
            incoming = conversation.Incoming(kind="unsupported")
    elif isinstance(event, PostbackEvent):
        incoming = conversation.Incoming(kind="postback", data=event.postback.data or "")
    elif isinstance(event, FollowEvent):
        incoming = conversation.Incoming(kind="follow")
    elif isinstance(event, UnfollowEvent):
        incoming = conversation.Incoming(kind="unfollow")
    elif isinstance(event, UnsendEvent):
        incoming = conversation.Incoming(kind="unsend", message_id=event.unsend.message_id or "")
    else:
        incoming = conversation.Incoming(kind="other")
    return _Parsed(incoming, user_id, token)


PHOTO_UNAVAILABLE = _l("The photo could not be fetched from LINE. Please send it again.")


def _photo(content, fetch: bool, give_up: bool) -> conversation.Incoming:
    image_set = content.image_set
    last_of_set = image_set is None or not image_set.total or image_set.index == image_set.total
    incoming = conversation.Incoming(kind="photo", message_id=content.id, wants_reply=last_of_set)
    provider = getattr(content.content_provider, "type", "line")
    if not fetch or provider != "line":
        incoming.photo_error = PHOTO_UNAVAILABLE
        return incoming
    try:
        data = line_client().content(content.id)
    except LineError as error:
        if error.temporary and not give_up:
            raise _TryLater(str(error)) from None
        incoming.photo_error = PHOTO_UNAVAILABLE
        return incoming
    try:
        incoming.photo = clean_uploaded(f"line-{content.id}.jpg", data)
    except DomainError as error:
        incoming.photo_error = error.message
    return incoming


def _chat_for(session, user_id: str, now: datetime) -> LineChat:
    query = select(LineChat).where(LineChat.line_user_id == user_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    chat = session.scalar(query)
    if chat is None:
        chat = LineChat(line_user_id=user_id, locale="th", followed=True, step="idle", updated_at=now,
                        created_at=now)
        session.add(chat)
        session.flush()
    return chat


def queue_messages(session, user_id: str, messages: list[dict], *, locale: str, now: datetime,
                   reply_token: str | None = None, case_id: int | None = None) -> None:
    """An outbox row with ready-made messages: answered with the reply token while it is fresh."""
    data = None
    if reply_token:
        reply_by = now + timedelta(seconds=int(current_app.config["LINE_REPLY_TOKEN_SECONDS"]))
        data = {"reply_token": reply_token, "reply_by": reply_by.isoformat()}
    session.add(OutboxMessage(
        channel="line", kind=READY_KIND, status="pending", recipient=user_id, recipient_name="",
        audience="citizen", locale=locale, case_id=case_id, data=data, subject="LINE",
        body_text=json.dumps(messages, ensure_ascii=False), next_attempt_at=now, created_at=now,
    ))


def _finish(session, event: LineEvent, now: datetime) -> None:
    event.status = "done"
    event.processed_at = now
    event.claimed_by = event.claimed_until = None
    event.last_error = ""
    # What the person wrote is kept where it belongs (the case, the chat), not in the event log.
    event.payload = json.dumps({"type": event.event_type})
    event.line_user_id = None


def _retry_delay(attempts: int) -> timedelta:
    base = int(current_app.config["LINE_EVENT_RETRY_BASE_SECONDS"])
    return timedelta(seconds=min(base * 2 ** max(0, attempts - 1), 3600))


def _give_back(session, event_id: int, worker: str, now: datetime, error: str, result: ProcessResult) -> None:
    begin_write(session)
    event = session.get(LineEvent, event_id)
    if event is None or event.claimed_by != worker:
        session.rollback()
        return
    event.attempts += 1
    event.last_error = error[:2000]
    event.claimed_by = event.claimed_until = None
    if event.attempts >= int(current_app.config["LINE_EVENT_MAX_ATTEMPTS"]):
        event.status = "failed"
        result.failed += 1
        log.warning("LINE event %s failed after %d tries: %s", event.webhook_event_id, event.attempts, error)
    else:
        event.status = "pending"
        event.next_attempt_at = now + _retry_delay(event.attempts)
        result.retried += 1
    session.commit()


def process_one(event_id: int, *, worker: str, now: datetime, result: ProcessResult) -> None:
    session = db.session
    event = session.get(LineEvent, event_id)
    if event is None or event.claimed_by != worker:
        session.rollback()
        result.skipped += 1
        return
    payload, attempts = event.payload, event.attempts
    session.commit()  # no transaction stays open while LINE sends the photo
    last_try = attempts + 1 >= int(current_app.config["LINE_EVENT_MAX_ATTEMPTS"])
    try:
        parsed = parse(payload, give_up_on_photo=last_try)
    except _TryLater as error:
        _give_back(session, event_id, worker, now, str(error), result)
        return
    try:
        begin_write(session)
        event = session.get(LineEvent, event_id)
        if event is None or event.claimed_by != worker or event.status != "processing":
            session.rollback()
            result.skipped += 1
            return
        # The user id checked when the event was stored, and only for a one-to-one chat.
        user_id = event.line_user_id if parsed.user_id == event.line_user_id else None
        if user_id and conversation_applies(parsed.incoming):
            chat = _chat_for(session, user_id, now)
            replies = conversation.handle(session, chat, parsed.incoming, _context(now))
            if replies:
                token = parsed.reply_token if not event.redelivery else None
                queue_messages(session, user_id, replies, locale=chat.locale, now=now, reply_token=token)
        _finish(session, event, now)
        session.commit()
        result.done += 1
    except Exception as error:  # this event fails, visibly, and is tried again; the others go on
        session.rollback()
        log.exception("LINE event %s could not be processed", event_id)
        _give_back(session, event_id, worker, now, f"{type(error).__name__}: {error}", result)


def conversation_applies(incoming: conversation.Incoming) -> bool:
    return incoming.kind != "other"


def process_due(*, now: datetime | None = None, limit: int = 50, worker: str | None = None) -> ProcessResult:
    """Claim and process one batch of due events."""
    result = ProcessResult()
    worker = worker or worker_name()
    now = now or datetime.now(UTC)
    ids = claim(db.session, now=now, limit=limit, worker=worker)
    result.claimed = len(ids)
    for event_id in ids:
        process_one(event_id, worker=worker, now=now, result=result)
    return result


def process_all(*, now: datetime | None = None, worker: str | None = None, max_rounds: int = 1000) -> ProcessResult:
    """Process until nothing is due (events waiting for a later retry stay where they are)."""
    total = ProcessResult()
    worker = worker or worker_name()
    for _ in range(max_rounds):
        result = process_due(now=now, worker=worker)
        total.add(result)
        if result.claimed == 0:
            break
    return total


# --- unfinished reports that expire ----------------------------------------------------------------


def expire_drafts(*, now: datetime | None = None, limit: int = 100) -> int:
    """Close reports left for LINE_DRAFT_MINUTES, telling each person (a push). Returns how many."""
    session = db.session
    now = now or datetime.now(UTC)
    minutes = int(current_app.config["LINE_DRAFT_MINUTES"])
    begin_write(session)
    query = (
        select(LineChat)
        .where(LineChat.step != conversation.Step.IDLE, LineChat.updated_at < now - timedelta(minutes=minutes))
        .order_by(LineChat.updated_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    expired = 0
    for chat in session.scalars(query).all():
        message = conversation.expire(chat, now, minutes)
        if message is not None:
            expired += 1
            if chat.followed:
                queue_messages(session, chat.line_user_id, [message], locale=chat.locale, now=now)
    session.commit()
    return expired
