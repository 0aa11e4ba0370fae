"""What a file is, decided from its first bytes (magic numbers), never from its name.

Only the kinds on the allow-list are recognised; anything else is refused by the caller.
Plain text has no magic number: it is whatever is valid UTF-8 without NUL bytes and
without markup that a browser would run (HTML, SVG, XML).
"""

from __future__ import annotations

import re
from enum import StrEnum


class Kind(StrEnum):
    JPEG = "image/jpeg"
    PNG = "image/png"
    WEBP = "image/webp"
    HEIC = "image/heic"
    PDF = "application/pdf"
    TEXT = "text/plain"


IMAGE_KINDS = {Kind.JPEG, Kind.PNG, Kind.WEBP, Kind.HEIC}
# How many leading bytes `detect` needs.
HEAD_BYTES = 32

# HEIF brands that carry HEVC-coded images (iPhones write heic / mif1).
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}

# Extensions that name a kind: a file called "x.jpg" must be a JPEG. Other names (a paste
# called "image", "scan.bin") are judged by content alone.
EXTENSION_KINDS = {
    "jpg": Kind.JPEG,
    "jpeg": Kind.JPEG,
    "jpe": Kind.JPEG,
    "jfif": Kind.JPEG,
    "png": Kind.PNG,
    "webp": Kind.WEBP,
    "heic": Kind.HEIC,
    "heif": Kind.HEIC,
    "pdf": Kind.PDF,
    "txt": Kind.TEXT,
    "text": Kind.TEXT,
    "log": Kind.TEXT,
    "csv": Kind.TEXT,
    "md": Kind.TEXT,
    # Names of kinds we never accept, so that "x.svg" is refused even if its content
    # happened to look like something else.
    "svg": None,
    "svgz": None,
    "html": None,
    "htm": None,
    "xhtml": None,
    "xml": None,
    "js": None,
}

# Markup a browser would interpret if it ever sniffed the text as HTML/SVG/XML.
_MARKUP = re.compile(
    rb"<\s*(?:script|svg|html|!doctype|iframe|object|embed|body|head|meta|\?xml|img|a\s)",
    re.IGNORECASE,
)


def detect(head: bytes) -> Kind | None:
    """The binary kind of a file from its first HEAD_BYTES bytes, or None (maybe text)."""
    if head.startswith(b"\xff\xd8\xff"):
        return Kind.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Kind.PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Kind.WEBP
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return Kind.HEIC
    if head.startswith(b"%PDF-"):
        return Kind.PDF
    return None


def text_problem(data: bytes) -> str | None:
    """Why `data` is not acceptable plain text ("binary", "encoding" or "markup"), or None
    when it is. A code, not words: the caller says it in a whole sentence."""
    if b"\x00" in data:
        return "binary"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "encoding"
    if _MARKUP.search(data):
        return "markup"
    return None


def extension(name: str) -> str:
    """The lower-case extension of a file name, without the dot ("" when none)."""
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""
