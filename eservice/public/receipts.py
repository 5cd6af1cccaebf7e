"""The receipt after a filing, web side: the key held in this browser's session for a while so that a
reload, the back button or a double tap shows the receipt again, and the receipt as a PNG file that
saves inside LINE's and Facebook's in-app browsers (which ignore "print").

The key lives only in the (signed, HttpOnly) session cookie of the browser that filed, never on the
server; it goes when the citizen says they kept it, or after ``RECEIPT_SHOWN_MINUTES``."""

import io
import os
import time
from functools import lru_cache

from flask import current_app, session
from flask_babel import gettext as _
from PIL import Image, ImageDraw, ImageFont

RECEIPTS_HELD = 3  # filings from one browser whose keys are held at once (the session is a cookie)


def hold(code: str, key: str) -> None:
    minutes = current_app.config["RECEIPT_SHOWN_MINUTES"]
    held = {c: v for c, v in _held().items() if c != code}
    held[code] = [key, int(time.time()) + 60 * minutes]
    session["receipts"] = dict(list(held.items())[-RECEIPTS_HELD:])


def _held() -> dict:
    now = time.time()
    return {c: v for c, v in (session.get("receipts") or {}).items() if isinstance(v, list) and v[1] > now}


def held_key(code: str) -> str | None:
    entry = _held().get(code)
    return entry[0] if entry else None


def held_codes() -> list[str]:
    return list(_held())


def release(code: str) -> None:
    held = _held()
    held.pop(code, None)
    session["receipts"] = held


# --- the receipt as a picture ------------------------------------------------------------------

FONT_DIR = os.path.join("vendor", "sarabun", "ttf")
WIDTH = 1080
MARGIN = 60
INK = (29, 39, 51)
MUTED = (79, 93, 107)
BRAND = (11, 92, 122)


@lru_cache(maxsize=8)
def _font(static_folder: str, bold: bool, size: int):
    name = "Sarabun_700Bold.ttf" if bold else "Sarabun_400Regular.ttf"
    # Raqm shapes Thai (stacked vowels and tone marks) when Pillow has it; basic layout otherwise.
    return ImageFont.truetype(os.path.join(static_folder, FONT_DIR, name), size, layout_engine=ImageFont.Layout.RAQM
                              if _has_raqm() else ImageFont.Layout.BASIC)


@lru_cache(maxsize=1)
def _has_raqm() -> bool:
    from PIL import features

    return bool(features.check("raqm"))


def _wrap(draw, text: str, font, width: int) -> list[str]:
    """Break at spaces (Thai separates phrases with them); a run wider than a whole line is broken between
    letter clusters (a base letter with its vowel and tone marks), never inside one."""
    import re

    def fits(candidate: str) -> bool:
        return draw.textlength(candidate.rstrip(), font=font) <= width

    lines: list[str] = []
    for paragraph in str(text).splitlines() or [""]:
        line = ""
        for word in re.findall(r"\S+\s*", paragraph):
            if fits(line + word):
                line += word
                continue
            if line:
                lines.append(line.rstrip())
            line = ""
            for cluster in re.findall(r".[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]*", word):
                if line and not fits(line + cluster):
                    lines.append(line.rstrip())
                    line = ""
                line += cluster
        lines.append(line.rstrip())
    return lines


def receipt_png(*, organisation: str, title: str, rows: list[tuple[str, str]], code_label: str, code: str,
                key_label: str, key: str, note: str) -> bytes:
    """A tall PNG with the organisation, the code and key large, the facts of the filing, and a note."""
    static = current_app.static_folder
    regular, bold = _font(static, False, 34), _font(static, True, 34)
    big, heading = _font(static, True, 60), _font(static, True, 44)
    small = _font(static, False, 28)
    scratch = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    inner = WIDTH - 2 * MARGIN
    blocks: list[tuple[str, object, tuple, int]] = []  # (text, font, colour, space after)
    for line in _wrap(scratch, organisation, bold, inner):
        blocks.append((line, bold, BRAND, 6))
    blocks.append((title, heading, INK, 30))
    for label, value in ((code_label, code), (key_label, key)):
        blocks.append((label, regular, MUTED, 4))
        blocks.append((value, big, INK, 26))
    for label, value in rows:
        blocks.append((label, small, MUTED, 2))
        for line in _wrap(scratch, value, regular, inner):
            blocks.append((line, regular, INK, 4))
        blocks[-1] = blocks[-1][:3] + (18,)
    for line in _wrap(scratch, note, small, inner):
        blocks.append((line, small, MUTED, 4))
    line_height = {id(f): int(f.size * 1.5) for f in (regular, bold, big, heading, small)}
    height = MARGIN * 2 + sum(line_height[id(font)] + after for _, font, _, after in blocks) + 20
    image = Image.new("RGB", (WIDTH, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 14), fill=BRAND)
    y = MARGIN
    for text, font, colour, after in blocks:
        draw.text((MARGIN, y), text, font=font, fill=colour)
        y += line_height[id(font)] + after
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def receipt_note() -> str:
    return _("Keep this picture. With the tracking code anyone can see the status of the case; with the code "
             "and the receipt key you can read the replies, add information and rate the service. Do not share "
             "the key.")
