"""``flask --app eservice report --fy 2568 --format docx|html -o FILE``: the measures report from the
command line, the same document as the administration's download."""

import os
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from ..domain import measures as rules
from ..domain.errors import DomainError
from ..domain.organisation import current as current_organisation
from ..extensions import db


@click.command("report")
@click.option("--fy", "fiscal_year", required=True, help="Fiscal year in the Buddhist era, e.g. 2568.")
@click.option("--format", "fmt", type=click.Choice(["docx", "html"]), default=None,
              help="docx (editable in Word) or html (printable); by default from the file's extension.")
@click.option("-o", "--output", required=True, help="File to write; - writes HTML to standard output.")
@click.option("--thai-digits", "digits", flag_value="thai", help="Thai digits (๐–๙), the default in Thai.")
@click.option("--arabic-digits", "digits", flag_value="arabic", help="Every digit as an Arabic digit (0–9).")
@click.option("--lang", type=click.Choice(["th", "en"]), default="th", help="Language of headings and trend words.")
@with_appcontext
def report_command(fiscal_year, fmt, output, digits, lang):
    """Write the annual measures report with the live figures of a fiscal year."""
    fmt = fmt or ("html" if output.lower().endswith((".html", ".htm")) or output == "-" else "docx")
    if fmt == "docx" and output == "-":
        raise click.UsageError("A DOCX file cannot go to standard output; give a file name with -o.")
    with force_locale(lang):
        try:
            year = rules.parse_fiscal_year(fiscal_year)
        except DomainError as error:
            raise click.BadParameter(str(error.message), param_hint="--fy") from None
        if not rules.measures_of(db.session, year):
            years = ", ".join(str(y) for y in rules.measure_years(db.session)) or "none"
            raise click.ClickException(f"Fiscal year {year} has no measures. Years with measures: {years}.")
        try:
            built = rules.build_report(db.session, year, locale=lang, digits=digits)
        except DomainError as error:
            raise click.ClickException(str(error.message)) from None
        org = current_organisation(db.session)
        logo = org.logo if org is not None and org.logo_content_type else None
        if fmt == "docx":
            from .report_output import docx_bytes

            data = docx_bytes(built, logo=logo)
        else:
            from .report_output import html_document

            with current_app.test_request_context("/"):
                data = html_document(built, logo=logo).encode("utf-8")
    if output == "-":
        sys.stdout.buffer.write(data)
    else:
        with open(output, "wb") as handle:
            handle.write(data)
        click.echo(f"Wrote the FY{year} measures report ({len(built.rows)} measures) to {os.path.abspath(output)}.",
                   err=True)
    for name in built.missing:
        click.echo(f"Warning: the figure {{{name}}} has no value for FY{year}; it is printed as “–”.", err=True)
