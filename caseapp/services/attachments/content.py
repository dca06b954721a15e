"""What an uploaded file is, decided by its content (libmagic, through python-magic), and making images safe.

Accepted: PDF (kept byte for byte, only ever served as a download), JPEG and PNG (decoded and re-encoded
by Pillow, so EXIF such as GPS position and device, comments and other metadata are gone). Everything
else is refused with the reason; the name and the browser's Content-Type are never consulted.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import magic
from flask_babel import gettext as _
from PIL import Image, ImageOps

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
ACCEPTED = (PDF, JPEG, PNG)
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}
# Far beyond a phone photo (about 50 megapixels); a larger image is a decompression bomb.
MAX_PIXELS = 60_000_000
THUMBNAIL_SIZE = (320, 320)

_PROGRAMS = (
    "application/x-executable",
    "application/x-pie-executable",
    "application/x-sharedlib",
    "application/x-dosexec",
    "application/vnd.microsoft.portable-executable",
    "application/x-mach-binary",
    "application/x-elf",
    "text/x-shellscript",
    "application/x-msi",
    "application/java-archive",
)
_OFFICE_PREFIXES = (
    "application/msword",
    "application/vnd.ms-",
    "application/vnd.openxmlformats-officedocument",
    "application/vnd.oasis.opendocument",
)


class Refused(Exception):
    """The file is not accepted; `reason` says why, in the user's language."""

    def __init__(self, reason: str, detected: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detected = detected


def detect(head: bytes) -> str:
    """Return the MIME type libmagic reads in the first bytes of a file."""
    if not head:
        return "application/x-empty"
    return str(magic.from_buffer(head, mime=True))


def check_type(head: bytes) -> str:
    """Return the accepted type of a file from its first bytes, or raise Refused with the reason."""
    detected = detect(head)
    if detected in ACCEPTED:
        return detected
    if detected in _PROGRAMS or detected.startswith("application/x-executable"):
        reason = _("This file is a program (%(type)s), not a document: it is refused.", type=detected)
    elif detected.startswith(_OFFICE_PREFIXES) or detected == "application/zip":
        reason = _(
            "Office documents and archives are not accepted (they can carry macros or hidden files): "
            "save or scan the document as PDF."
        )
    elif detected == "application/x-empty":
        reason = _("The file is empty.")
    else:
        reason = _(
            "Files of this type (%(type)s) are not accepted: upload a PDF, JPEG or PNG.", type=detected
        )
    raise Refused(reason, detected)


@dataclass(frozen=True)
class Prepared:
    """What is stored of an accepted file: its bytes (re-encoded for images) and an image's thumbnail."""

    content_type: str
    data: bytes
    thumbnail: bytes | None


def _open_image(data: bytes, content_type: str) -> Image.Image:
    expected = "JPEG" if content_type == JPEG else "PNG"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[expected])
            if image.width * image.height > MAX_PIXELS:
                raise Refused(_("The image is too large (more than 60 megapixels)."), content_type)
            image.load()
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused(_("The image is too large (more than 60 megapixels)."), content_type) from None
    except Exception:  # noqa: BLE001 - any decoding failure: a damaged or disguised image
        raise Refused(
            _("The image cannot be read: it is damaged or not really a %(type)s.", type=expected),
            content_type,
        ) from None
    return image


def _reencode(image: Image.Image, content_type: str) -> bytes:
    """Draw the pixels into a new file: only the picture survives (upright, without metadata)."""
    upright = ImageOps.exif_transpose(image) or image
    if content_type == JPEG:
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
    elif upright.mode not in ("RGB", "RGBA", "L", "LA", "P", "1", "I", "I;16"):
        upright = upright.convert("RGBA")
    clean = Image.new(upright.mode, upright.size)
    if upright.mode == "P":
        palette = upright.getpalette()
        if palette:
            clean.putpalette(palette)
    clean.paste(upright)
    out = io.BytesIO()
    if content_type == JPEG:
        clean.save(out, format="JPEG", quality=90, optimize=True)
    else:
        clean.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    upright = ImageOps.exif_transpose(image) or image
    small = upright.convert("RGB")
    small.thumbnail(THUMBNAIL_SIZE)
    out = io.BytesIO()
    small.save(out, format="JPEG", quality=80)
    return out.getvalue()


def prepare(data: bytes) -> Prepared:
    """Check the file's type by content and make it safe to keep; raise Refused with the reason."""
    content_type = check_type(data[:65536])
    if content_type == PDF:
        return Prepared(PDF, data, None)
    image = _open_image(data, content_type)
    try:
        return Prepared(content_type, _reencode(image, content_type), _thumbnail(image))
    except Exception:  # noqa: BLE001 - a mode or a structure Pillow cannot draw again: refused, not a crash
        raise Refused(
            _("The image cannot be read: it is damaged or not really a %(type)s.", type=content_type),
            content_type,
        ) from None
