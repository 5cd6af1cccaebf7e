"""The one place that speaks HTTP to LINE: reply, push and message content, through ``linebot.v3``.

Every call has a time limit (``LINE_TIMEOUT_SECONDS``) and no retries of its own (urllib3's are turned
off): a failure is raised at once as :class:`LineError`, and the outbox or the event queue decides when
to try again. ``temporary`` tells a failure worth retrying (time-out, no connection, 429, 5xx) from a
refusal (4xx: a user who blocked the account, a bad request), which is not retried.
"""

import uuid

from flask import current_app
from urllib3.exceptions import HTTPError as Urllib3Error

# linebot.v3's modules take seconds to import: they are imported when first used, and at start-up only
# where LINE is configured (eservice.line.init_app), so that other processes and tests start quickly.


class LineError(Exception):
    def __init__(self, message: str, *, status: int = 0, body: str = ""):
        super().__init__(message)
        self.status = status
        self.body = body

    @property
    def temporary(self) -> bool:
        """Worth another try later: no answer at all, rate limited, or LINE's own fault."""
        return self.status == 0 or self.status == 429 or self.status >= 500

    @property
    def already_accepted(self) -> bool:
        """409 to a push with a retry key: LINE took this very push before (a retry after a lost answer)."""
        return self.status == 409

    @property
    def invalid_reply_token(self) -> bool:
        return self.status == 400 and "reply token" in self.body.lower()


def _call(function, *args, **kwargs):
    from linebot.v3.messaging.exceptions import ApiException

    try:
        return function(*args, **kwargs)
    except ApiException as error:
        body = error.body if isinstance(error.body, str) else (error.body or b"").decode("utf-8", "replace")
        status = int(error.status or 0)
        raise LineError(f"LINE answered {status}: {body or error.reason}"[:2000], status=status,
                        body=body or "") from None
    except (Urllib3Error, OSError) as error:
        raise LineError(f"LINE unreachable: {type(error).__name__}: {error}"[:2000]) from None


def _api_client(host: str, token: str):
    from linebot.v3.messaging import ApiClient, Configuration

    configuration = Configuration(host=host.rstrip("/"), access_token=token)
    configuration.retries = False  # the outbox retries, with growing delays and a retry key
    return ApiClient(configuration)


class LineClient:
    def __init__(self, *, access_token: str, api_base: str, data_api_base: str, timeout: float):
        from linebot.v3.messaging import MessagingApi, MessagingApiBlob

        self.timeout = timeout
        self._messaging = MessagingApi(_api_client(api_base, access_token))
        self._blob = MessagingApiBlob(_api_client(data_api_base, access_token))

    def reply(self, reply_token: str, messages: list[dict]) -> None:
        from linebot.v3.messaging import ReplyMessageRequest

        request = ReplyMessageRequest.from_dict({"replyToken": reply_token, "messages": messages})
        _call(self._messaging.reply_message, request, _request_timeout=self.timeout)

    def push(self, to: str, messages: list[dict], retry_key: str) -> None:
        """``retry_key``: the same for every try of one message, so LINE shows it once (409 after)."""
        from linebot.v3.messaging import PushMessageRequest

        request = PushMessageRequest.from_dict({"to": to, "messages": messages})
        _call(self._messaging.push_message, request, x_line_retry_key=str(uuid.UUID(retry_key)),
              _request_timeout=self.timeout)

    def content(self, message_id: str) -> bytes:
        """The bytes of an image the user sent (the data API keeps them for a limited time)."""
        data = _call(self._blob.get_message_content, message_id, _request_timeout=self.timeout)
        return bytes(data or b"")


def line_client() -> LineClient:
    """The application's client (one connection pool per set-up), made on first use."""
    config = current_app.config
    key = (str(config.get("LINE_CHANNEL_ACCESS_TOKEN") or ""), config["LINE_API_BASE_URL"],
           config["LINE_DATA_API_BASE_URL"], float(config["LINE_TIMEOUT_SECONDS"]))
    cached = current_app.extensions.get("line_client")
    if cached is None or cached[0] != key:
        client = LineClient(access_token=key[0], api_base=key[1], data_api_base=key[2], timeout=key[3])
        current_app.extensions["line_client"] = cached = (key, client)
    return cached[1]
