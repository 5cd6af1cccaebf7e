"""The municipality's LINE Official Account: an intake channel and the way citizens hear back.

How the parts fit (issue 12):

- :mod:`.views` ``POST /line/webhook``: the signature (``x-line-signature``, base64 HMAC-SHA256 of the raw
  body with the channel secret) is checked in constant time before anything is parsed; then every event
  is stored as it came (:class:`~eservice.models.line.LineEvent`, unique on ``webhookEventId``, so a
  redelivery is stored and processed once) and the request is answered. Nothing talks to LINE while
  LINE waits for our answer. ``/admin/line`` shows the set-up.
- :mod:`.processing` takes stored events in order, one LINE user at a time, fetches photos from the data
  API, and lets the conversation (:mod:`eservice.domain.line.chat`) decide what happens; its answer is
  an outbox row written in the same transaction. Run by the worker (``flask --app eservice worker``),
  by ``flask --app eservice line process``, and right after a webhook by a thread of the web process
  (:mod:`.background`), so that people get their answer in a second; if that process dies, the worker
  takes over the claimed events when their claim runs out.
- :mod:`.delivery` sends LINE's outbox rows (``OutboxMessage.channel == "line"``): the reply token for the
  immediate answer while it is fresh, the push API otherwise and for every later case event, with a
  retry key so a retried push is never shown twice.
- :mod:`.client` is the only module that speaks HTTP to LINE.

Library: the official ``line-bot-sdk`` (v3, ``linebot.v3``). Used for the signature
(``SignatureValidator``: ``hmac.compare_digest`` over the base64 HMAC), for the event models
(``linebot.v3.webhooks.Event.from_dict``: typed message, postback, follow, unsend events; unknown types and
malformed events raise ``ValueError``), and for the API calls (``MessagingApi.reply_message`` /
``push_message(x_line_retry_key=…)``, ``MessagingApiBlob.get_message_content``), whose request models
also check the message limits (five messages per call). Two things it does not do for us, handled here:
it parses the whole body before we could store each raw event (so the webhook stores the raw JSON and
parses later), and its blob API is fixed to api-data.line.me unless the configuration's ``host`` is
set (so each API gets its own configuration with ``LINE_API_BASE_URL`` / ``LINE_DATA_API_BASE_URL``).
urllib3's own retries are turned off: the outbox retries, with growing delays.

LINE's limits the conversation keeps (Messaging API reference): 13 quick-reply buttons per message,
labels of at most 20 characters, postback data of at most 300, at most 5 messages per reply or push,
5,000 characters per text message; camera, camera-roll and location actions exist only as quick
replies; a reply token is good for one use, within about a minute; ``?openExternalBrowser=1`` opens a
link in the phone's own browser instead of LINE's.
"""

from flask import Blueprint, Flask

bp = Blueprint("line", __name__)


def init_app(app: Flask) -> None:
    from ..extensions import csrf
    from ..outbox import add_worker_round
    from . import background, cli, views  # noqa: F401  (views register their routes on bp)

    # LINE signs its requests; it cannot carry our CSRF token. Only the webhook is exempt.
    csrf.exempt(views.webhook)
    cli.init_app(app)
    add_worker_round(app, background.worker_round)
    app.register_blueprint(bp)
    if app.config.get("LINE_CHANNEL_SECRET") and not app.testing:
        # linebot.v3 takes seconds to import: pay it at start-up, not in LINE's first webhook.
        import linebot.v3.messaging  # noqa: F401
        import linebot.v3.webhook  # noqa: F401
