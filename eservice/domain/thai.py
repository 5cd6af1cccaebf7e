"""Thai conventions: Buddhist-era dates, Thai digits, national ID and phone numbers."""

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BANGKOK = ZoneInfo("Asia/Bangkok")
BE_OFFSET = 543

THAI_MONTHS_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
THAI_MONTHS_LONG = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
EN_MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def thai_digits(text: object) -> str:
    """'2568' -> '๒๕๖๘'."""
    return str(text).translate(_THAI_DIGITS)


def to_bangkok(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: times are stored as aware UTC")
    return moment.astimezone(BANGKOK)


def bangkok_today(now: datetime | None = None) -> date:
    return to_bangkok(now or datetime.now(UTC)).date()


def format_date(value: date | datetime, locale: str = "th", *, digits: str = "arabic") -> str:
    """``5 ม.ค. 2568`` in Thai (Buddhist era), ``5 Jan 2025`` in English."""
    if isinstance(value, datetime):
        value = to_bangkok(value).date()
    if locale == "th":
        text = f"{value.day} {THAI_MONTHS_SHORT[value.month - 1]} {value.year + BE_OFFSET}"
        return thai_digits(text) if digits == "thai" else text
    return f"{value.day} {EN_MONTHS_SHORT[value.month - 1]} {value.year}"


def format_time(value: datetime, locale: str = "th", *, digits: str = "arabic") -> str:
    """``09.32 น.`` (the Thai official style: a full stop, then น.) / ``09:32``, in Bangkok time."""
    local = to_bangkok(value)
    if locale == "th":
        text = f"{local:%H.%M} น."
        return thai_digits(text) if digits == "thai" else text
    return f"{local:%H:%M}"


def format_datetime(value: datetime, locale: str = "th", *, digits: str = "arabic") -> str:
    """``5 ม.ค. 2568 14.05 น.`` / ``5 Jan 2025 14:05``, always in Bangkok time."""
    local = to_bangkok(value)
    text = f"{format_date(local.date(), locale)} {format_time(local, locale)}"
    return thai_digits(text) if digits == "thai" and locale == "th" else text


def ascii_digits(text: str) -> str:
    """Digits typed in Thai (๐–๙), full width (０–９) or any other script, read as ASCII digits; full-width
    letters and signs as their ASCII forms (NFKC). "๐๘๑-๒๓๔-๕๖๗๘" -> "081-234-5678"."""
    import unicodedata

    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text)
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text)


def is_valid_national_id(value: str) -> bool:
    """13 digits whose last is (11 − Σ d[i]·(13−i) mod 11) mod 10 over the first 12."""
    if not re.fullmatch(r"\d{13}", value):
        return False
    total = sum(int(value[i]) * (13 - i) for i in range(12))
    return (11 - total % 11) % 10 == int(value[12])


def normalise_phone(value: str) -> str:
    """Thai or full-width digits as ASCII; strip spaces, dashes and dots; ``+66`` becomes ``0``."""
    digits = re.sub(r"[\s\-.()]", "", ascii_digits(value))
    if digits.startswith("+66"):
        digits = "0" + digits[3:]
    return digits


# The one rule for a phone number, also published in the Open311 API's OpenAPI document.
PHONE_PATTERN = r"0[689][0-9]{8}|0[2-57][0-9]{7}"


def is_valid_phone(value: str) -> bool:
    """Mobiles: 10 digits starting 06, 08 or 09. Landlines: 9 digits starting 02 to 05 or 07 (06 numbers
    are mobiles, so a 9-digit 06… is a mobile with a digit missing)."""
    return bool(re.fullmatch(PHONE_PATTERN, normalise_phone(value)))
