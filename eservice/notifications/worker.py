"""The long-running worker: deliver the outbox continuously, and run the SLA check on a schedule.

Once an hour (``CALENDAR_CHECK_INTERVAL_SECONDS``) it also keeps the days off a year ahead: any year of the
next 180 days, this one or the next that is not loaded yet is loaded from the holidays package
(:func:`eservice.domain.days_off.keep_ahead`).

On every round it also does the work other parts registered with :func:`eservice.outbox.add_worker_round`
(the LINE Official Account: process LINE's webhook events, send LINE answers and pushes, expire unfinished
reports in chat).

One worker is all SQLite needs (and all it can use: its writers queue on one lock). On PostgreSQL run
as many as you like, on as many machines as you like; each claims different mails (SKIP LOCKED), and a
worker that dies gives its claimed mails back after ``OUTBOX_CLAIM_SECONDS``.
"""

import logging
import threading
import time

from flask import current_app

from ..domain.days_off import keep_ahead
from ..extensions import db
from ..outbox import DeliveryResult, worker_name, worker_rounds
from .delivery import deliver_due
from .sla import run_sla_check

log = logging.getLogger(__name__)


def run_worker(*, stop: threading.Event, sla: bool = True, echo=None) -> DeliveryResult:
    """Until ``stop`` is set: deliver what is due; every SLA_CHECK_INTERVAL_SECONDS run the SLA check.

    A failure (the database restarting, say) is logged and the loop carries on after a pause: mail
    that could not be marked stays claimed and comes back when its claim runs out.
    """
    config = current_app.config
    poll = float(config["WORKER_POLL_SECONDS"])
    interval = float(config["SLA_CHECK_INTERVAL_SECONDS"])
    calendar_interval = float(config.get("CALENDAR_CHECK_INTERVAL_SECONDS", 3600))
    name = worker_name()
    total = DeliveryResult()
    next_sla = next_calendar = time.monotonic()
    while not stop.is_set():
        busy = False
        try:
            if time.monotonic() >= next_calendar:
                next_calendar = time.monotonic() + calendar_interval
                loaded = keep_ahead(db.session)
                db.session.commit()
                if echo and loaded.years:
                    echo(f"days off loaded for {', '.join(map(str, loaded.years))}; "
                         f"{len(loaded.moved)} open cases had their due dates moved")
            if sla and time.monotonic() >= next_sla:
                next_sla = time.monotonic() + interval
                outcome = run_sla_check(db.session)
                if echo and (outcome.mails or outcome.reminders or outcome.escalations):
                    echo(f"sla-check: {outcome.reminders} reminders, {outcome.escalations} escalations, "
                         f"{outcome.digests} digests")
            result = deliver_due(worker=name)
            total.add(result)
            busy = result.claimed > 0 and (result.sent + result.failed + result.retried) > 0
            if echo and result.claimed:
                echo(f"sent {result.sent}, retry later {result.retried}, failed {result.failed}")
            for work in worker_rounds():
                did_something, summary = work(name)
                busy = busy or did_something
                if echo and summary:
                    echo(summary)
        except Exception:  # keep the worker alive; the error is in the log
            log.exception("worker round failed")
            db.session.rollback()
        finally:
            db.session.remove()
        if not busy:
            stop.wait(poll)
    return total
