"""``flask --app eservice audit-verify``: walk the audit log's hash chain and say whether it is intact."""

import click
from flask import Flask
from flask.cli import with_appcontext

from ..domain import audit
from ..extensions import db


@click.command("audit-verify")
@with_appcontext
def audit_verify_command():
    """Check that no audit entry was changed or removed. Exit status 1 if one was."""
    result = audit.verify(db.session)
    if result.ok:
        click.echo(f"Audit log intact: {result.checked} entries checked.")
        return
    click.echo(
        f"Audit log BROKEN at entry {result.first_bad_id}: {result.problem}. "
        f"{result.checked} entries before it are intact.",
        err=True,
    )
    raise SystemExit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(audit_verify_command)
