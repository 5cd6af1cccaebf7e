"""Jinja filters of the staff pages."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from ..domain import case_actions, clock, workflow

DEADLINE_LABELS = {
    "overdue": _l("Overdue"),
    "due_soon": _l("Due soon"),
    "on_track": _l("On track"),
    "paused": _l("Clock paused"),
    "finished": _l("Finished"),
}

# The citizen reads "waiting for your information"; staff read whom they wait for.
STAFF_STATUS_LABELS = {
    **workflow.STATUS_LABELS,
    "awaiting_citizen": _l("Waiting for the citizen"),
    "duplicate": _l("Merged (duplicate)"),
}


def init_app(app: Flask) -> None:
    @app.template_filter("staff_status_label")
    def staff_status_label(value):
        return STAFF_STATUS_LABELS.get(value, value)

    @app.template_filter("next_due")
    def next_due(case):
        return clock.next_due(case)

    @app.template_filter("staff_event_label")
    def staff_event_label(kind):
        return case_actions.STAFF_EVENT_LABELS.get(kind) or workflow.EVENT_LABELS.get(kind, kind)

    @app.template_filter("priority_label")
    def priority_label(value):
        return case_actions.PRIORITY_LABELS.get(value, value)

    @app.template_filter("deadline_label")
    def deadline_label(value):
        return DEADLINE_LABELS.get(value, value)
