"""Rules for what administrators change: the organisation, divisions, categories, villages, channels,
the holiday calendar and staff accounts.

Each ``save_*`` checks everything first, raises :class:`DomainError` naming the field at fault, and
only then changes the row and writes the audit entry of the change (``by`` names who made it),
returning ``{field: [old, new]}``. Nothing here deletes a
row that cases point at: divisions, categories, villages and channels are deactivated, so old cases keep
their category and division and only new filings stop offering them.
"""

import csv
import io
import re
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Category, Channel, Division, Holiday, Organisation, User, Village
from . import accounts, audit, integrity_membership, policy, roles, sign_in, uploads
from .audit import By
from .case_types import CASE_TYPES
from .errors import DomainError
from .thai import BE_OFFSET, bangkok_today, is_valid_phone

INTEGRITY = roles.Role.INTEGRITY.value
CODE_RE = re.compile(r"[a-z][a-z0-9_]{1,39}")
USERNAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,79}")
PREFIX_RE = re.compile(r"[A-Z]{2,6}")
URL_RE = re.compile(r"https?://[^\s<>\"']+")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_ACK_DAYS = 30
MAX_RESOLVE_DAYS = 180
MAX_LOGO_BYTES = 1024 * 1024
LOGO_MAX_SIDE = 512  # pixels; the logo is shown small and printed at most a few centimetres wide


def apply(obj, values: dict) -> dict:
    """Set attributes that differ; return ``{name: [old, new]}``."""
    changes = {}
    for name, value in values.items():
        old = getattr(obj, name)
        if old != value:
            changes[name] = [old, value]
            setattr(obj, name, value)
    return changes


def _code(value: str, *, field: str = "code") -> str:
    code = (value or "").strip()
    if not CODE_RE.fullmatch(code):
        raise DomainError(
            _l("A code uses small English letters, digits and _ and starts with a letter (for example "
               "street_light), 2 to 40 characters."), field=field)
    return code


def _required(value: str, message, *, field: str, limit: int = 200) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(message, field=field)
    if len(text) > limit:
        raise DomainError(_l("Keep it under %(max)d characters.", max=limit), field=field)
    return text


def _optional(value: str, *, field: str, limit: int = 200) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise DomainError(_l("Keep it under %(max)d characters.", max=limit), field=field)
    return text


def _url(value: str, *, field: str) -> str:
    text = (value or "").strip()
    if text and not URL_RE.fullmatch(text):
        raise DomainError(_l("Give a full web address starting with https:// (or http://)."), field=field)
    return _optional(text, field=field, limit=300)


# --- organisation ---------------------------------------------------------------------------------


@dataclass
class OrganisationInput:
    name_th: str
    name_en: str = ""
    address_th: str = ""
    address_en: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    line_id: str = ""
    line_url: str = ""
    facebook_name: str = ""
    facebook_url: str = ""
    office_hours_th: str = ""
    office_hours_en: str = ""
    executive_title_th: str = ""
    executive_title_en: str = ""
    tracking_prefix: str = ""
    in_use_since: date | None = None


def save_organisation(session: Session, org: Organisation, data: OrganisationInput, *, by: By) -> dict:
    prefix = (data.tracking_prefix or "").strip().upper()
    if not PREFIX_RE.fullmatch(prefix):
        raise DomainError(_l("The tracking prefix is 2 to 6 capital English letters, for example BPT."),
                          field="tracking_prefix")
    phone = (data.phone or "").strip()
    if phone and not is_valid_phone(phone):
        raise DomainError(_l("Enter a Thai phone number: a landline of 9 digits (0 4400 0000) or a mobile of "
                             "10 digits."), field="phone")
    email = (data.email or "").strip()
    if email and not EMAIL_RE.fullmatch(email):
        raise DomainError(_l("Enter an email address like saraban@example.go.th."), field="email")
    line_id = (data.line_id or "").strip()
    if line_id and not re.fullmatch(r"@?[A-Za-z0-9._-]{2,40}", line_id):
        raise DomainError(_l("A LINE ID is letters, digits, . _ or -, often starting with @."), field="line_id")
    values: dict[str, object] = {
        "name_th": _required(data.name_th, _l("Give the organisation's name in Thai."), field="name_th"),
        "name_en": _optional(data.name_en, field="name_en"),
        "address_th": _optional(data.address_th, field="address_th", limit=500),
        "address_en": _optional(data.address_en, field="address_en", limit=500),
        "phone": phone,
        "email": email,
        "website": _url(data.website, field="website"),
        "line_id": line_id,
        "line_url": _url(data.line_url, field="line_url"),
        "facebook_name": _optional(data.facebook_name, field="facebook_name"),
        "facebook_url": _url(data.facebook_url, field="facebook_url"),
        "office_hours_th": _optional(data.office_hours_th, field="office_hours_th"),
        "office_hours_en": _optional(data.office_hours_en, field="office_hours_en"),
        "executive_title_th": _optional(data.executive_title_th, field="executive_title_th"),
        "executive_title_en": _optional(data.executive_title_en, field="executive_title_en"),
        "tracking_prefix": prefix,
    }
    if data.in_use_since is not None:
        # Statistics before this day say "no data": a date in the future or before computers would hide
        # real figures or invent a period of zeros.
        if data.in_use_since.year < 2000 or data.in_use_since > bangkok_today():
            raise DomainError(_l("The e-Service's first day of use is a day between 2000 and today."),
                              field="in_use_since")
        values["in_use_since"] = data.in_use_since
    return _audited(session, by, "admin.organisation.update", "organisation", org, apply(org, values))


def _audited(session: Session, by: By, action: str, target_type: str, row, changes: dict) -> dict:
    """Write the audit entry of ``changes`` to ``row`` (none when nothing changed)."""
    if changes:
        session.flush()
        audit.change(session, by, action, target_type=target_type, target_id=row.id, details=changes)
    return changes


def save_published_texts(session: Session, org: Organisation, *, service_standard_th: str, service_standard_en: str,
                         pdpa_notice_th: str, pdpa_notice_en: str, by: By) -> dict:
    """The service standard and PDPA notice; blank means the built-in text is shown."""
    values = {
        "service_standard_th": _optional(service_standard_th, field="service_standard_th", limit=10_000),
        "service_standard_en": _optional(service_standard_en, field="service_standard_en", limit=10_000),
        "pdpa_notice_th": _optional(pdpa_notice_th, field="pdpa_notice_th", limit=10_000),
        "pdpa_notice_en": _optional(pdpa_notice_en, field="pdpa_notice_en", limit=10_000),
    }
    if values["service_standard_en"] and not values["service_standard_th"]:
        raise DomainError(_l("Write the Thai text too: Thai is what most people read."), field="service_standard_th")
    if values["pdpa_notice_en"] and not values["pdpa_notice_th"]:
        raise DomainError(_l("Write the Thai text too: Thai is what most people read."), field="pdpa_notice_th")
    return _audited(session, by, "admin.organisation.texts", "organisation", org, apply(org, values))


def clean_logo(data: bytes) -> tuple[bytes, str]:
    """A PNG or JPEG of at most 1 MB, re-encoded as PNG at most 512 px wide (no metadata, no script)."""
    if not data:
        raise DomainError(_l("Choose an image file."), field="logo")
    if len(data) > MAX_LOGO_BYTES:
        raise DomainError(_l("The logo is %(size)d KB; the limit is %(max)d KB.", size=len(data) // 1024,
                             max=MAX_LOGO_BYTES // 1024), field="logo")
    too_many_pixels = DomainError(_l("The logo has too many pixels; use an image of at most a few thousand pixels "
                                     "a side."), field="logo")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            try:
                image = Image.open(io.BytesIO(data))
            except (Image.DecompressionBombWarning, Image.DecompressionBombError):
                raise too_many_pixels from None
        with image:
            if image.format not in ("PNG", "JPEG"):
                raise DomainError(_l("The logo must be a PNG or JPEG image."), field="logo")
            # Measured from the header before decoding, as every upload (eservice.domain.uploads).
            if image.width * image.height > uploads.pixel_limit(uploads.DEFAULT_MAX_PIXELS, image.format, image.mode):
                raise too_many_pixels
            image.draft("RGB", (LOGO_MAX_SIDE, LOGO_MAX_SIDE))  # a JPEG is decoded reduced; others ignore it
            image.load()
            image = image.convert("RGBA")
            image.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DomainError(_l("This file is not an image we can read; use a PNG or JPEG."), field="logo") from None
    return out.getvalue(), "image/png"


def set_logo(session: Session, org: Organisation, data: bytes, *, by: By) -> None:
    image, content_type = clean_logo(data)
    org.logo, org.logo_content_type = image, content_type
    audit.change(session, by, "admin.organisation.logo", target_type="organisation", target_id=org.id,
                 details={"bytes": len(image), "uploaded_bytes": len(data)})


def remove_logo(session: Session, org: Organisation, *, by: By) -> bool:
    if not org.logo_content_type:
        return False
    org.logo, org.logo_content_type = None, ""
    audit.change(session, by, "admin.organisation.logo_remove", target_type="organisation", target_id=org.id)
    return True


# --- divisions ------------------------------------------------------------------------------------


@dataclass
class DivisionInput:
    code: str
    name_th: str
    name_en: str = ""
    parent_id: int | None = None
    is_integrity_unit: bool = False
    receives_objections: bool = False
    sort_order: int = 0
    active: bool = True


def save_division(session: Session, division: Division | None, data: DivisionInput, *,
                  by: By) -> tuple[Division, dict]:
    new = division is None
    if new:
        code = _code(data.code)
        if session.scalar(select(Division).where(Division.code == code)):
            raise DomainError(_l("A division with the code %(code)s exists already.", code=code), field="code")
    name_th = _required(data.name_th, _l("Give the division's name in Thai."), field="name_th")
    name_en = _optional(data.name_en, field="name_en")
    parent = session.get(Division, data.parent_id) if data.parent_id else None
    if data.parent_id and parent is None:
        raise DomainError(_l("Choose a parent division from the list."), field="parent_id")
    if parent is not None and not new:
        ancestor = parent
        while ancestor is not None:
            if ancestor.id == division.id:
                raise DomainError(_l("A division cannot sit under itself or under one of its own sub-divisions."),
                                  field="parent_id")
            ancestor = ancestor.parent
    others = select(Division).where(Division.active.is_(True))
    if not new:
        others = others.where(Division.id != division.id)
    if data.is_integrity_unit and data.active:
        other = session.scalar(others.where(Division.is_integrity_unit.is_(True)).limit(1))
        if other is not None:
            raise DomainError(_l("%(name)s is the integrity unit already; there can be only one, since every "
                                 "corruption and gift report goes to it.", name=other.name_th),
                              field="is_integrity_unit")
    if not new and division.is_integrity_unit and division.active and (not data.is_integrity_unit or not data.active):
        raise DomainError(_l("This is the integrity unit: corruption and gift reports would have nowhere to go. "
                             "It stays the integrity unit and active."), field="is_integrity_unit")
    if data.receives_objections and data.active:
        other = session.scalar(others.where(Division.receives_objections.is_(True)).limit(1))
        if other is not None:
            raise DomainError(_l("%(name)s receives objections already; only one division can.", name=other.name_th),
                              field="receives_objections")
    if not new and division.active and not data.active:
        count = session.scalar(select(func.count()).select_from(Category).where(
            Category.division_id == division.id, Category.active.is_(True)))
        if count:
            raise DomainError(_l("%(n)d active categories are handled by this division. Move them to another "
                                 "division or deactivate them first.", n=count), field="active")
    if new:
        division = Division(code=code)
        session.add(division)
    changes = apply(division, {
        "name_th": name_th, "name_en": name_en, "parent_id": parent.id if parent else None,
        "is_integrity_unit": bool(data.is_integrity_unit), "receives_objections": bool(data.receives_objections),
        "sort_order": int(data.sort_order or 0), "active": bool(data.active),
    })
    if new:
        changes["code"] = [None, division.code]
    session.flush()
    return division, _audited(session, by, "admin.division." + ("create" if new else "update"), "division",
                              division, changes)


# --- categories -----------------------------------------------------------------------------------


@dataclass
class CategoryInput:
    code: str
    division_id: int | None
    name_th: str
    name_en: str = ""
    case_types: list[str] = field(default_factory=list)
    ack_days: int | None = 1
    resolve_days: int | None = 15
    sort_order: int = 0
    active: bool = True


def save_category(session: Session, category: Category | None, data: CategoryInput, *,
                  by: By) -> tuple[Category, dict]:
    new = category is None
    if new:
        code = _code(data.code)
        if session.scalar(select(Category).where(Category.code == code)):
            raise DomainError(_l("A category with the code %(code)s exists already.", code=code), field="code")
    if not data.division_id:
        raise DomainError(_l("Choose the division that handles this category: a category without a division "
                             "cannot be routed."), field="division_id")
    division = session.get(Division, data.division_id)
    if division is None:
        raise DomainError(_l("Choose a division from the list."), field="division_id")
    if not division.active and data.active and (new or division.id != category.division_id or not category.active):
        raise DomainError(_l("%(name)s is not active; choose an active division.", name=division.name_th),
                          field="division_id")
    name_th = _required(data.name_th, _l("Give the category's name in Thai."), field="name_th")
    name_en = _optional(data.name_en, field="name_en")
    types = [t for t in CASE_TYPES if t in set(data.case_types or [])]
    unknown = set(data.case_types or []) - set(CASE_TYPES)
    if unknown or not types:
        raise DomainError(_l("Tick at least one case type this category is offered for."), field="case_types")
    if data.ack_days is None or not 1 <= data.ack_days <= MAX_ACK_DAYS:
        raise DomainError(_l("Acknowledge within 1 to %(max)d working days.", max=MAX_ACK_DAYS), field="ack_days")
    if data.resolve_days is None or not 1 <= data.resolve_days <= MAX_RESOLVE_DAYS:
        raise DomainError(_l("Answer within 1 to %(max)d working days.", max=MAX_RESOLVE_DAYS), field="resolve_days")
    if data.resolve_days < data.ack_days:
        raise DomainError(_l("The time to answer cannot be shorter than the time to acknowledge (%(n)d working "
                             "days).", n=data.ack_days), field="resolve_days")
    if not new:
        offered_before = set(category.case_types.split()) if category.active else set()
        offered_after = set(types) if data.active else set()
        for lost in offered_before - offered_after:
            others = session.scalars(select(Category).where(Category.active.is_(True), Category.id != category.id))
            if not any(c.offered_for(lost) for c in others):
                raise DomainError(
                    _l("This is the only active category offered for “%(type)s”; the form would have nothing "
                       "to choose. Add or activate another one first.", type=CASE_TYPES[lost].label),
                    field="active" if not data.active else "case_types")
    if new:
        category = Category(code=code, division=division)
        session.add(category)
    changes = apply(category, {
        "division_id": division.id, "name_th": name_th, "name_en": name_en, "case_types": " ".join(types),
        "ack_days": int(data.ack_days), "resolve_days": int(data.resolve_days),
        "sort_order": int(data.sort_order or 0), "active": bool(data.active),
    })
    if new:
        changes["code"] = [None, category.code]
    session.flush()
    return category, _audited(session, by, "admin.category." + ("create" if new else "update"), "category",
                              category, changes)


# --- villages and channels ------------------------------------------------------------------------


def save_village(session: Session, village: Village | None, *, number: int | None, name_th: str, name_en: str,
                 active: bool, by: By) -> tuple[Village, dict]:
    if number is None or not 1 <= number <= 99:
        raise DomainError(_l("A village number (หมู่ที่) is between 1 and 99."), field="number")
    clash = select(Village).where(Village.number == number)
    if village is not None:
        clash = clash.where(Village.id != village.id)
    if session.scalar(clash):
        raise DomainError(_l("Village %(n)d exists already.", n=number), field="number")
    new = village is None
    if new:
        village = Village(number=number)
        session.add(village)
    changes = apply(village, {"number": number, "name_th": _optional(name_th, field="name_th"),
                              "name_en": _optional(name_en, field="name_en"), "active": bool(active)})
    session.flush()
    return village, _audited(session, by, "admin.village." + ("create" if new else "update"), "village", village,
                             changes)


def save_channel(session: Session, channel: Channel | None, *, code: str, name_th: str, name_en: str,
                 sort_order: int, active: bool, by: By) -> tuple[Channel, dict]:
    new = channel is None
    if new:
        code = _code(code)
        if session.scalar(select(Channel).where(Channel.code == code)):
            raise DomainError(_l("A channel with the code %(code)s exists already.", code=code), field="code")
    elif channel.code == "web" and not active:
        raise DomainError(_l("The web channel is this e-Service itself; it cannot be deactivated."), field="active")
    name_th = _required(name_th, _l("Give the channel's name in Thai."), field="name_th")
    if new:
        channel = Channel(code=code)
        session.add(channel)
    changes = apply(channel, {"name_th": name_th, "name_en": _optional(name_en, field="name_en"),
                              "sort_order": int(sort_order or 0), "active": bool(active)})
    if new:
        changes["code"] = [None, channel.code]
    session.flush()
    return channel, _audited(session, by, "admin.channel." + ("create" if new else "update"), "channel", channel,
                             changes)


# --- holidays -------------------------------------------------------------------------------------


def parse_holiday_date(text: str) -> date:
    """``2025-04-13`` or ``13/4/2568`` (day/month/year, B.E. or C.E.); Thai digits welcome."""
    from .measures import to_arabic_digits

    value = to_arabic_digits((text or "").strip())
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", value)
        if not match:
            raise DomainError(_l("Write the date as 2025-04-13 or 13/4/2568."), field="day")
        day, month, year = (int(g) for g in match.groups())
    if year > 2400:
        year -= BE_OFFSET  # a Buddhist-era year
    if not 1900 <= year <= 2200:
        raise DomainError(_l("There is no such date: %(text)s.", text=text.strip()[:20]), field="day")
    try:
        return date(year, month, day)
    except ValueError:
        raise DomainError(_l("There is no such date: %(text)s.", text=text.strip()), field="day") from None


def add_holiday(session: Session, day: date, name: str, *, by: By, name_en: str = "",
                now: datetime | None = None) -> tuple[Holiday, int]:
    """An administrator's day off (see eservice.domain.days_off): open cases it falls inside are moved.
    Returns the day and how many cases moved."""
    from . import days_off

    name = _required(name, _l("Name the holiday."), field="name")
    name_en = (name_en or "").strip()
    if len(name) > 200 or len(name_en) > 200:
        raise DomainError(_l("Keep it under %(max)d characters.", max=200), field="name")
    holiday, moved = days_off.add_day(session, day, name, name_en=name_en, by=by, now=now)
    return holiday, len(moved)


def remove_holiday(session: Session, holiday: Holiday, *, by: By, now: datetime | None = None) -> int:
    """Take a day out of the days off; it stays out through every sync (see eservice.domain.days_off).
    Returns how many open cases moved."""
    from . import days_off

    return len(days_off.remove_day(session, holiday, by=by, now=now))


def restore_holiday(session: Session, holiday: Holiday, *, by: By, now: datetime | None = None) -> int:
    """Undo a removal: the package's day is a day off again. Returns how many open cases moved."""
    from . import days_off

    return len(days_off.restore_day(session, holiday, by=by, now=now))


def sync_holidays(session: Session, year: int, *, by: By, now: datetime | None = None):
    """Load the official days off of ``year`` from the holidays package now (administrators' page)."""
    from . import days_off

    if not days_off.FIRST_YEAR <= year <= days_off.LAST_YEAR:
        raise DomainError(_l("Choose a year from %(first)d to %(last)d.", first=days_off.FIRST_YEAR + BE_OFFSET,
                             last=days_off.LAST_YEAR + BE_OFFSET), field="year")
    return days_off.sync(session, [year], by=by, now=now)


def import_holidays(session: Session, text: str, *, by: By, now: datetime | None = None) -> "HolidayImport":
    """Add every new day of a CSV, or none when any line is wrong (the result then lists the errors)."""
    from . import days_off

    result = read_holiday_csv(session, text)
    if result.errors:
        return result
    moved = days_off.add_days(session, result.to_add, now=now)
    result.moved = len(moved)
    details: dict = {"added": [[d, n] for d, n in result.to_add], "already_there": result.already}
    if moved:
        details["cases_moved"] = [m.code for m in moved]
    audit.change(session, by, "admin.holiday.import", target_type="holiday", details=details)
    return result


@dataclass
class HolidayImport:
    to_add: list[tuple[date, str]] = field(default_factory=list)
    already: list[date] = field(default_factory=list)
    errors: list[tuple[int, object]] = field(default_factory=list)  # (line number, message)
    moved: int = 0  # open cases whose due dates moved


MAX_IMPORT_LINES = 1000


def read_holiday_csv(session: Session, text: str) -> HolidayImport:
    """Lines ``date,name`` (a header line is allowed). Every line is checked before anything is added;
    a date already in the calendar is skipped, a date twice in the file is an error."""
    result = HolidayImport()
    from .clock import days_off_clause

    known = set(session.scalars(select(Holiday.day).where(days_off_clause())))
    seen: dict[date, int] = {}
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        rows = list(reader)
    except csv.Error:
        # A field over the csv module's limit (128 KiB), or a quote never closed before the end.
        result.errors.append((reader.line_num, _l("This line cannot be read: a field is far too long, or a quote "
                                                  "mark is not closed. Write each line as 2025-04-13,วันสงกรานต์")))
        return result
    if len(rows) > MAX_IMPORT_LINES:
        result.errors.append((MAX_IMPORT_LINES + 1, _l("At most %(n)d lines at once.", n=MAX_IMPORT_LINES)))
        return result
    for number, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower() in ("date", "day", "วันที่", "วัน"):
            continue  # a header
        if len(cells) < 2 or not cells[1]:
            result.errors.append((number, _l("Give a date and a name separated by a comma: 2025-04-13,วันสงกรานต์")))
            continue
        try:
            day = parse_holiday_date(cells[0])
        except DomainError as error:
            result.errors.append((number, error.message))
            continue
        name = ",".join(row[1:]).strip()
        if len(name) > 200:
            result.errors.append((number, _l("Keep the name under %(max)d characters.", max=200)))
            continue
        if day in seen:
            result.errors.append((number, _l("%(day)s is also on line %(line)d.", day=day.isoformat(),
                                             line=seen[day])))
            continue
        seen[day] = number
        if day in known:
            result.already.append(day)
        else:
            result.to_add.append((day, name))
    if not result.to_add and not result.already and not result.errors:
        result.errors.append((1, _l("The file has no dates.")))
    return result


# --- users ----------------------------------------------------------------------------------------


@dataclass
class UserInput:
    username: str = ""
    display_name: str = ""
    email: str = ""
    roles: list[str] = field(default_factory=list)
    division_ids: list[int] = field(default_factory=list)
    active: bool = True
    locale: str = "th"
    password: str = ""


def _divisions(session: Session, ids: list[int]) -> list[Division]:
    found = [session.get(Division, i) for i in ids]
    if any(d is None for d in found):
        raise DomainError(_l("Choose divisions from the list."), field="division_ids")
    return found


def _check_roles(given: list[str], divisions: list[Division]) -> list[str]:
    unknown = roles.unknown(given)
    if unknown:
        raise DomainError(_l("Unknown role: %(role)s.", role=", ".join(sorted(unknown))), field="roles")
    if not given:
        raise DomainError(_l("Give the user at least one role."), field="roles")
    if roles.parse(given) & set(roles.DIVISION_ROLES) and not divisions:
        raise DomainError(_l("Officers and heads work on their divisions' cases: choose at least one division."),
                          field="division_ids")
    return sorted(set(given))


def create_staff_user(session: Session, data: UserInput, *, by: By) -> User:
    username = (data.username or "").strip()
    if not USERNAME_RE.fullmatch(username):
        raise DomainError(_l("A user name is 2 to 80 English letters, digits, dots, dashes or underscores."),
                          field="username")
    if session.scalar(select(User).where(func.lower(User.username) == username.lower())):
        raise DomainError(_l("The user name %(name)s is taken.", name=username), field="username")
    divisions = _divisions(session, data.division_ids)
    roles = _check_roles(data.roles, divisions)
    # The integrity role is never given here: a member of the unit confirms it first (integrity_membership).
    wants_integrity = INTEGRITY in roles
    roles = [r for r in roles if r != INTEGRITY]
    email = (data.email or "").strip()
    if email and not EMAIL_RE.fullmatch(email):
        raise DomainError(_l("Enter an email address like name@example.go.th."), field="email")
    problem = accounts.password_problem(data.password or "")
    if problem:
        raise DomainError(_l("Use at least %(n)d characters.", n=accounts.MIN_PASSWORD_LENGTH), field="password")
    user = accounts.create_user(session, username, data.password, roles=roles, divisions=divisions,
                                display_name=_optional(data.display_name, field="display_name") or username,
                                email=email)
    user.locale = data.locale if data.locale in ("th", "en") else "th"
    session.flush()
    audit.change(session, by, "admin.user.create", target_type="user", target_id=user.id, details={
        "username": user.username, "roles": user.roles, "divisions": sorted(d.code for d in user.divisions),
        "active": user.active})
    if wants_integrity:
        integrity_membership.request_change(session, user, grant=True, by=by)
    return user


def update_staff_user(session: Session, user: User, data: UserInput, *, by: By) -> dict:
    """Save an account. Roles added to one's own account are refused; a change to the integrity role is not
    made here but asked for (``changes["integrity_request"]``), for a member of the unit to decide."""
    divisions = _divisions(session, data.division_ids)
    new_roles = _check_roles(data.roles, divisions)
    held = set(roles.names_of(user))
    wants_integrity = INTEGRITY in new_roles
    new_roles = sorted((set(new_roles) - {INTEGRITY}) | (held & {INTEGRITY}))
    if by.user is not None and user.id == by.user.id:
        if policy.can_administer(user) and roles.Role.ADMIN not in roles.parse(new_roles):
            raise DomainError(_l("You cannot remove your own administrator role; ask another administrator."),
                              field="roles")
        if not data.active:
            raise DomainError(_l("You cannot deactivate your own account."), field="active")
    if by.user is not None and set(new_roles) - held and not policy.can_grant_roles_to(by.user, user):
        raise DomainError(_l("You cannot give yourself a role; ask another administrator."), field="roles")
    if wants_integrity != (INTEGRITY in held) and (
            by.user is None or not policy.can_request_integrity_change(by.user, user)):
        raise DomainError(_l("You cannot change your own membership of the integrity unit; ask another "
                             "administrator."), field="roles")
    email = (data.email or "").strip()
    if email and not EMAIL_RE.fullmatch(email):
        raise DomainError(_l("Enter an email address like name@example.go.th."), field="email")
    old_divisions = sorted(d.code for d in user.divisions)
    changes = apply(user, {
        "display_name": _optional(data.display_name, field="display_name") or user.username,
        "email": email,
        "roles": " ".join(new_roles),
        "active": bool(data.active),
        "locale": data.locale if data.locale in ("th", "en") else "th",
    })
    new_divisions = sorted(d.code for d in divisions)
    if new_divisions != old_divisions:
        user.divisions = divisions
        changes["divisions"] = [old_divisions, new_divisions]
    session.flush()
    changes = _audited(session, by, "admin.user.update", "user", user, changes)
    if "active" in changes and INTEGRITY in held:
        # A member's account switched off or on again changes who can read sealed reports: the unit is told.
        integrity_membership.tell_the_unit(session, "reactivated" if user.active else "deactivated", user,
                                           by=by.user)
    if wants_integrity != (INTEGRITY in held):
        integrity_membership.request_change(session, user, grant=wants_integrity, by=by)
        changes["integrity_request"] = "grant" if wants_integrity else "remove"
    return changes


def reset_password(session: Session, user: User, password: str, *, by: By) -> None:
    if by.user is not None and not policy.can_reset_password_of(by.user, user):
        raise DomainError(_l("Only an administrator who belongs to the integrity unit may set a new password "
                             "for one of its members."), field="password")
    if accounts.password_problem(password or ""):
        raise DomainError(_l("Use at least %(n)d characters.", n=accounts.MIN_PASSWORD_LENGTH), field="password")
    accounts.set_password(user, password)
    # Whoever knew the old password is signed out everywhere, and the name no longer waits.
    sign_in.end_sessions(user)
    sign_in.clear_slowdowns(session, user)
    audit.change(session, by, "admin.user.password", target_type="user", target_id=user.id,
                 details={"username": user.username})
