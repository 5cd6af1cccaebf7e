"""Attachments: photos and PDFs, recognised from their content, never from their name.

Photos are re-encoded without their metadata: a phone photo's EXIF block carries the GPS position
and the camera's serial number, which would identify an anonymous reporter; the JPEG comment segment,
XMP and the PNG text chunks can carry a name too. Only the ICC colour profile is kept (it describes the
screen's colours, not a person), and the EXIF orientation is applied to the pixels before it goes.

A photo is measured before it is decoded: a PNG of a few hundred KB can hold 12000×14000 pixels, which
take gigabytes to decode. Pillow reads only the header in ``Image.open``; the pixel count is checked there
(a WebP's even before, since Pillow's WebP reader allocates its canvas on opening), and Pillow's own
decompression-bomb warning is a refusal too. The limit is MAX_IMAGE_PIXELS (40 Mpx) for a JPEG, which is
decoded already reduced above 16 Mpx (``Image.draft``); a PNG or WebP cannot be decoded reduced, so it must
also fit a decoding budget (:data:`DECODE_BUDGET_BYTES`): 20 Mpx in colour, 40 Mpx for grey or palette PNGs,
6.6 Mpx for WebP. The citizen is told the limit that applies to their file.

PDFs are rewritten by pikepdf (qpdf) without their document information (Author, Creator, Producer, Title,
Subject, Keywords: Word fills them with the writer's real name) and without XMP metadata streams; the rewrite
also drops earlier revisions kept by incremental saves. A PDF that carries JavaScript (a document script,
an OpenAction or an additional action) or is encrypted is refused, with the reason.
"""

import hashlib
import io
import os
import re
import unicodedata
import warnings
from dataclasses import dataclass

import filetype
import pikepdf
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import DomainError

ALLOWED_TYPES = {
    "image/jpeg": ("JPEG", ".jpg"),
    "image/png": ("PNG", ".png"),
    "image/webp": ("WEBP", ".webp"),
    "application/pdf": (None, ".pdf"),
}
ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/webp,application/pdf,.jpg,.jpeg,.png,.webp,.pdf"

# The largest photo accepted, in pixels (width × height): a 40-megapixel phone photo passes; the
# configuration key MAX_IMAGE_PIXELS changes it.
DEFAULT_MAX_PIXELS = 40_000_000
# A JPEG larger than this is decoded reduced (1/2, 1/4 or 1/8: the decoder skips the detail) and kept at that
# size. 16 Mpx is more than a phone camera's normal setting (12 Mpx), so ordinary photos keep every pixel.
KEPT_PIXELS = 16_000_000
# The most memory a photo may take once decoded, where it cannot be decoded reduced (PNG, WebP). Turning or
# converting it makes a second copy; with the worker's own ~110 MB a worker stays under 300 MB
# (bench/upload_worst_case.py). At 4 bytes a pixel (RGB, RGBA) that is 20 Mpx; a palette or grey PNG
# (1 byte a pixel) reaches MAX_IMAGE_PIXELS.
DECODE_BUDGET_BYTES = 80_000_000

# Keys of a PDF dictionary that run or announce a script: the document's JavaScript name tree, a JavaScript
# action's code, additional actions (on open, close, print, page view, field change ...) and XFA forms, whose
# XML carries scripts of its own.
_PDF_SCRIPT_KEYS = frozenset({"/JavaScript", "/JS", "/AA", "/XFA"})
# Keys that carry metadata about the document or its parts (XMP streams, application private data).
_PDF_METADATA_KEYS = ("/Metadata", "/PieceInfo")


@dataclass(frozen=True)
class CleanFile:
    filename: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def safe_filename(name: str, extension: str) -> str:
    """Keep a readable (Thai is fine) base name, drop paths and control characters, fix the extension."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = unicodedata.normalize("NFC", base)
    base = re.sub(r"[\x00-\x1f\x7f<>:\"/\\|?*]", "", base)
    stem = os.path.splitext(base)[0].strip(" .")[:100] or "file"
    return stem + extension


class _TooManyPixels(Exception):
    def __init__(self, limit: int):
        super().__init__(limit)
        self.limit = limit


def _too_many_pixels(shown: str, limit: int) -> DomainError:
    return DomainError(
        _l("%(name)s has too many pixels: photos of this kind are accepted up to %(limit)s million pixels. "
           "Send a smaller photo (a phone camera's normal setting, or a screenshot).",
           name=shown, limit=_millions(limit)),
        field="media",
    )


def _millions(pixels: int) -> str:
    """Millions with at most one decimal, rounded down (never more than the limit): 40, 6.6, 0.1."""
    return f"{pixels // 100_000 / 10:g}"


def _bytes_per_pixel(mode: str) -> int:
    """What Pillow holds in memory per pixel (RGB is padded to four bytes)."""
    if mode in ("1", "L", "P"):
        return 1
    if mode.startswith("I;16"):
        return 2
    return 4


def _webp_size(data: bytes) -> tuple[int, int] | None:
    """A WebP's canvas from its header. Pillow's WebP reader allocates the whole canvas when it opens the
    file, before anyone can look at the size, so the size is read here first."""
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        return (int.from_bytes(data[26:28], "little") & 0x3FFF, int.from_bytes(data[28:30], "little") & 0x3FFF)
    if chunk == b"VP8X" and len(data) >= 30:
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def pixel_limit(max_pixels: int, pil_format: str, mode: str) -> int:
    """The most pixels a photo of this format and mode may have: the configured limit, Pillow's own bomb limit,
    and what fits the decoding budget when the format cannot be decoded reduced (a JPEG can)."""
    limit = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)
    if pil_format != "JPEG":
        # WebP: the decoder's canvas and Pillow's image are both in memory while it is read, and its encoder
        # needs as much again.
        copies = 3 if pil_format == "WEBP" else 1
        limit = min(limit, DECODE_BUDGET_BYTES // (_bytes_per_pixel(mode) * copies))
    return limit


def _strip_image_metadata(data: bytes, pil_format: str, max_pixels: int) -> bytes:
    """The photo re-encoded with only its pixels (upright) and its colour profile.

    Raises :class:`_TooManyPixels` before decoding anything when the header announces more pixels than
    :func:`pixel_limit` allows (Pillow's bomb warning is a refusal too)."""
    if pil_format == "WEBP":
        size = _webp_size(data)
        if size is None:
            raise ValueError("no WebP header")
        limit = pixel_limit(max_pixels, pil_format, "RGBA")
        if size[0] * size[1] > limit:
            raise _TooManyPixels(limit)
    opened: list[Image.Image] = []
    try:
        with warnings.catch_warnings():
            # Pillow warns (DecompressionBombWarning) above Image.MAX_IMAGE_PIXELS and raises above twice that.
            # The filter is process-wide while it is set, so the size is also compared with that limit below:
            # a refusal never depends on which thread set the filter.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            try:
                image = Image.open(io.BytesIO(data))  # reads the header only
            except (Image.DecompressionBombWarning, Image.DecompressionBombError):
                raise _TooManyPixels(min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)) from None
            opened.append(image)
            width, height = image.size
            limit = pixel_limit(max_pixels, pil_format, image.mode)
            if width <= 0 or height <= 0 or width * height > limit:
                raise _TooManyPixels(limit)
            icc_profile = image.info.get("icc_profile")
            transparency = image.info.get("transparency")
            turned = _turned(image)
            if image.format in ("JPEG", "MPO") and width * height > KEPT_PIXELS:  # MPO: a phone's multi-picture JPEG
                # Decoded reduced: the decoder does 1/2, 1/4 or 1/8 of the size at a fraction of the cost.
                scale = 2
                while width * height > KEPT_PIXELS * scale * scale and scale < 8:
                    scale *= 2
                image.draft(image.mode if image.mode in ("L", "CMYK") else "RGB", (width // scale, height // scale))
            image.load()
        if turned:
            image = _keep(opened, ImageOps.exif_transpose(image))
        if pil_format == "JPEG" and image.mode not in ("RGB", "L"):
            image = _keep(opened, image.convert("RGB"))
        # Nothing of the original's info goes out (JPEG comment, XMP, EXIF, PNG text chunks, dpi ...) except
        # the colour profile and a palette's transparent colour, which the picture needs.
        image.info.clear()
        if transparency is not None and image.mode in ("P", "L", "RGB"):
            image.info["transparency"] = transparency
        out = io.BytesIO()
        options: dict = {"quality": 90} if pil_format in ("JPEG", "WEBP") else {}
        if icc_profile:
            options["icc_profile"] = icc_profile
        image.save(out, format=pil_format, **options)
        return out.getvalue()
    finally:
        for each in opened:
            each.close()


def _keep(opened: list[Image.Image], image: Image.Image) -> Image.Image:
    """The next step's image; the previous one is closed at once, which frees its pixels."""
    previous = opened[-1]
    opened.append(image)
    if previous is not image:
        previous.close()
    return image


def _turned(image: Image.Image) -> bool:
    """Whether the EXIF orientation asks for the pixels to be turned or flipped."""
    return image.getexif().get(0x0112, 1) not in (0, 1)


def _clean_pdf(data: bytes, shown: str) -> bytes:
    """The PDF rewritten without what identifies its writer; refused when it is encrypted or scripted."""
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise DomainError(_l("%(name)s is protected by a password (encrypted). Send it without the protection.",
                             name=shown), field="media") from None
    except (pikepdf.PdfError, ValueError, OSError, RecursionError):
        raise DomainError(_l("%(name)s could not be read as a PDF file; it may be damaged.", name=shown),
                          field="media") from None
    with pdf:
        if pdf.is_encrypted:
            raise DomainError(_l("%(name)s is protected by a password (encrypted). Send it without the "
                                 "protection.", name=shown), field="media")
        try:
            scripted = _walk_pdf(pdf)
        except (pikepdf.PdfError, ValueError, RecursionError):
            raise DomainError(_l("%(name)s could not be read as a PDF file; it may be damaged.", name=shown),
                              field="media") from None
        if scripted:
            raise DomainError(_l("%(name)s contains a script (JavaScript or an automatic action), which we do not "
                                 "accept. Print it to a new PDF, or send a photo of the pages.", name=shown),
                              field="media")
        if "/Info" in pdf.trailer:
            del pdf.trailer["/Info"]
        out = io.BytesIO()
        try:
            pdf.save(out, fix_metadata_version=False)
        except (pikepdf.PdfError, ValueError, OSError, RecursionError):
            raise DomainError(_l("%(name)s could not be read as a PDF file; it may be damaged.", name=shown),
                              field="media") from None
        return out.getvalue()


def _walk_pdf(pdf: pikepdf.Pdf) -> bool:
    """Visit every dictionary reachable from the trailer once: drop metadata keys, and say whether a script
    is anywhere (a script key, or an action of type JavaScript)."""
    scripted = False
    seen: set[tuple[int, int]] = set()
    stack: list = [pdf.trailer]
    while stack:
        item = stack.pop()
        if item.is_indirect:  # shared or cyclic references are visited once
            if item.objgen in seen:
                continue
            seen.add(item.objgen)
        if isinstance(item, pikepdf.Stream):
            item = item.stream_dict
        if isinstance(item, pikepdf.Dictionary):
            keys = set(item.keys())
            if keys & _PDF_SCRIPT_KEYS or item.get("/S") in (pikepdf.Name.JavaScript, pikepdf.Name.Launch):
                scripted = True
            for key in _PDF_METADATA_KEYS:
                if key in keys:
                    del item[key]
            stack.extend(value for key, value in item.items() if key not in _PDF_METADATA_KEYS and
                         isinstance(value, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)))
        elif isinstance(item, pikepdf.Array):
            stack.extend(value for value in item
                         if isinstance(value, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)))
    return scripted


def clean_upload(filename: str, data: bytes, max_bytes: int, max_pixels: int = DEFAULT_MAX_PIXELS) -> CleanFile:
    """Check one upload and return it cleaned, or raise :class:`DomainError` saying what is wrong.

    Every way a file arrives (the web forms, the staff recording form, added information, LINE photos) comes
    here; the web side passes the configured limits through ``eservice.web.clean_uploaded``."""
    shown = os.path.basename(filename or "") or "?"
    if not data:
        raise DomainError(_l("%(name)s is empty.", name=shown), field="media")
    if len(data) > max_bytes:
        raise DomainError(
            _l("%(name)s is larger than %(limit)s MB.", name=shown, limit=max_bytes // (1024 * 1024)),
            field="media",
        )
    kind = filetype.guess(data)
    mime = kind.mime if kind else None
    if mime not in ALLOWED_TYPES:
        raise DomainError(
            _l("%(name)s is not a photo (JPEG, PNG, WebP) or a PDF file.", name=shown), field="media"
        )
    pil_format, extension = ALLOWED_TYPES[mime]
    if pil_format:
        try:
            data = _strip_image_metadata(data, pil_format, max_pixels)
        except _TooManyPixels as refusal:
            raise _too_many_pixels(shown, refusal.limit) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
                Image.DecompressionBombWarning):
            raise DomainError(
                _l("%(name)s could not be read as a photo; it may be damaged.", name=shown), field="media"
            ) from None
    elif b"%%EOF" not in data[-2048:]:
        raise DomainError(_l("%(name)s is not a complete PDF file.", name=shown), field="media")
    else:
        data = _clean_pdf(data, shown)
    return CleanFile(safe_filename(filename, extension), mime, data)
