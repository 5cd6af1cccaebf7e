"""Sending LINE's outbox rows (``OutboxMessage.channel == "line"``): in order per person, each once.

Like the mail outbox (:mod:`eservice.notifications.delivery`), a round claims due rows in a short
transaction, makes each row's messages once (kept on the row, so a retry sends the same), talks to LINE
with no transaction open, and records each outcome in its own short transaction. The differences:

- Per person, only the earliest unsent row is claimed, so pushes arrive in the order they were queued
  even when one had to wait for a retry.
- A row with a fresh reply token is sent as a reply (free, and shown as the answer); otherwise, or when
  LINE says the token is no longer valid, as a push with the row's retry key (``X-Line-Retry-Key``): a
  push retried after a lost answer gets 409 from LINE and is not shown twice, and is counted as sent.
- 429, 5xx, time-outs and no connection: tried again after a growing delay, and the round stops (the
  rest of the batch is given back untried). Any other refusal (4xx: the person blocked the account)
  fails the row at once; failures are listed at ``/admin/outbox``.
"""

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import exists, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import aliased

from ..database import begin_write
from ..domain.line import pushes
from ..extensions import db
from ..models.outbox import OutboxMessage
from ..outbox import DeliveryResult, claim_rows, due_clause, retry_delay, track_url, worker_name
from .client import LineError, line_client

log = logging.getLogger(__name__)


def due_ids_query(dialect: str, *, now: datetime, limit: int):
    earlier = aliased(OutboxMessage)
    waits_for_earlier = exists().where(
        earlier.channel == "line",
        earlier.recipient == OutboxMessage.recipient,
        earlier.id < OutboxMessage.id,
        earlier.status.in_(("pending", "sending")),
    )
    query = (
        select(OutboxMessage.id)
        .where(due_clause(now, "line"), ~waits_for_earlier)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if dialect == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return query


def claim(session, *, now: datetime, limit: int, worker: str) -> list[int]:
    """Take up to ``limit`` due pushes for this worker; other workers skip them."""
    return claim_rows(session, due_ids_query(session.get_bind().dialect.name, now=now, limit=limit),
                      now=now, worker=worker)


@dataclass
class _Prepared:
    id: int
    attempts: int
    recipient: str
    token: str
    messages: list | None = None
    subject: str = ""
    reply_token: str | None = None
    error: str = ""


def render_row(row: OutboxMessage, now: datetime) -> list[dict]:
    """The messages of a push about a case event, in the person's language."""
    if row.case is None:
        raise ValueError(f"a {row.kind} push needs its case")
    return pushes.render(row.kind, row.case, row.event, row.locale, track_url=track_url(row.case.tracking_code),
                         reopen_days=int(current_app.config["REOPEN_WITHIN_DAYS"]), now=now)


def _prepare(session, ids: list[int], now: datetime) -> list[_Prepared]:
    prepared = []
    for row in session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)):
        item = _Prepared(id=row.id, attempts=row.attempts, recipient=row.recipient, token=row.token)
        try:
            if row.body_text:
                item.messages = json.loads(row.body_text)
            else:
                item.messages = render_row(row, now)
                item.subject = f"LINE: {row.kind}"
            data = row.data or {}
            reply_by = data.get("reply_by")
            if data.get("reply_token") and reply_by and datetime.fromisoformat(reply_by) >= now:
                item.reply_token = data["reply_token"]
        except SQLAlchemyError:
            raise
        except Exception as error:  # a broken row fails alone, visibly
            log.exception("LINE outbox %s: cannot build the messages", row.id)
            item.error = f"{type(error).__name__}: {error}"
        prepared.append(item)
    session.commit()
    return prepared


def _record(session, item: _Prepared, worker: str, **values) -> None:
    if item.messages is not None and item.subject:
        values.update(subject=item.subject, body_text=json.dumps(item.messages, ensure_ascii=False))
    begin_write(session)
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == item.id, OutboxMessage.claimed_by == worker, OutboxMessage.status == "sending")
        .values(claimed_by=None, claimed_until=None, **values)
        .execution_options(synchronize_session=False)  # nothing of these rows is held in the session
    )
    session.commit()


def _failed(session, item, worker, now, error: str, result: DeliveryResult, *, permanent: bool) -> None:
    attempts = item.attempts + 1
    if permanent or attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        _record(session, item, worker, status="failed", attempts=attempts, failed_at=now, last_error=error[:2000])
        result.failed += 1
    else:
        _record(session, item, worker, status="pending", attempts=attempts,
                next_attempt_at=now + retry_delay(attempts), last_error=error[:2000])
        result.retried += 1


def _release(session, item, worker, result: DeliveryResult) -> None:
    begin_write(session)
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == item.id, OutboxMessage.claimed_by == worker, OutboxMessage.status == "sending")
        .values(status="pending", claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    result.released += 1


def send(client, item: _Prepared) -> None:
    """Reply while the token is fresh, push otherwise. Raises :class:`LineError`."""
    if item.reply_token:
        try:
            client.reply(item.reply_token, item.messages)
            return
        except LineError as error:
            if not error.invalid_reply_token:
                raise
    client.push(item.recipient, item.messages, item.token)


def deliver_due(*, now: datetime | None = None, limit: int | None = None, worker: str | None = None) -> DeliveryResult:
    """Claim and send one batch of LINE messages."""
    session = db.session
    now = now or datetime.now(UTC)
    worker = worker or worker_name()
    result = DeliveryResult()
    ids = claim(session, now=now, limit=limit or current_app.config["OUTBOX_BATCH_SIZE"], worker=worker)
    result.claimed = len(ids)
    if not ids:
        return result
    prepared = _prepare(session, ids, now)
    client = line_client()
    for index, item in enumerate(prepared):
        if item.messages is None:
            _failed(session, item, worker, now, item.error, result, permanent=False)
            continue
        try:
            send(client, item)
        except LineError as error:
            if error.already_accepted:
                _record(session, item, worker, status="sent", attempts=item.attempts + 1, sent_at=now, last_error="")
                result.sent += 1
            elif error.temporary:
                _failed(session, item, worker, now, str(error), result, permanent=False)
                for rest in prepared[index + 1:]:
                    _release(session, rest, worker, result)
                break
            else:
                _failed(session, item, worker, now, str(error), result, permanent=True)
        else:
            _record(session, item, worker, status="sent", attempts=item.attempts + 1, sent_at=now, last_error="")
            result.sent += 1
    return result


def drain(*, now: datetime | None = None, worker: str | None = None, max_rounds: int = 10_000) -> DeliveryResult:
    """Send until nothing is due (rows waiting for a later retry stay where they are)."""
    total = DeliveryResult()
    worker = worker or worker_name()
    for _ in range(max_rounds):
        result = deliver_due(now=now, worker=worker)
        total.add(result)
        # LINE in trouble (a retry was needed): leave the rest for the next round, a few seconds on.
        if result.claimed == 0 or result.retried or result.sent + result.failed == 0:
            break
    return total
