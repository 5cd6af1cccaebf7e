"""Notifications: the transactional outbox, Flask-Mail delivery, reminders and escalation.

- :mod:`eservice.domain.notify` decides who is written to about which case event and queues the rows
  in the transaction of the change (an ``after_flush`` listener on every session).
- :mod:`.render` turns a row into a mail; :mod:`.delivery` sends it (claims, retries, failed state);
  :mod:`.worker` and :mod:`.cli` run it (``worker``, ``send-mail --once``, ``sla-check``);
  :mod:`.sla` queues reminders, escalations and digests.
- :mod:`.views`: ``/admin/outbox`` (failed mails, retry) and ``/notifications/digest``.
"""

from flask import Blueprint, Flask

from ..domain import notify

bp = Blueprint("notifications", __name__)


def init_app(app: Flask) -> None:
    from . import cli, views  # noqa: F401  (views register their routes on bp)

    notify.install()
    cli.init_app(app)
    app.register_blueprint(bp)
