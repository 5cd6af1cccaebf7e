"""Commands: ``flask --app eservice line process`` and ``line status``."""

import click
from flask import Flask
from flask.cli import AppGroup

line_cli = AppGroup("line", help="The LINE Official Account.")


@line_cli.command("process")
def process_command():
    """Process every pending LINE event and send every due LINE message, then exit (for cron, or after an
    outage). The worker does the same continuously."""
    from .background import run_round

    result = run_round()
    click.echo(
        f"{result.processed.done} events processed, {result.processed.retried} to retry later, "
        f"{result.processed.failed} failed; {result.delivered.sent} messages sent, "
        f"{result.delivered.retried} to retry later, {result.delivered.failed} failed; "
        f"{result.expired} unfinished reports expired."
    )


@line_cli.command("status")
def status_command():
    """Whether LINE is set up, the webhook address for the LINE Developers console, and the queues."""
    from sqlalchemy import func, select

    from ..extensions import db
    from ..models.line import LineEvent
    from ..models.outbox import OutboxMessage
    from .views import webhook_url
    from .webhook import is_configured, last_webhook_at

    click.echo(f"configured: {'yes' if is_configured() else 'no'}")
    click.echo(f"webhook URL: {webhook_url()}")
    last = last_webhook_at(db.session)
    click.echo(f"last webhook: {last.isoformat() if last else 'never'}")
    queues = (("events", LineEvent, True), ("messages", OutboxMessage, OutboxMessage.channel == "line"))
    for label, model, where in queues:
        counts = dict(db.session.execute(select(model.status, func.count()).where(where).group_by(model.status)).all())
        shown = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"
        click.echo(f"{label}: {shown}")

def init_app(app: Flask) -> None:
    app.cli.add_command(line_cli)
