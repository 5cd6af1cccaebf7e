"""LINE work in the background: one round for the worker and the CLI, and a thread of the web process
that does a round right after a webhook, so that people get their answer within a second or two.

The thread is only a shortcut: everything it does is claimed in the database like the worker's work,
so if the process dies mid-way the worker takes it up when the claims run out.
"""

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask

from ..extensions import db
from ..outbox import DeliveryResult, worker_name
from . import delivery, processing

log = logging.getLogger(__name__)


@dataclass
class RoundResult:
    expired: int = 0
    processed: processing.ProcessResult = field(default_factory=processing.ProcessResult)
    delivered: DeliveryResult = field(default_factory=DeliveryResult)

    @property
    def busy(self) -> bool:
        return bool(self.expired or self.processed.claimed or self.delivered.claimed)


def run_round(*, now: datetime | None = None, worker: str | None = None, expire: bool = True) -> RoundResult:
    """Expire abandoned reports, process every due event, then send every due LINE message."""
    worker = worker or worker_name()
    result = RoundResult()
    if expire:
        result.expired = processing.expire_drafts(now=now)
    result.processed = processing.process_all(now=now, worker=worker)
    result.delivered = delivery.drain(now=now, worker=worker)
    return result


def worker_round(worker: str) -> tuple[bool, str]:
    """The long-running worker's LINE round (registered with eservice.outbox.add_worker_round)."""
    from .webhook import is_configured

    if not is_configured():
        return False, ""
    result = run_round(worker=worker)
    summary = ""
    if result.busy:
        summary = (f"LINE: {result.processed.done} events processed, {result.delivered.sent} messages sent, "
                   f"{result.delivered.failed} failed, {result.expired} unfinished reports expired")
    return bool(result.processed.done or result.delivered.sent), summary


class _Runner(threading.Thread):
    def __init__(self, app: Flask):
        super().__init__(name="line-after-webhook", daemon=True)
        self.app = app
        self.wake = threading.Event()

    def run(self) -> None:
        while True:
            self.wake.wait()
            self.wake.clear()
            with self.app.app_context():
                try:
                    run_round(expire=False)
                except Exception:  # the worker will do it; the log says why we could not
                    log.exception("LINE: processing after the webhook failed")
                finally:
                    db.session.remove()


_runners: dict[int, _Runner] = {}
_lock = threading.Lock()


def kick(app: Flask) -> None:
    """Ask this process's LINE thread for a round (started on first use; a kick while it works is kept)."""
    with _lock:
        runner = _runners.get(id(app))
        if runner is None or not runner.is_alive():
            runner = _runners[id(app)] = _Runner(app)
            runner.start()
    runner.wake.set()
