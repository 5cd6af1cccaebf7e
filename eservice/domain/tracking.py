"""Tracking codes (``BPT-2568-00042``, ``BPT-2568-T0042``) and receipt keys.

Corruption and gift reports number from a series of their own, written with a letter before the number
(``T``), so that the general series has no gaps that betray them; their code alone shows nothing.
The code is public: it shows status and dates only. The receipt key is the secret that lets an
anonymous reporter follow up: 80 random bits, shown once, stored only as a SHA-256 hash. A key that
long cannot be guessed, so a fast hash is enough (a slow KDF is for short, human-chosen passwords).
"""

import hashlib
import hmac
import re
import secrets

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ..models import TrackingSequence
from .thai import ascii_digits

# Crockford's base32: no I, L, O or U, so a key read aloud or copied by hand is hard to get wrong.
KEY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
KEY_BITS = 80
KEY_CHARS = KEY_BITS // 5  # 16 characters, shown as four groups of four

GENERAL_SERIES = ""
INTEGRITY_SERIES = "T"  # corruption and gift reports (confidential case types)

CODE_PATTERN = re.compile(r"^([A-Z]{1,10})-(\d{4})-(\d{5,}|T\d{4,})$")


def series_for(confidential: bool) -> str:
    return INTEGRITY_SERIES if confidential else GENERAL_SERIES


def format_tracking_code(prefix: str, fiscal_year: int, number: int, series: str = GENERAL_SERIES) -> str:
    if series:
        return f"{prefix}-{fiscal_year}-{series}{number:04d}"
    return f"{prefix}-{fiscal_year}-{number:05d}"


def normalise_code(text: str) -> str:
    """As typed: any spacing, lower case, Thai or full-width digits."""
    return re.sub(r"\s+", "", ascii_digits(text or "")).upper()


def allocate_number(session: Session, fiscal_year: int, series: str = GENERAL_SERIES) -> int:
    """The next number of the fiscal year in ``series``, inside the caller's transaction.

    The row is created if missing (``ON CONFLICT DO NOTHING`` keeps two first filers of a year from
    colliding) and incremented with ``UPDATE … RETURNING``, which holds the row (PostgreSQL) or the
    database (SQLite) until the transaction ends. A rolled-back filing gives its number back.
    """
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(TrackingSequence)
        .values(fiscal_year=fiscal_year, series=series, last_number=0)
        .on_conflict_do_nothing(index_elements=["fiscal_year", "series"])
    )
    return session.execute(
        update(TrackingSequence)
        .where(TrackingSequence.fiscal_year == fiscal_year, TrackingSequence.series == series)
        .values(last_number=TrackingSequence.last_number + 1)
        .returning(TrackingSequence.last_number)
    ).scalar_one()


def current_number(session: Session, fiscal_year: int, series: str = GENERAL_SERIES) -> int:
    return session.scalar(
        select(TrackingSequence.last_number).where(TrackingSequence.fiscal_year == fiscal_year,
                                                   TrackingSequence.series == series)
    ) or 0


def new_receipt_key() -> str:
    raw = "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_CHARS))
    return "-".join(raw[i : i + 4] for i in range(0, KEY_CHARS, 4))


def receipt_key_for_token(secret: str, token: str) -> str:
    """The receipt key of the filing sent with the one-time form token ``token``.

    Derived (HMAC-SHA256 under the application's secret, 80 bits kept) rather than drawn at random, so
    that the browser that filed, and only it, since only it holds the token, gets the same key back when
    its form arrives twice (a double tap, a resent POST): the key is still stored nowhere, the token only
    as a hash."""
    digest = hmac.new(secret.encode(), b"receipt-key\0" + token.encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[: KEY_BITS // 8], "big")
    raw = "".join(KEY_ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(KEY_CHARS)))
    return "-".join(raw[i : i + 4] for i in range(0, KEY_CHARS, 4))


def normalise_key(text: str) -> str:
    """Accept the key as the citizen types it: any case, spaces or dashes, O for 0, I/L for 1."""
    cleaned = re.sub(r"[\s\-]", "", ascii_digits(text or "")).upper()
    return cleaned.translate(str.maketrans("OIL", "011"))


def hash_key(key: str) -> str:
    return hashlib.sha256(normalise_key(key).encode()).hexdigest()


def key_matches(key: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_key(key), stored_hash)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
