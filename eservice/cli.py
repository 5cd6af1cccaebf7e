"""Command-line tools: ``flask --app eservice init``, ``create-user``, ``divisions``, ``holidays``."""

from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select

from .domain import days_off, organisation, policy
from .domain import roles as staff_roles
from .domain.measures import load_measures_data
from .domain.reference import load_reference_data
from .domain.roles import Role
from .domain.thai import bangkok_today
from .extensions import db
from .models import Division, User


@click.command("init")
@with_appcontext
def init_command():
    """Create or upgrade the database and load the reference data. Safe to repeat."""
    upgrade()
    report = load_reference_data(db.session, current_app.config["REFERENCE_DATA"])
    load_measures_data(db.session, current_app.config["REFERENCE_DATA"], report)  # the seed's measures report
    today = bangkok_today()
    calendar = days_off.sync(db.session, [today.year, today.year + 1])  # the official days off
    org = organisation.current(db.session)
    since = organisation.settle_in_use_since(db.session, org) if org is not None else None
    db.session.commit()
    added = ", ".join(f"{n} {kind}" for kind, n in report.added.items()) or "nothing new"
    click.echo(f"Database is at the current schema; reference data: {added}.")
    click.echo(f"Days off of {today.year} and {today.year + 1} loaded from the holidays package "
               f"({sum(1 for c in calendar.changes if c.off)} new).")
    if since is not None:
        click.echo(f"The e-Service is in use since {since.isoformat()} (editable in the organisation settings).")
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


@click.group("holidays")
def holidays_cli():
    """The days off the working-day clock skips (weekends aside): list, sync from the holidays package, check."""


def _year_option(value: int | None) -> int:
    year = bangkok_today().year if value is None else (value - 543 if value > 2400 else value)
    if not days_off.FIRST_YEAR <= year <= days_off.LAST_YEAR:
        raise click.BadParameter(f"give a year from {days_off.FIRST_YEAR} to {days_off.LAST_YEAR} "
                                 f"(or {days_off.FIRST_YEAR + 543} to {days_off.LAST_YEAR + 543} B.E.)",
                                 param_hint="--year")
    return year


@holidays_cli.command("list")
@click.option("--year", type=int, default=None, help="Calendar year, C.E. or B.E. (default: this year).")
@click.option("--lang", type=click.Choice(["th", "en"]), default="th", help="Language of the names.")
@with_appcontext
def holidays_list(year, lang):
    """One line per day off the clock skips, weekends aside: YYYY-MM-DD name. For a year not loaded yet the
    lines are only the administrators' days, and the command says so (on stderr) and exits 1."""
    year = _year_option(year)
    for row in days_off.days_off_in(db.session, year):
        click.echo(f"{row.day.isoformat()} {row.local_name(lang)}")
    if year not in days_off.loaded_years(db.session):
        click.echo(f"{year} is not loaded: run flask --app eservice holidays sync --year {year}", err=True)
        raise SystemExit(1)


@holidays_cli.command("sync")
@click.option("--year", type=int, default=None,
              help="Calendar year, C.E. or B.E. (default: this year and the next).")
@with_appcontext
def holidays_sync(year):
    """Load the official days off from the holidays package; administrators' changes are kept; open cases
    whose due dates move are recomputed (each gets a note on its timeline)."""
    if year is None:
        today = bangkok_today()
        years = [today.year, today.year + 1]
    else:
        years = [_year_option(year)]
    result = days_off.sync(db.session, years)
    db.session.commit()
    for change in result.changes:
        click.echo(f"{'+' if change.off else '-'} {change.day.isoformat()} {change.name}")
    click.echo(f"Loaded {', '.join(map(str, result.years))} (holidays {days_off.package_version()}): "
               f"{sum(1 for c in result.changes if c.off)} added, {sum(1 for c in result.changes if not c.off)} "
               f"taken out, {result.renamed} renamed; {len(result.moved)} open cases had their due dates moved.")


@holidays_cli.command("check")
@click.option("--days", type=click.IntRange(1, 3660), default=days_off.KEEP_AHEAD_DAYS, show_default=True)
@with_appcontext
def holidays_check(days):
    """Exit 1, naming the gap, when any of the next DAYS days is in a year not loaded."""
    today = bangkok_today()
    gap = days_off.coverage_gap(db.session, today, days)
    if gap is None:
        click.echo(f"Days off loaded for the next {days} days (to {today + timedelta(days=days - 1)}).")
        return
    click.echo(f"Not covered: from {gap.first.isoformat()} (year {', '.join(map(str, gap.years))} not loaded). "
               f"Run: flask --app eservice holidays sync --year {gap.years[0]}", err=True)
    raise SystemExit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(holidays_cli)
    app.cli.add_command(init_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(divisions_command)
