"""Attachments: photos and PDFs, recognised from their content, never from their name.

Photos are re-encoded without their metadata: a phone photo's EXIF block carries the GPS position
and the camera's serial number, which would identify an anonymous reporter.
"""

import hashlib
import io
import os
import re
import unicodedata
from dataclasses import dataclass

import filetype
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


def _strip_image_metadata(data: bytes, pil_format: str) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        image = ImageOps.exif_transpose(image)  # keep the photo upright once the EXIF is gone
        if pil_format == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        out = io.BytesIO()
        options = {"quality": 90} if pil_format in ("JPEG", "WEBP") else {}
        image.save(out, format=pil_format, **options)
        return out.getvalue()


def clean_upload(filename: str, data: bytes, max_bytes: int) -> CleanFile:
    """Check one upload and return it cleaned, or raise :class:`DomainError` saying what is wrong."""
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
            data = _strip_image_metadata(data, pil_format)
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            raise DomainError(
                _l("%(name)s could not be read as a photo; it may be damaged.", name=shown), field="media"
            ) from None
    elif b"%%EOF" not in data[-2048:]:
        raise DomainError(_l("%(name)s is not a complete PDF file.", name=shown), field="media")
    return CleanFile(safe_filename(filename, extension), mime, data)
