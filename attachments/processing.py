"""Turning an upload into what is stored: checked by content, images re-encoded.

Nothing here touches storage or the database, so it runs before any transaction: the
slow part of an upload (decoding and re-encoding a photo) never holds a database lock.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from PIL import Image, ImageOps

from .names import sanitise_name, with_extension
from .sniff import EXTENSION_KINDS, HEAD_BYTES, IMAGE_KINDS, Kind, detect, extension, text_problem
from .uploads import over_file_limit

try:  # HEIC (iPhone photos): pillow-heif registers a Pillow opener when it is installed.
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIC_SUPPORTED = True
except ImportError:  # pragma: no cover - requirements.txt installs it
    HEIC_SUPPORTED = False

THUMBNAIL_EDGE = 320
# A photo the JPEG decoder already scaled to within a tenth of the maximum edge (a 4032 px
# photo at half scale is 2016 px) is kept at that size: resizing 2016 px to 2000 cost
# more than the rest of the upload together (bench/attachments.py).
EDGE_SLACK = 1.1
# Pillow's format names for the kinds it decodes; opening is limited to the one expected.
_PIL_FORMATS = {Kind.JPEG: "JPEG", Kind.PNG: "PNG", Kind.WEBP: "WEBP", Kind.HEIC: "HEIF"}
# Re-encoded as: the same format, except HEIC, which browsers cannot show, as JPEG.
_OUTPUT = {Kind.JPEG: "JPEG", Kind.PNG: "PNG", Kind.WEBP: "WEBP", Kind.HEIC: "JPEG"}
_OUTPUT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# Why a file is refused by its content, in whole sentences (never a reason glued into
# another sentence, which no translation could follow).
_REFUSED_TEXT = {
    "binary": gettext_lazy(
        "“%(name)s” is not accepted: it is not plain text (it holds binary data). "
        "We take JPEG, PNG, WebP or HEIC photos, PDF documents and plain text."
    ),
    "encoding": gettext_lazy(
        "“%(name)s” is not accepted: it is not plain text in UTF-8. "
        "We take JPEG, PNG, WebP or HEIC photos, PDF documents and plain text."
    ),
    "markup": gettext_lazy(
        "“%(name)s” is not accepted: it holds web-page or SVG markup, which is not accepted. "
        "We take JPEG, PNG, WebP or HEIC photos, PDF documents and plain text."
    ),
}


class AttachmentRefused(Exception):
    """A file that is not accepted; the message names the file and says why."""


@dataclass
class Prepared:
    """A checked file, ready to store: the bytes to keep and what is known about them."""

    name: str
    content_type: str
    converted_from: str
    original_size: int
    body: IO[bytes]
    size: int
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None


def _read_head(upload: Any) -> bytes:
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return bytes(head)


def prepare(upload: Any) -> Prepared:
    """Check one uploaded file (a Django UploadedFile or any named binary file) and turn
    it into what is stored. Raises AttachmentRefused with a message for the person."""
    name = sanitise_name(getattr(upload, "name", "") or "")
    size = int(getattr(upload, "size", 0) or 0)
    if size <= 0:
        raise AttachmentRefused(_("“%(name)s” is empty.") % {"name": name})
    limit = settings.CASEDESK_ATTACHMENT_MAX_BYTES
    if size > limit:
        raise AttachmentRefused(over_file_limit(name, limit))
    head = _read_head(upload)
    kind = detect(head)
    named = EXTENSION_KINDS.get(extension(name), "unknown")
    if kind is None:
        data = upload.read(limit + 1)
        problem = text_problem(data)
        if problem:
            raise AttachmentRefused(_REFUSED_TEXT[problem] % {"name": name})
        kind = Kind.TEXT
    if named != "unknown" and named != kind:
        # "receipt.jpg" holding HTML, or "photo.svg" at all: the name lies about the content.
        raise AttachmentRefused(
            _(
                # Translators: type is a media type such as image/png or text/plain.
                "“%(name)s” is named .%(extension)s but holds %(type)s. "
                "We take JPEG, PNG, WebP or HEIC photos, PDF documents and plain text."
            )
            % {"name": name, "extension": extension(name), "type": kind.value}
        )
    if kind in IMAGE_KINDS:
        return _prepare_image(upload, kind=kind, name=name, size=size)
    upload.seek(0)
    return Prepared(
        name=name,
        content_type=kind.value,
        converted_from="",
        original_size=size,
        body=upload,
        size=size,
    )


def _unreadable(name: str) -> str:
    return _("“%(name)s” could not be read as an image.") % {"name": name}


def _too_many_pixels(name: str, width: int, height: int, max_pixels: int) -> str:
    most = max_pixels // 1_000_000
    return ngettext(
        "“%(name)s” is %(width)d×%(height)d pixels, more than the %(most)d megapixel we accept.",
        "“%(name)s” is %(width)d×%(height)d pixels, more than the %(most)d megapixels we accept.",
        most,
    ) % {"name": name, "width": width, "height": height, "most": most}


def _open_image(upload: Any, *, kind: Kind, name: str) -> Image.Image:
    """Open and decode, refusing decompression bombs from the header alone (before any
    pixel is decoded) and anything Pillow cannot read."""
    if kind == Kind.HEIC and not HEIC_SUPPORTED:  # pragma: no cover
        raise AttachmentRefused(
            _("“%(name)s” is a HEIC photo; save it as JPEG and try again.") % {"name": name}
        )
    max_pixels = settings.CASEDESK_ATTACHMENT_MAX_PIXELS
    edge = settings.CASEDESK_ATTACHMENT_IMAGE_MAX_EDGE
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload, formats=[_PIL_FORMATS[kind]])
            width, height = image.size
            if width * height > max_pixels:
                raise AttachmentRefused(_too_many_pixels(name, width, height, max_pixels))
            # JPEG decodes at 1/2, 1/4 or 1/8 scale when that still covers the stored
            # size: a 12-megapixel photo then costs a quarter of the work.
            scale = min(1.0, edge / max(width, height))
            image.draft("RGB", (max(1, int(width * scale)), max(1, int(height * scale))))
            image.load()
    except AttachmentRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise AttachmentRefused(
            _("“%(name)s” has too many pixels to be a photo.") % {"name": name}
        ) from None
    except Exception:  # Pillow raises many kinds for damaged files; all mean "unreadable"
        raise AttachmentRefused(_unreadable(name)) from None
    return image


def _encode(image: Image.Image, fmt: str, *, quality: int = 85) -> bytes:
    """Encode without any of the source's metadata: only pixels (and the colour profile,
    which carries no personal data) reach the stored file."""
    out = io.BytesIO()
    icc = image.info.get("icc_profile")
    options: dict[str, Any] = {"icc_profile": icc} if icc else {}
    if fmt == "JPEG":
        if image.mode != "RGB":
            image = _flatten(image)
        image.save(out, "JPEG", quality=quality, **options)
    elif fmt == "PNG":
        image.save(out, "PNG", compress_level=6, **options)
    else:
        image.save(out, "WEBP", quality=quality, method=4, **options)
    return out.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    """RGB for JPEG: transparency over white, other modes converted."""
    if image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _prepare_image(upload: Any, *, kind: Kind, name: str, size: int) -> Prepared:
    image = _open_image(upload, kind=kind, name=name)
    try:
        edge = settings.CASEDESK_ATTACHMENT_IMAGE_MAX_EDGE
        if max(image.size) > edge * EDGE_SLACK:
            # Resized before turning upright (less to turn); bicubic after the draft's
            # scaled decode is sharp enough for a receipt and a third of Lanczos's cost.
            image.thumbnail((edge, edge), Image.Resampling.BICUBIC, reducing_gap=2.0)
        upright = ImageOps.exif_transpose(image)  # the way the phone was held
        if upright.mode not in {"RGB", "RGBA", "L", "LA"}:
            upright = upright.convert("RGBA" if "transparency" in upright.info else "RGB")
        fmt = _OUTPUT[kind]
        body = _encode(upright, fmt)
        thumb = upright.copy()
        thumb.thumbnail(
            (THUMBNAIL_EDGE, THUMBNAIL_EDGE), Image.Resampling.LANCZOS, reducing_gap=2.0
        )
        thumbnail = _encode(thumb, "JPEG", quality=80)
    except Exception:
        raise AttachmentRefused(_unreadable(name)) from None
    finally:
        image.close()
    converted = kind.value if fmt != _PIL_FORMATS.get(kind) else ""
    if kind == Kind.HEIC:
        name = with_extension(name, "jpg")
    return Prepared(
        name=name,
        content_type=_OUTPUT_TYPES[fmt],
        converted_from=converted,
        original_size=size,
        body=io.BytesIO(body),
        size=len(body),
        width=upright.width,
        height=upright.height,
        thumbnail=thumbnail,
    )
