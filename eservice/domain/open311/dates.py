"""W3C datetimes (https://www.w3.org/TR/NOTE-datetime) as the spec asks: always with a time zone."""

import re
from datetime import UTC, date, datetime, time, timedelta, timezone

from ..thai import BANGKOK

# Complete date plus hours and minutes, optional seconds and fraction, and a zone (Z or ±hh:mm).
W3C_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6})\d*)?)?(Z|[+-]\d{2}:\d{2})$"
)


def w3c(moment: datetime | None) -> str | None:
    """``2025-01-05T09:32:00+07:00``: Bangkok time, whole seconds."""
    if moment is None:
        return None
    return moment.astimezone(BANGKOK).replace(microsecond=0).isoformat()


def end_of_day(day: date | None) -> str | None:
    """A working-day due date as the last second of that day in Bangkok."""
    if day is None:
        return None
    return w3c(datetime.combine(day, time(23, 59, 59), tzinfo=BANGKOK))


def parse_w3c(text: str) -> datetime | None:
    """An aware UTC datetime, or None when ``text`` is not a W3C datetime with a zone."""
    match = W3C_DATETIME.match(text.strip(" \t\n\r"))
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        if zone == "Z":
            tz = UTC
        else:
            sign = 1 if zone[0] == "+" else -1
            hours, minutes = int(zone[1:3]), int(zone[4:6])
            if hours > 23 or minutes > 59:
                return None
            tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                          int((fraction or "0").ljust(6, "0")), tzinfo=tz)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
