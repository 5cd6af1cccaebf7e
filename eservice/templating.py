"""Jinja filters and globals: Thai dates, labels, the organisation."""

from flask import Flask, g
from markupsafe import escape

from .domain import actions, audit_labels, case_actions, case_types, clock, statuses, thai
from .domain.organisation import current as current_organisation
from .i18n import current_locale


def _organisation():
    """The organisation for templates: a detached copy kept per process (see eservice.reference_cache)."""
    if "organisation" not in g:
        from .extensions import db
        from .reference_cache import cached, detached_organisation

        g.organisation = cached("organisation", lambda: detached_organisation(current_organisation(db.session)))
    return g.organisation


def _calendar_gap():
    """The days ahead no loaded year covers (eservice.domain.days_off.coverage_gap), once per request; the
    staff and admin pages warn while there is one."""
    if "calendar_gap" not in g:
        from .domain import days_off
        from .extensions import db

        g.calendar_gap = days_off.coverage_gap(db.session, thai.bangkok_today())  # one primary-key query
    return g.calendar_gap


def init_app(app: Flask) -> None:
    @app.template_filter("date")
    def date_filter(value, digits="arabic"):
        return thai.format_date(value, current_locale(), digits=digits) if value else ""

    @app.template_filter("datetime")
    def datetime_filter(value, digits="arabic"):
        return thai.format_datetime(value, current_locale(), digits=digits) if value else ""

    @app.template_filter("time")
    def time_filter(value, digits="arabic"):
        return thai.format_time(value, current_locale(), digits=digits) if value else ""

    @app.template_filter("text")
    def text_filter(value):
        """Always escaped: translated messages carry values people typed (a file name, a code), and
        Flask-Babel's lazy strings, like flashed messages after the session, claim to be safe markup."""
        return escape(str(value))

    @app.template_filter("thai_digits")
    def thai_digits_filter(value):
        return thai.thai_digits(value)

    # Names of the vocabulary, for citizens and for staff (eservice.domain.statuses, actions, clock).
    for name, function in {
        "status_label": statuses.label,
        "staff_status_label": statuses.staff_label,
        "event_label": actions.citizen_label,
        "staff_event_label": actions.staff_label,
        "deadline_label": clock.deadline_label,
        "priority_label": case_actions.priority_label,
        "next_due": clock.next_due,
    }.items():
        app.add_template_filter(function, name)

    @app.template_filter("audit_label")
    def audit_label(value):
        return audit_labels.label(value)

    @app.template_filter("case_type_label")
    def case_type_label(value):
        kind = case_types.CASE_TYPES.get(value)
        return kind.label if kind else value

    @app.template_filter("localname")
    def localname(obj):
        return obj.name(current_locale()) if obj is not None else ""

    @app.template_filter("isodate")
    def isodate(value):
        """``2026-03-03`` (as stored in an event's data) as a date, for the ``date`` filter."""
        from datetime import date

        try:
            return date.fromisoformat(value) if isinstance(value, str) else value
        except ValueError:
            return None

    @app.template_filter("be_year")
    def be_year(year: int) -> int:
        return year + thai.BE_OFFSET

    @app.context_processor
    def staff_menu():
        from flask_login import current_user

        from .domain import policy

        return {"nav_can": policy.staff_menu(current_user), "calendar_gap": _calendar_gap}

    @app.context_processor
    def globals_():
        locale = current_locale()
        return {
            "org": _organisation(),
            "locale": locale,
            # Thai separates items and sentences with a space, never with an ASCII comma or full stop.
            "sep": " " if locale == "th" else ", ",
            "stop": " " if locale == "th" else ". ",
            "CASE_TYPES": case_types.CASE_TYPES,
            "Status": statuses.Status,
        }
