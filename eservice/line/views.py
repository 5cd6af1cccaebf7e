"""``POST /line/webhook`` (signed by LINE; the only view exempt from CSRF) and ``/admin/line``."""

import logging

from flask import abort, current_app, render_template, request
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from ..auth import permission_required
from ..database import begin_write
from ..domain import policy
from ..extensions import db
from ..input_guard import checks_own_body
from ..models.line import LINE_EVENT_STATUSES, LineEvent
from ..models.outbox import OUTBOX_STATUSES, OutboxMessage
from . import background, bp
from .webhook import (
    BadRequest,
    channel_secret,
    is_configured,
    last_webhook_at,
    parse_body,
    signature_is_valid,
    store,
)

log = logging.getLogger(__name__)


@bp.route("/line/webhook", methods=["POST"])
@checks_own_body  # signed by LINE; a chat's text is cleaned when the event is processed
def webhook():
    secret = channel_secret()
    if not secret:
        abort(404)  # LINE is not set up here
    limit = current_app.config["LINE_WEBHOOK_MAX_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        abort(413)
    body = request.get_data(cache=False)
    if len(body) > limit:
        abort(413)
    # Before anything is parsed: a request LINE did not sign is refused and leaves no trace.
    if not signature_is_valid(body, request.headers.get("x-line-signature"), secret):
        return {"error": "invalid signature"}, 400
    try:
        events = parse_body(body)
    except BadRequest as error:
        return {"error": str(error)}, 400
    try:
        begin_write(db.session)
        new = store(db.session, events)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("LINE webhook: could not store %d events", len(events))
        raise  # 500: LINE redelivers (when redelivery is on), and nothing was half-stored
    if new and current_app.config["LINE_PROCESS_IN_WEB"]:
        background.kick(current_app._get_current_object())
    return {"stored": new}, 200


def webhook_url() -> str:
    """What to paste into the LINE Developers console: the webhook on the public address."""
    from ..outbox import external_url

    return external_url("line.webhook", "/line/webhook")


@bp.route("/admin/line")
@permission_required(policy.can_administer)
def status():
    events = dict(db.session.execute(select(LineEvent.status, func.count()).group_by(LineEvent.status)).all())
    pushes = dict(db.session.execute(
        select(OutboxMessage.status, func.count()).where(OutboxMessage.channel == "line")
        .group_by(OutboxMessage.status)
    ).all())
    config = current_app.config
    return render_template(
        "line/status.html",
        configured=is_configured(),
        has_secret=bool(channel_secret()),
        has_token=bool(config.get("LINE_CHANNEL_ACCESS_TOKEN")),
        webhook_url=webhook_url(),
        api_base=config["LINE_API_BASE_URL"],
        data_api_base=config["LINE_DATA_API_BASE_URL"],
        last_webhook_at=last_webhook_at(db.session),
        events={s: events.get(s, 0) for s in LINE_EVENT_STATUSES},
        pushes={s: pushes.get(s, 0) for s in OUTBOX_STATUSES},
    )
