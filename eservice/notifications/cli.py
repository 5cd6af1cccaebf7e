"""Commands: ``worker``, ``send-mail [--once]``, ``sla-check``."""

import signal
import threading

import click
from flask import Flask
from flask.cli import with_appcontext

from ..extensions import db


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def handler(signum, frame):
        click.echo("Stopping after the current mail…")
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return stop


@click.command("worker")
@with_appcontext
@click.option("--no-sla", is_flag=True, help="Deliver mail only; leave sla-check to cron.")
def worker_command(no_sla):
    """Deliver the outbox continuously and run sla-check every SLA_CHECK_INTERVAL_SECONDS.

    On SQLite run one worker. On PostgreSQL any number may run at once: each mail is sent by one.
    """
    from .worker import run_worker

    click.echo("Worker started; Ctrl+C or SIGTERM stops it.")
    total = run_worker(stop=_stop_on_signals(), sla=not no_sla, echo=click.echo)
    click.echo(f"Worker stopped: {total.sent} sent, {total.failed} failed.")


@click.command("send-mail")
@with_appcontext
@click.option("--once", is_flag=True, help="Send everything that is due, then exit (for cron).")
def send_mail_command(once):
    """Deliver queued mail: with --once drain the outbox and exit; without, keep delivering."""
    from .delivery import drain
    from .worker import run_worker

    if once:
        total = drain()
        click.echo(
            f"{total.sent} sent, {total.retried} to retry later, {total.failed} failed"
            + (f", {total.released} left for the next run" if total.released else "")
            + "."
        )
        return
    run_worker(stop=_stop_on_signals(), sla=False, echo=click.echo)


@click.command("sla-check")
@with_appcontext
@click.option("--no-digest", is_flag=True, help="Reminders and escalations only.")
def sla_check_command(no_digest):
    """Queue reminders (one working day before a due date), escalations (past it) and digests, each once."""
    from .sla import run_sla_check

    result = run_sla_check(db.session, digests=not no_digest)
    click.echo(
        f"{result.reminders} reminders, {result.escalations} escalations, {result.digests} digests "
        f"({result.mails} mails queued)."
    )


def init_app(app: Flask) -> None:
    app.cli.add_command(worker_command)
    app.cli.add_command(send_mail_command)
    app.cli.add_command(sla_check_command)
