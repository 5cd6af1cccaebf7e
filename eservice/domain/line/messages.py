"""LINE message objects as plain dicts (the Messaging API's JSON), kept within LINE's limits.

Only standard actions: postback and message buttons, URI links, and the camera, camera-roll and location
quick replies, so that every LINE client can drive the conversation and nobody has to type a command.
"""

from urllib.parse import parse_qsl, urlencode

MAX_QUICK_REPLIES = 13
MAX_LABEL = 20
MAX_DATA = 300
MAX_DISPLAY_TEXT = 300
MAX_TEXT = 5000
MAX_MESSAGES = 5


def short(text: object, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def postback(label: object, data: dict, display: object | None = None) -> dict:
    """A quick-reply button that sends ``data`` back to us and shows ``display`` in the chat as the
    person's own words."""
    encoded = urlencode(data)
    if len(encoded) > MAX_DATA:
        raise ValueError(f"postback data over {MAX_DATA} characters: {encoded[:50]}…")
    return {
        "type": "action",
        "action": {
            "type": "postback",
            "label": short(label, MAX_LABEL),
            "data": encoded,
            "displayText": short(display if display is not None else label, MAX_DISPLAY_TEXT),
        },
    }


def uri(label: object, link: str) -> dict:
    return {"type": "action", "action": {"type": "uri", "label": short(label, MAX_LABEL), "uri": link}}


def location(label: object) -> dict:
    return {"type": "action", "action": {"type": "location", "label": short(label, MAX_LABEL)}}


def camera(label: object) -> dict:
    return {"type": "action", "action": {"type": "camera", "label": short(label, MAX_LABEL)}}


def camera_roll(label: object) -> dict:
    return {"type": "action", "action": {"type": "cameraRoll", "label": short(label, MAX_LABEL)}}


def text(body: object, quick_replies: list[dict] | None = None) -> dict:
    message: dict[str, object] = {"type": "text", "text": str(body)[:MAX_TEXT] or "…"}
    if quick_replies:
        if len(quick_replies) > MAX_QUICK_REPLIES:
            raise ValueError(f"{len(quick_replies)} quick replies; LINE takes {MAX_QUICK_REPLIES}")
        message["quickReply"] = {"items": quick_replies}
    return message


def parse_postback(data: object) -> dict[str, str]:
    """The fields of our postback data; {} for anything else (data we did not make is ignored)."""
    if not isinstance(data, str) or len(data) > MAX_DATA:
        return {}
    try:
        pairs = parse_qsl(data, keep_blank_values=True, strict_parsing=True, max_num_fields=10)
    except ValueError:
        return {}
    fields = dict(pairs)
    return fields if "a" in fields else {}


def external_browser(link: str) -> str:
    """LINE opens links in its own browser unless told otherwise; the phone's browser keeps nothing
    of the LINE account (the protected forms for integrity reports are opened this way)."""
    return link + ("&" if "?" in link else "?") + "openExternalBrowser=1"
