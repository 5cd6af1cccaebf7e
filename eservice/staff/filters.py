"""Jinja filters of the staff pages."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from ..domain import actions, case_actions, clock, statuses

DEADLINE_LABELS = {
    "overdue": _l("Overdue"),
    "due_soon": _l("Due soon"),
    "on_track": _l("On track"),
    "paused": _l("Clock paused"),
    "finished": _l("Finished"),
}



def init_app(app: Flask) -> None:
    @app.template_filter("staff_status_label")
    def staff_status_label(value):
        return statuses.staff_label(value)

    @app.template_filter("next_due")
    def next_due(case):
        return clock.next_due(case)

    @app.template_filter("staff_event_label")
    def staff_event_label(kind):
        return actions.staff_label(kind)

    @app.template_filter("priority_label")
    def priority_label(value):
        return case_actions.PRIORITY_LABELS.get(value, value)

    @app.template_filter("deadline_label")
    def deadline_label(value):
        return DEADLINE_LABELS.get(value, value)
