"""Command-line tools: ``flask --app eservice init``, ``create-user``."""

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select

from .domain import policy
from .domain import roles as staff_roles
from .domain.measures import load_measures_data
from .domain.reference import load_reference_data
from .domain.roles import Role
from .extensions import db
from .models import Division, User


@click.command("init")
@with_appcontext
def init_command():
    """Create or upgrade the database and load the reference data. Safe to repeat."""
    upgrade()
    report = load_reference_data(db.session, current_app.config["REFERENCE_DATA"])
    load_measures_data(db.session, current_app.config["REFERENCE_DATA"], report)  # the seed's measures report
    db.session.commit()
    added = ", ".join(f"{n} {kind}" for kind, n in report.added.items()) or "nothing new"
    click.echo(f"Database is at the current schema; reference data: {added}.")
    admins = policy.administrators(db.session)
    if admins:
        click.echo(f"Administrators: {', '.join(u.username for u in admins)}. Staff sign in at /staff/login.")
    else:
        click.echo(
            "No administrator yet. Create the first one with:\n"
            "  flask --app eservice create-user admin --role admin\n"
            "then sign in at /staff/login."
        )


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--role", "roles", multiple=True, type=click.Choice([r.value for r in Role]),
              default=[r.value for r in staff_roles.DEFAULT],
              help="Repeat for several roles.")
@click.option("--division", "divisions", multiple=True, help="Division code; repeat for several.")
@click.option("--name", "display_name", default="", help="Name shown to colleagues.")
@click.option("--email", default="")
@click.password_option(help="Asked for when not given.")
def create_user_command(username, roles, divisions, display_name, email, password):
    """Create a staff account."""
    from .domain.accounts import create_user

    if db.session.scalar(select(User).where(User.username == username)):
        raise click.ClickException(f"A user named {username!r} exists already.")
    found = []
    for code in divisions:
        division = db.session.scalar(select(Division).where(Division.code == code))
        if division is None:
            raise click.ClickException(f"No division with code {code!r}. The divisions are:\n{_division_lines()}")
        found.append(division)
    needing = sorted(set(roles) & {r.value for r in staff_roles.DIVISION_ROLES})
    if needing and not found:
        # An officer or head without a division sees no case at all: refuse rather than make a useless account.
        raise click.ClickException(
            f"The role {' and '.join(needing)} works within a division: add --division CODE (repeat for several). "
            f"The divisions are:\n{_division_lines()}")
    try:
        user = create_user(db.session, username, password, roles=roles, divisions=found,
                           display_name=display_name, email=email)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    from .domain import audit

    # Every change to users and roles is in the audit log, also from the command line (no address).
    audit.record(db.session, "user.create", target_type="user", target_id=user.id,
                 details={"username": user.username, "roles": staff_roles.names_of(user), "divisions": list(divisions),
                          "via": "cli"})
    from .domain import integrity_membership, policy

    if policy.holds_integrity_role(user):
        # The command line may make members of the integrity unit (its first ones, at installation): the unit,
        # and the new member, are told as of any other change to its membership.
        integrity_membership.tell_the_unit(db.session, "created", user, by=None)
    db.session.commit()
    click.echo(f"Created {user.username} ({' '.join(staff_roles.names_of(user))}).")


def _division_lines() -> str:
    divisions = db.session.scalars(select(Division).order_by(Division.sort_order, Division.id)).all()
    width = max((len(d.code) for d in divisions), default=4)
    return "\n".join(
        f"  {d.code:<{width}}  {d.name_th} / {d.name_en}"
        + ("  [integrity unit]" if d.is_integrity_unit else "") + ("" if d.active else "  [inactive]")
        for d in divisions
    ) or "  (none: run flask --app eservice init first)"


@click.command("divisions")
@with_appcontext
def divisions_command():
    """List the divisions and their codes (for create-user --division)."""
    click.echo(_division_lines())


def init_app(app: Flask) -> None:
    app.cli.add_command(init_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(divisions_command)
