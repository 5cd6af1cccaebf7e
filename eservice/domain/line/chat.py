"""The conversation in LINE: one person, one step at a time, with buttons for every answer.

Filing: type → category (pages of quick replies) → description → up to 5 photos → location → name and
phone, or not → the personal-data notice and a summary → confirm. Each step offers "Cancel"; a report
left for ``draft_minutes`` expires with a message. The finished report goes through the same intake
schema and :func:`~eservice.domain.filing.file_case` as the web form, with the channel ``line``.

Besides filing: "My cases" (only this LINE user's cases), a tracking code typed in chat (shown only to
the person who filed it), information added to a case the office is waiting on (asking which case when
several wait), a rating and a reopening from the buttons on a resolution message, and the language.
Corruption and No Gift Policy reports are never taken here: LINE ties every message to an account, so
the person is sent to the protected web forms, opened in the phone's own browser.

:func:`handle` takes one incoming event (already reduced to an :class:`Incoming`, photos already checked
like web uploads) and returns the messages to answer with; it changes the chat, and files or updates
cases, in the caller's transaction. Button data we did not make, or made for a report that is gone, is
ignored with a polite word; nothing here trusts a case id from a button without checking that the case
is this person's.
"""

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Case, Category
from ...models.line import LineChat, LineDraftPhoto
from .. import actions, case_types, workflow
from ..errors import DomainError
from ..filing import Intake, add_citizen_information, file_case, find_by_submission_token
from ..statuses import Status
from ..thai import format_date, is_valid_phone, normalise_phone
from ..tracking import CODE_PATTERN, normalise_code
from ..uploads import CleanFile
from . import cases
from . import messages as m


class Step(StrEnum):
    IDLE = "idle"
    CATEGORY = "category"
    DESCRIPTION = "description"
    PHOTOS = "photos"
    LOCATION = "location"
    CONTACT = "contact"
    NAME = "name"
    PHONE = "phone"
    CONFIRM = "confirm"
    WHICH_CASE = "which_case"  # information for a waiting case: which one?
    REOPEN_REASON = "reopen_reason"


FILING_STEPS = (Step.CATEGORY, Step.DESCRIPTION, Step.PHOTOS, Step.LOCATION, Step.CONTACT, Step.NAME,
                Step.PHONE, Step.CONFIRM)
LANGUAGES = {"th": "ภาษาไทย", "en": "English"}  # each in its own language, never translated
CANCEL_WORDS = {"cancel", "ยกเลิก", "stop", "หยุด"}
MENU_WORDS = {"menu", "เมนู", "start", "เริ่ม", "help", "ช่วยเหลือ", "hi", "hello", "สวัสดี"}
CATEGORY_PAGE = 11  # 11 categories + "more" + "cancel" = LINE's 13 buttons
NAME_LIMIT = 100
ADDRESS_LIMIT = 500
RATING_SCORES = range(1, 6)
# What the office wrote that the person reads again when they look at their case.
QUOTED = (actions.PUBLIC_REPLY, actions.REQUEST_INFO, actions.RESOLVE, actions.REJECT)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Incoming:
    """One event from the person, in plain terms."""

    kind: str  # text | postback | photo | location | unsupported | follow | unfollow | unsend | other
    text: str = ""
    data: str = ""  # postback data
    photo: CleanFile | None = None
    photo_error: str = ""  # why the photo was refused (the upload checks' message)
    message_id: str = ""
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""
    wants_reply: bool = True  # False for all but the last photo of several sent at once


@dataclass
class ChatContext:
    now: datetime
    org_name: dict[str, str]  # locale -> the organisation's name
    draft_minutes: int
    reopen_days: int
    max_photos: int
    max_description: int
    track_url: Callable[[str], str]
    privacy_url: str
    form_url: Callable[[str], str]  # the web form of a case type
    # The web form's schema applied to the draft (eservice.line.intake); raises DomainError with a field.
    build_intake: Callable[[dict, list[CleanFile], str, str], Intake]


def clean_text(value: object) -> str:
    """Text as a person typed it, minus control characters and broken characters."""
    text = str(value or "").encode("utf-8", "ignore").decode("utf-8")
    return _CONTROL.sub("", text).strip()


# --- the entry point --------------------------------------------------------------------------------


def handle(session: Session, chat: LineChat, incoming: Incoming, ctx: ChatContext) -> list[dict]:
    """Answer one event. Changes ``chat`` (and cases) in the caller's transaction."""
    if incoming.kind == "unfollow":
        chat.followed = False
        _clear(chat)  # they left: an unfinished report and its photos are not kept
        return []
    if incoming.kind == "unsend":
        _forget_photo(chat, incoming.message_id)
        return []
    chat.followed = True
    replies: list[dict] = []
    with force_locale(chat.locale):
        if chat.step != Step.IDLE and is_expired(chat, ctx.now, ctx.draft_minutes):
            replies.append(expiry_message(chat, ctx.draft_minutes))
            _clear(chat)
        replies.extend(_dispatch(session, chat, incoming, ctx))
    chat.updated_at = ctx.now
    if not incoming.wants_reply and len(replies) == 1:
        return []  # one photo of several sent together: the last one answers for all
    return replies[: m.MAX_MESSAGES]


def is_expired(chat: LineChat, now: datetime, draft_minutes: int) -> bool:
    return chat.step != Step.IDLE and now - chat.updated_at > timedelta(minutes=draft_minutes)


def expiry_message(chat: LineChat, draft_minutes: int) -> dict:
    """Said when an unfinished report expires (in the chat's language: call under its locale)."""
    if chat.step in FILING_STEPS:
        body = _("Your unfinished report was not sent: it expired after %(n)d minutes without an answer. "
                 "Nothing was filed. Start again from the menu when you are ready.", n=draft_minutes)
    else:
        body = _("Your last request expired after %(n)d minutes without an answer; nothing was changed.",
                 n=draft_minutes)
    return m.text(body, _menu_buttons(chat))


def expire(chat: LineChat, now: datetime, draft_minutes: int) -> dict | None:
    """The sweep's version: clear an expired draft and return the message to push, or None."""
    if not is_expired(chat, now, draft_minutes):
        return None
    with force_locale(chat.locale):
        message = expiry_message(chat, draft_minutes)
    _clear(chat)
    chat.updated_at = now
    return message


def _dispatch(session, chat, incoming: Incoming, ctx) -> list[dict]:
    if incoming.kind == "follow":
        return [m.text(_("Welcome to the e-Service of %(org)s. Here you can file a complaint, a suggestion, a "
                         "question or a budget objection, follow your cases, and hear back from us.",
                         org=ctx.org_name.get(chat.locale, ""))), menu_message(chat)]
    if incoming.kind == "postback":
        return _on_postback(session, chat, m.parse_postback(incoming.data), ctx)
    if incoming.kind == "text":
        return _on_text(session, chat, clean_text(incoming.text), ctx)
    if incoming.kind == "photo":
        return _on_photo(session, chat, incoming, ctx)
    if incoming.kind == "location":
        return _on_location(session, chat, incoming, ctx)
    if incoming.kind == "unsupported":
        return [m.text(_("Sorry, we can only read text, photos and locations here. Please send text, a photo "
                         "or a location."), _current_buttons(session, chat, ctx))]
    return []


# --- menu and small answers -------------------------------------------------------------------------


def _menu_buttons(chat: LineChat) -> list[dict]:
    other = "en" if chat.locale == "th" else "th"
    buttons = [
        m.postback(case_types.CASE_TYPES[code].short, {"a": "type", "t": code},
                   case_types.CASE_TYPES[code].label)
        for code in case_types.GENERAL_TYPES
    ]
    buttons += [
        m.postback(_("Corruption or gift"), {"a": "protected"}, _("Report corruption or a gift")),
        m.postback(_("My cases"), {"a": "mycases"}),
        m.postback(LANGUAGES[other], {"a": "lang", "l": other}),
    ]
    return buttons


def menu_message(chat: LineChat, intro: str | None = None) -> dict:
    return m.text(intro or _("What would you like to do? Choose below."), _menu_buttons(chat))


def _cancel_button(chat: LineChat) -> dict:
    return m.postback(_("Cancel"), {"a": "cancel", "d": _draft_id(chat)})


def _draft_id(chat: LineChat) -> str:
    return str((chat.draft or {}).get("id", ""))


def _clear(chat: LineChat) -> None:
    chat.step = Step.IDLE
    chat.draft = None
    chat.photos.clear()


def _start(chat: LineChat, step: Step, **fields) -> None:
    _clear(chat)
    chat.step = step
    chat.draft = {"id": secrets.token_urlsafe(12), **fields}


def _update(chat: LineChat, **fields) -> None:
    # A new dict, so that the JSON column is seen to change.
    chat.draft = {**(chat.draft or {}), **fields}


def _forget_photo(chat: LineChat, message_id: str) -> None:
    for photo in list(chat.photos):
        if message_id and photo.message_id == message_id:
            chat.photos.remove(photo)


def integrity_message(ctx: ChatContext) -> dict:
    corruption, gift = m.external_browser(ctx.form_url("corruption")), m.external_browser(ctx.form_url("gift"))
    body = _(
        "Corruption and No Gift Policy reports are not taken in LINE chat, because LINE links every message "
        "to your account. Please use the protected web forms instead; they open in your phone's own browser "
        "and you may stay anonymous.\n\nCorruption or misconduct: %(corruption)s\n\nNo Gift Policy: %(gift)s",
        corruption=corruption, gift=gift,
    )
    return m.text(body, [
        m.uri(_("Corruption form"), corruption),
        m.uri(_("Gift report form"), gift),
        m.postback(_("Menu"), {"a": "menu"}),
    ])


def _stale(session, chat, ctx) -> list[dict]:
    if chat.step == Step.IDLE:
        return [menu_message(chat, _("That button belongs to a conversation that has ended (filed, cancelled "
                                     "or expired). Nothing more was done."))]
    return [m.text(_("That button belongs to an earlier conversation. Let us continue where we are:"))] + \
        _prompt(session, chat, ctx)


# --- postbacks --------------------------------------------------------------------------------------


def _on_postback(session, chat: LineChat, fields: dict[str, str], ctx) -> list[dict]:
    action = fields.get("a", "")
    if action == "menu":
        if chat.step != Step.IDLE:
            return [m.text(_("You have an unfinished request. Continue below, or cancel it."))] + \
                _prompt(session, chat, ctx)
        return [menu_message(chat)]
    if action == "lang" and fields.get("l") in LANGUAGES:
        chat.locale = fields["l"]
        with force_locale(chat.locale):
            return [menu_message(chat, _("The conversation is now in English."))] if chat.locale == "en" else \
                [menu_message(chat, _("The conversation is now in Thai."))]
    if action == "type":
        code = fields.get("t", "")
        if code in case_types.INTEGRITY_TYPES:
            return [integrity_message(ctx)]
        if code not in case_types.GENERAL_TYPES:
            return _unknown(session, chat, ctx)
        _start(chat, Step.CATEGORY, case_type=code, page=0)
        return _prompt(session, chat, ctx)
    if action == "protected":  # the protected web forms for corruption and gift reports
        return [integrity_message(ctx)]
    if action == "mycases":
        return [my_cases_message(session, chat, ctx)]
    if action == "show":
        case = cases.case_by_id(session, chat.line_user_id, fields.get("case"))
        return [case_message(case, chat, ctx)] if case is not None else [_not_yours(chat)]
    if action == "rate":
        return _on_rate(session, chat, fields, ctx)
    if action == "reopen":
        return _on_reopen_button(session, chat, fields, ctx)
    if action == "cancel":
        if chat.step == Step.IDLE or fields.get("d") != _draft_id(chat):
            return _stale(session, chat, ctx)
        _clear(chat)
        return [menu_message(chat, _("Cancelled. Nothing was sent."))]

    # Buttons of one report: they count only for the report (and step) they were made for.
    if not fields.get("d") or fields.get("d") != _draft_id(chat):
        return _stale(session, chat, ctx) if action in ("cat", "page", "next", "contact", "nophone",
                                                          "confirm", "info") else _unknown(session, chat, ctx)
    step = chat.step
    if action == "page" and step == Step.CATEGORY:
        try:
            _update(chat, page=max(0, int(fields.get("p", "0"))))
        except ValueError:
            return _unknown(session, chat, ctx)
        return _prompt(session, chat, ctx)
    if action == "cat" and step == Step.CATEGORY:
        category = _offered_category(session, (chat.draft or {}).get("case_type"), fields.get("c", ""))
        if category is None:
            return _unknown(session, chat, ctx)
        _update(chat, category=category.code)
        chat.step = Step.DESCRIPTION
        return [m.text(_("Category: %(name)s", name=category.name(chat.locale)))] + _prompt(session, chat, ctx)
    if action == "next" and step == Step.PHOTOS:
        chat.step = Step.LOCATION
        return _prompt(session, chat, ctx)
    if action == "next" and step == Step.LOCATION:
        chat.step = Step.CONTACT
        return _prompt(session, chat, ctx)
    if action == "contact" and step == Step.CONTACT and fields.get("v") in ("yes", "no"):
        if fields["v"] == "yes":
            _update(chat, contact=True)
            chat.step = Step.NAME
        else:
            _update(chat, contact=False, first_name="", last_name="", phone="")
            chat.step = Step.CONFIRM
        return _prompt(session, chat, ctx)
    if action == "nophone" and step == Step.PHONE:
        _update(chat, phone="")
        chat.step = Step.CONFIRM
        return _prompt(session, chat, ctx)
    if action == "confirm" and step == Step.CONFIRM:
        return _file(session, chat, ctx)
    if action == "info" and step == Step.WHICH_CASE:
        case = cases.case_by_id(session, chat.line_user_id, fields.get("case"))
        if case is None:
            return _unknown(session, chat, ctx)
        return _add_pending_information(session, chat, case, ctx)
    return _stale(session, chat, ctx)


def _unknown(session, chat, ctx) -> list[dict]:
    """Button data we do not recognise (old, or not ours): nothing happens, and we say so."""
    if chat.step != Step.IDLE:
        return [m.text(_("Sorry, that choice is not available here."))] + _prompt(session, chat, ctx)
    return [menu_message(chat, _("Sorry, that choice is not available. Here is the menu."))]


def _not_yours(chat) -> dict:
    # The same words whether the case exists or not: the chat must not tell.
    return m.text(_("No case with that code was filed from this LINE account. Cases filed on the website are "
                    "followed with their receipt key on the tracking page."), [m.postback(_("My cases"),
                                                                                        {"a": "mycases"})])


# --- text -------------------------------------------------------------------------------------------


def _on_text(session, chat: LineChat, text: str, ctx) -> list[dict]:
    lowered = text.lower()
    if lowered in CANCEL_WORDS:
        if chat.step == Step.IDLE:
            return [menu_message(chat, _("There is nothing to cancel."))]
        _clear(chat)
        return [menu_message(chat, _("Cancelled. Nothing was sent."))]
    if lowered in MENU_WORDS:
        return _on_postback(session, chat, {"a": "menu"}, ctx)
    step = chat.step
    if step == Step.IDLE:
        return _idle_text(session, chat, text, ctx)
    if not text:
        return _prompt(session, chat, ctx)
    if step == Step.DESCRIPTION:
        if len(text) > ctx.max_description:
            return [m.text(_("That is %(n)d characters long; the limit is %(max)d. Please send a shorter "
                             "description.", n=len(text), max=ctx.max_description), [_cancel_button(chat)])]
        _update(chat, description=text)
        chat.step = Step.PHOTOS
        return _prompt(session, chat, ctx)
    if step == Step.PHOTOS:
        joined = ((chat.draft or {}).get("description", "") + "\n" + text).strip()
        if len(joined) > ctx.max_description:
            return [m.text(_("The description would be longer than %(max)d characters; this part was not added.",
                             max=ctx.max_description))] + _prompt(session, chat, ctx)
        _update(chat, description=joined)
        return [m.text(_("Added to your description."))] + _prompt(session, chat, ctx)
    if step == Step.LOCATION:
        _update(chat, address=text[:ADDRESS_LIMIT])
        chat.step = Step.CONTACT
        return [m.text(_("Place noted: %(place)s", place=text[:ADDRESS_LIMIT]))] + _prompt(session, chat, ctx)
    if step == Step.NAME:
        first, _sep, last = text.partition(" ")
        first, last = first.strip(), last.strip()
        if len(first) > NAME_LIMIT or len(last) > NAME_LIMIT:
            return [m.text(_("Please keep each name under %(max)d characters.", max=NAME_LIMIT),
                           [_cancel_button(chat)])]
        _update(chat, first_name=first, last_name=last)
        chat.step = Step.PHONE
        return _prompt(session, chat, ctx)
    if step == Step.PHONE:
        if not is_valid_phone(text):
            return [m.text(_("Enter a Thai phone number: a mobile of 10 digits (06, 08, 09…) or a landline of 9 "
                             "digits (02…07…)."), _phone_buttons(chat))]
        _update(chat, phone=normalise_phone(text))
        chat.step = Step.CONFIRM
        return _prompt(session, chat, ctx)
    if step == Step.REOPEN_REASON:
        return _reopen(session, chat, text, ctx)
    if step == Step.WHICH_CASE:
        _update(chat, text=((chat.draft or {}).get("text", "") + "\n" + text).strip()[: ctx.max_description])
        return _prompt(session, chat, ctx)
    # Category, contact choice, confirmation: these steps are answered with the buttons.
    return [m.text(_("Please answer with one of the buttons below."))] + _prompt(session, chat, ctx)


def _idle_text(session, chat: LineChat, text: str, ctx) -> list[dict]:
    code = normalise_code(text)
    if CODE_PATTERN.match(code):
        case = cases.case_by_code(session, chat.line_user_id, code)
        return [case_message(case, chat, ctx)] if case is not None else [_not_yours(chat)]
    waiting = cases.awaiting_cases(session, chat.line_user_id)
    if waiting and text:
        return _information(session, chat, waiting, ctx, text=text)
    return [menu_message(chat, _("Hello! What would you like to do? Choose below."))]


# --- photos and locations ---------------------------------------------------------------------------


def _on_photo(session, chat: LineChat, incoming: Incoming, ctx) -> list[dict]:
    step = chat.step
    if step == Step.IDLE:
        waiting = cases.awaiting_cases(session, chat.line_user_id)
        if waiting and incoming.photo is not None:
            return _information(session, chat, waiting, ctx, photo=incoming)
        if waiting:
            return [m.text(_("This photo was not accepted: %(reason)s", reason=incoming.photo_error))]
        return [menu_message(chat, _("To send photos about a matter, first choose what you would like to file."))]
    if step not in (Step.DESCRIPTION, Step.PHOTOS, Step.WHICH_CASE):
        return [m.text(_("Photos are taken at the photo step. Let us continue where we are:"))] + \
            _prompt(session, chat, ctx)
    if incoming.photo is None:
        return [m.text(_("This photo was not accepted: %(reason)s", reason=incoming.photo_error))] + \
            _prompt(session, chat, ctx)
    if len(chat.photos) >= ctx.max_photos:
        return [m.text(_("You have already sent %(max)d photos, the most one report can carry; this one was not "
                         "added.", max=ctx.max_photos))] + _prompt(session, chat, ctx)
    _keep_photo(chat, incoming)
    if step == Step.DESCRIPTION:
        return [m.text(_("Photo received. Now please describe the matter in a message."), [_cancel_button(chat)])]
    if step == Step.WHICH_CASE:
        return _prompt(session, chat, ctx)
    return [m.text(_("Photo %(n)d of %(max)d received.", n=len(chat.photos), max=ctx.max_photos))] + \
        _prompt(session, chat, ctx)


def _keep_photo(chat: LineChat, incoming: Incoming) -> None:
    photo = incoming.photo
    if photo is None:
        return
    chat.photos.append(LineDraftPhoto(message_id=incoming.message_id[:64], filename=photo.filename,
                                      content_type=photo.content_type, data=photo.data))


def _on_location(session, chat: LineChat, incoming: Incoming, ctx) -> list[dict]:
    lat, long = incoming.latitude, incoming.longitude
    if lat is None or long is None or not (-90 <= lat <= 90 and -180 <= long <= 180):
        return [m.text(_("That location could not be read. Please try again, or type the place."))] + \
            _prompt(session, chat, ctx)
    address = clean_text(incoming.address)[:ADDRESS_LIMIT]
    if chat.step in (Step.PHOTOS, Step.LOCATION):
        _update(chat, lat=lat, long=long, address=address or (chat.draft or {}).get("address", ""))
        chat.step = Step.CONTACT
        place = address or ", ".join(format(value, ".5f") for value in (lat, long))
        return [m.text(_("Location received: %(place)s", place=place))] + \
            _prompt(session, chat, ctx)
    if chat.step == Step.IDLE:
        waiting = cases.awaiting_cases(session, chat.line_user_id)
        if waiting:
            place = _("Location: %(place)s (%(lat).6f, %(long).6f)", place=address or "-", lat=lat, long=long)
            return _information(session, chat, waiting, ctx, text=place)
        return [menu_message(chat, _("To send a location about a matter, first choose what you would like to "
                                     "file."))]
    return [m.text(_("A location is taken at the location step. Let us continue where we are:"))] + \
        _prompt(session, chat, ctx)


# --- prompts ----------------------------------------------------------------------------------------


def _offered(session, case_type: str) -> list[Category]:
    categories = session.scalars(
        select(Category).where(Category.active.is_(True)).order_by(Category.sort_order, Category.id)
    )
    return [c for c in categories if c.offered_for(case_type)]


def _offered_category(session, case_type, code: str) -> Category | None:
    return next((c for c in _offered(session, case_type or "") if c.code == code), None)


def _current_buttons(session, chat, ctx) -> list[dict]:
    if chat.step == Step.IDLE:
        return _menu_buttons(chat)
    prompt = _prompt(session, chat, ctx)
    return prompt[-1].get("quickReply", {}).get("items", []) if prompt else []


def _phone_buttons(chat) -> list[dict]:
    return [m.postback(_("No phone"), {"a": "nophone", "d": _draft_id(chat)}, _("I will not give a phone "
                                                                                "number")),
            _cancel_button(chat)]


def _prompt(session, chat: LineChat, ctx) -> list[dict]:
    """The question of the current step, with its buttons."""
    draft, step, d = chat.draft or {}, chat.step, _draft_id(chat)
    if step == Step.CATEGORY:
        return [_category_prompt(session, chat)]
    if step == Step.DESCRIPTION:
        return [m.text(_("Describe the matter in your own words: what happened, where and when."),
                       [_cancel_button(chat)])]
    if step == Step.PHOTOS:
        count = len(chat.photos)
        body = _("You may send up to %(max)d photos (%(n)d so far). Take one with the camera or choose from your "
                 "photos; press “Next” when done.", max=ctx.max_photos, n=count)
        buttons = [m.camera(_("Camera")), m.camera_roll(_("Photos"))] if count < ctx.max_photos else []
        next_label = _("Next") if count else _("No photos")
        return [m.text(body, buttons + [m.postback(next_label, {"a": "next", "d": d}), _cancel_button(chat)])]
    if step == Step.LOCATION:
        return [m.text(_("Where is it? Share the location, type the place, or skip this step."),
                       [m.location(_("Share location")), m.postback(_("Skip"), {"a": "next", "d": d}),
                        _cancel_button(chat)])]
    if step == Step.CONTACT:
        return [m.text(_("May the office contact you? You may give your name and phone, or stay anonymous. "
                         "Your LINE name is not taken: you type what you want us to know. Either way, you hear "
                         "back here in LINE."),
                       [m.postback(_("Give name and phone"), {"a": "contact", "v": "yes", "d": d}),
                        m.postback(_("Stay anonymous"), {"a": "contact", "v": "no", "d": d}),
                        _cancel_button(chat)])]
    if step == Step.NAME:
        return [m.text(_("Type your first name and last name."), [_cancel_button(chat)])]
    if step == Step.PHONE:
        return [m.text(_("Type your phone number, or press “No phone”."), _phone_buttons(chat))]
    if step == Step.CONFIRM:
        return [_summary(session, chat, ctx)]
    if step == Step.WHICH_CASE:
        return [_which_case_prompt(session, chat)]
    if step == Step.REOPEN_REASON:
        case = cases.case_by_id(session, chat.line_user_id, draft.get("case"))
        code = case.tracking_code if case else ""
        return [m.text(_("Why should case %(code)s be reopened? Type the reason.", code=code),
                       [_cancel_button(chat)])]
    return [menu_message(chat)]


def _category_prompt(session, chat: LineChat) -> dict:
    draft = chat.draft or {}
    offered = _offered(session, draft.get("case_type", ""))
    kind = case_types.CASE_TYPES[draft["case_type"]]
    d = _draft_id(chat)
    if len(offered) <= m.MAX_QUICK_REPLIES - 1:
        shown, nav = offered, []
    else:
        pages = (len(offered) + CATEGORY_PAGE - 1) // CATEGORY_PAGE
        page = min(int(draft.get("page", 0)), pages - 1)
        shown = offered[page * CATEGORY_PAGE:(page + 1) * CATEGORY_PAGE]
        if page + 1 < pages:
            nav = [m.postback(_("More…"), {"a": "page", "p": page + 1, "d": d}, _("More categories"))]
        else:
            nav = [m.postback(_("Back to start"), {"a": "page", "p": 0, "d": d}, _("First categories"))]
    listing = "\n".join(f"• {c.name(chat.locale)}" for c in shown)
    body = _("%(kind)s: choose the category that fits best.", kind=kind.label) + "\n\n" + listing
    buttons = [m.postback(c.name(chat.locale), {"a": "cat", "c": c.code, "d": d}) for c in shown]
    return m.text(body, buttons + nav + [_cancel_button(chat)])


def _summary(session, chat: LineChat, ctx) -> dict:
    draft = chat.draft or {}
    locale = chat.locale
    category = _offered_category(session, draft.get("case_type"), draft.get("category", ""))
    lines = [
        _("Please check your report before it is sent:"),
        "",
        _("Type: %(kind)s", kind=case_types.CASE_TYPES[draft["case_type"]].label),
        _("Category: %(name)s", name=category.name(locale) if category else "-"),
        _("Description: %(text)s", text=m.short(draft.get("description", ""), 500)),
        _("Photos: %(n)d", n=len(chat.photos)),
    ]
    if draft.get("lat") is not None:
        lines.append(_("Location: %(place)s (%(lat).6f, %(long).6f)", place=draft.get("address") or "-",
                       lat=draft["lat"], long=draft["long"]))
    elif draft.get("address"):
        lines.append(_("Place: %(place)s", place=draft["address"]))
    if draft.get("contact"):
        name = f"{draft.get('first_name', '')} {draft.get('last_name', '')}".strip()
        lines.append(_("Name: %(name)s", name=name or "-"))
        lines.append(_("Phone: %(phone)s", phone=draft.get("phone") or "-"))
    else:
        lines.append(_("Anonymous: no name or phone."))
    lines += ["", _("Personal data notice: we use what you send only to handle this matter, as the notice "
                    "explains: %(link)s", link=ctx.privacy_url),
              _("Press “Confirm and send” if you have read the notice and the report is right.")]
    d = _draft_id(chat)
    return m.text("\n".join(lines), [
        m.postback(_("Confirm and send"), {"a": "confirm", "d": d}),
        m.uri(_("Read the notice"), ctx.privacy_url),
        _cancel_button(chat),
    ])


# --- filing -----------------------------------------------------------------------------------------


def _file(session, chat: LineChat, ctx) -> list[dict]:
    draft = dict(chat.draft or {})
    earlier = find_by_submission_token(session, draft.get("id"))
    if earlier is not None:  # the same report confirmed twice: one case
        _clear(chat)
        return [receipt_message(earlier, chat, ctx)]
    photos = [CleanFile(p.filename, p.content_type, p.data) for p in chat.photos]
    try:
        intake = ctx.build_intake(draft, photos, chat.locale, chat.line_user_id)
        filed = file_case(session, intake, now=ctx.now)
    except DomainError as error:
        back_to = {"description": Step.DESCRIPTION, "phone": Step.PHONE, "first_name": Step.NAME,
                   "last_name": Step.NAME, "service_code": Step.CATEGORY, "address_string": Step.LOCATION,
                   "lat": Step.LOCATION, "long": Step.LOCATION}.get(error.field or "", Step.CONFIRM)
        chat.step = back_to
        return [m.text(_("The report could not be sent yet: %(problem)s", problem=error.message))] + \
            _prompt(session, chat, ctx)
    _clear(chat)
    return [receipt_message(filed.case, chat, ctx)]


def receipt_message(case: Case, chat: LineChat, ctx) -> dict:
    kind = case_types.CASE_TYPES[case.case_type]
    body = "\n".join([
        _("Thank you. Your %(kind)s has been received.", kind=str(kind.short).lower() if chat.locale == "en"
          else kind.short),
        "",
        _("Tracking code: %(code)s", code=case.tracking_code),
        _("The office will answer by %(date)s.", date=format_date(case.resolve_due, chat.locale)),
        _("Follow the case: %(link)s", link=ctx.track_url(case.tracking_code)),
        "",
        _("You will hear about it here in LINE. Type the tracking code at any time to see where it stands."),
    ])
    return m.text(body, [m.postback(_("My cases"), {"a": "mycases"}), m.postback(_("Menu"), {"a": "menu"})])


# --- my cases, one case -----------------------------------------------------------------------------


def my_cases_message(session, chat: LineChat, ctx) -> dict:
    mine = cases.my_cases(session, chat.line_user_id)
    if not mine:
        return menu_message(chat, _("You have not filed a case from this LINE account yet."))
    lines = [_("Your cases, newest first:"), ""]
    for case in mine:
        lines.append(_("%(code)s · %(kind)s · %(status)s · answer by %(date)s", code=case.tracking_code,
                       kind=case_types.CASE_TYPES[case.case_type].short, status=cases.status_label(case),
                       date=format_date(case.resolve_due, chat.locale)))
    buttons = [m.postback(case.tracking_code, {"a": "show", "case": case.id}) for case in mine]
    return m.text("\n".join(lines), buttons[: m.MAX_QUICK_REPLIES - 1] + [m.postback(_("Menu"), {"a": "menu"})])


def case_message(case: Case, chat: LineChat, ctx) -> dict:
    """Where one of the person's own cases stands."""
    locale = chat.locale
    lines = [
        _("Case %(code)s: %(status)s", code=case.tracking_code, status=cases.status_label(case)),
        _("Filed on %(date)s; the office answers by %(due)s.", date=format_date(case.received_at, locale),
          due=format_date(case.resolve_due, locale)),
    ]
    latest = next((e for e in reversed(case.events) if e.public and actions.get(e.kind) is not None), None)
    if latest is not None and latest.kind != actions.FILED.kind:
        lines.append(_("Latest: %(what)s (%(date)s)", what=actions.citizen_label(latest.kind),
                       date=format_date(latest.created_at, locale)))
        if latest.note and latest.actor_kind != actions.Actor.CITIZEN and actions.get(latest.kind) in QUOTED:
            lines.append("“" + m.short(latest.note, 1000) + "”")
    if case.status == Status.AWAITING_CITIZEN:
        lines.append(_("The office is waiting for your information: send it here as a message or a photo."))
    lines.append(_("Follow the case: %(link)s", link=ctx.track_url(case.tracking_code)))
    return m.text("\n".join(lines), case_buttons(case, ctx.reopen_days, ctx.now) + [
        m.postback(_("My cases"), {"a": "mycases"})])


def case_buttons(case: Case, reopen_days: int, now: datetime) -> list[dict]:
    """Rating (1–5) and reopening, when the case allows them."""
    buttons = []
    if workflow.can_rate(case):
        buttons += [m.postback(f"{'★' * score}", {"a": "rate", "case": case.id, "s": score},
                               _("I rate the service %(n)d out of 5", n=score)) for score in RATING_SCORES]
    if workflow.can_request_reopen(case, reopen_days, now):
        buttons.append(m.postback(_("Reopen"), {"a": "reopen", "case": case.id}, _("Please reopen the case")))
    return buttons


# --- rating and reopening ---------------------------------------------------------------------------


def _on_rate(session, chat: LineChat, fields, ctx) -> list[dict]:
    case = cases.case_by_id(session, chat.line_user_id, fields.get("case"))
    try:
        score = int(fields.get("s", ""))
    except ValueError:
        score = 0
    if case is None or score not in RATING_SCORES:
        return _unknown(session, chat, ctx)
    if not workflow.can_rate(case):
        return [m.text(_("This case cannot be rated now (it may have been rated already)."),
                       [m.postback(_("My cases"), {"a": "mycases"})])]
    resolved = fields.get("r")
    if resolved is None:
        labels = {"yes": _("Resolved"), "partly": _("Partly"), "no": _("Not resolved")}
        return [m.text(_("Thank you. Was the matter of case %(code)s resolved?", code=case.tracking_code), [
            m.postback(labels[answer], {"a": "rate", "case": case.id, "s": score, "r": answer})
            for answer in workflow.RESOLVED_ANSWERS
        ])]
    if resolved not in workflow.RESOLVED_ANSWERS:
        return _unknown(session, chat, ctx)
    try:
        workflow.rate(session, case, score, resolved, now=ctx.now)
    except DomainError as error:
        return [m.text(str(error.message))]
    return [m.text(_("Thank you for rating our service."), [m.postback(_("Menu"), {"a": "menu"})])]


def _on_reopen_button(session, chat: LineChat, fields, ctx) -> list[dict]:
    case = cases.case_by_id(session, chat.line_user_id, fields.get("case"))
    if case is None:
        return _unknown(session, chat, ctx)
    if not workflow.can_request_reopen(case, ctx.reopen_days, ctx.now):
        return [m.text(_("This case can no longer be reopened online; please file a new case or contact the "
                         "office."), [m.postback(_("Menu"), {"a": "menu"})])]
    _start(chat, Step.REOPEN_REASON, case=case.id)
    return _prompt(session, chat, ctx)


def _reopen(session, chat: LineChat, reason: str, ctx) -> list[dict]:
    case = cases.case_by_id(session, chat.line_user_id, (chat.draft or {}).get("case"))
    _clear(chat)
    if case is None:
        return [menu_message(chat)]
    try:
        workflow.citizen_requests_reopen(session, case, reason[:5000], ctx.reopen_days, now=ctx.now)
    except DomainError as error:
        return [menu_message(chat, str(error.message))]
    return [m.text(_("Case %(code)s has been reopened; the division has been told.", code=case.tracking_code),
                   [m.postback(_("My cases"), {"a": "mycases"})])]


# --- information for a case the office is waiting on ------------------------------------------------


def _information(session, chat: LineChat, waiting: list[Case], ctx, *, text: str = "",
                 photo: Incoming | None = None) -> list[dict]:
    if len(waiting) == 1:
        files = [photo.photo] if photo is not None and photo.photo is not None else []
        return _add_information(session, chat, waiting[0], text, files, ctx)
    _start(chat, Step.WHICH_CASE, text=text[: ctx.max_description])
    if photo is not None:
        _keep_photo(chat, photo)
    return _prompt(session, chat, ctx)


def _which_case_prompt(session, chat: LineChat) -> dict:
    waiting = cases.awaiting_cases(session, chat.line_user_id)
    d = _draft_id(chat)
    buttons = [m.postback(case.tracking_code, {"a": "info", "case": case.id, "d": d}) for case in waiting]
    return m.text(_("The office is waiting for your information on several cases. Which case is this for? You "
                    "may send more text or photos before you choose."),
                  buttons[: m.MAX_QUICK_REPLIES - 1] + [_cancel_button(chat)])


def _add_pending_information(session, chat: LineChat, case: Case, ctx) -> list[dict]:
    draft = chat.draft or {}
    files = [CleanFile(p.filename, p.content_type, p.data) for p in chat.photos]
    text = draft.get("text", "")
    _clear(chat)
    return _add_information(session, chat, case, text, files, ctx)


def _add_information(session, chat, case: Case, text: str, files: list[CleanFile], ctx) -> list[dict]:
    try:
        add_citizen_information(session, case, text, files[: ctx.max_photos], now=ctx.now)
    except DomainError as error:
        return [menu_message(chat, str(error.message))]
    return [m.text(_("Thank you. Your information has been added to case %(code)s; the division has been told.",
                     code=case.tracking_code), [m.postback(_("My cases"), {"a": "mycases"}),
                                                m.postback(_("Menu"), {"a": "menu"})])]
