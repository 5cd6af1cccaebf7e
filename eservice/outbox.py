"""What the outbox's channels share: mail (:mod:`eservice.notifications.delivery`) and LINE
(:mod:`eservice.line.delivery`) deliver the same table the same way, and the worker runs them both.

- :class:`DeliveryResult`, :func:`worker_name`, :func:`retry_delay` and :func:`due_clause`: one round's
  outcome, who holds a claim, the growing delay between tries, and which rows of a channel are due.
- :func:`claim_rows`: mark the due rows a channel's query found as this worker's, for a lease.
- :func:`external_url` / :func:`track_url`: absolute links for messages read outside the site.
- :func:`add_worker_round` / :func:`worker_rounds`: a blueprint registers work the long-running worker
  does on every round besides mail (the LINE Official Account does), so that the worker need not know it.
"""

import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import Flask, current_app
from sqlalchemy import and_, or_, update
from werkzeug.routing import BuildError

from .database import begin_write
from .models.outbox import OutboxMessage


@dataclass
class DeliveryResult:
    claimed: int = 0
    sent: int = 0
    retried: int = 0  # temporary failure, will be tried again
    failed: int = 0  # gave up (refused for good, or out of tries)
    released: int = 0  # not tried in this round (the connection broke first)

    def add(self, other: "DeliveryResult") -> None:
        for name in ("claimed", "sent", "retried", "failed", "released"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:100]


def retry_delay(attempts: int) -> timedelta:
    """Delay before try number ``attempts + 1``: base, then doubled each time, up to the maximum."""
    config = current_app.config
    seconds = config["OUTBOX_RETRY_BASE_SECONDS"] * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, config["OUTBOX_RETRY_MAX_SECONDS"]))


def due_clause(now: datetime, channel: str = "mail"):
    """Rows of ``channel`` whose time has come, or whose worker's claim ran out."""
    return and_(
        OutboxMessage.channel == channel,
        or_(
            and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
            and_(OutboxMessage.status == "sending", OutboxMessage.claimed_until < now),
        ),
    )


def external_url(endpoint: str, fallback: str = "/", **values) -> str:
    """An absolute link for a mail or a LINE message, on PUBLIC_BASE_URL (there is no request to take the
    host from)."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc or "localhost", script_name=base.path or "/",
                                       url_scheme=base.scheme or "http")
    try:
        return adapter.build(endpoint, values, force_external=True)
    except BuildError:
        return f"{base.scheme or 'http'}://{base.netloc}{base.path.rstrip('/')}{fallback}"


def track_url(code: str) -> str:
    return external_url("public.track", "/track", code=code)


# A round of extra work: given the worker's name, returns (did something, a line for the log or "").
WorkerRound = Callable[[str], tuple[bool, str]]


def add_worker_round(app: Flask, work: WorkerRound) -> None:
    rounds = app.extensions.setdefault("eservice.worker_rounds", [])
    if work not in rounds:
        rounds.append(work)


def worker_rounds() -> list[WorkerRound]:
    return list(current_app.extensions.get("eservice.worker_rounds", []))


def claim_rows(session, due_ids, *, now: datetime, worker: str) -> list[int]:
    """Take the rows ``due_ids`` selects (on PostgreSQL locked, skipping rows other workers hold) for this
    worker until its lease ends, and commit at once, so that sending happens outside any transaction."""
    begin_write(session)
    ids = list(session.scalars(due_ids))
    if ids:
        lease = timedelta(seconds=current_app.config["OUTBOX_CLAIM_SECONDS"])
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(status="sending", claimed_by=worker, claimed_until=now + lease)
        )
    session.commit()
    return ids
