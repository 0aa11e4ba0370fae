"""File names as people see them: sanitised for display, never used as a path."""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_LENGTH = 120
_SPACES = re.compile(r"\s+")


def _visible(text: str) -> str:
    """Without Unicode's "other" characters: controls (which break a header or a log
    line), format characters such as the direction overrides that make "gpj.exe" read as
    "exe.jpg", surrogates and unassigned code points."""
    return "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))


def sanitise_name(raw: str, *, fallback: str = "file") -> str:
    """A display name from what the browser sent: the last path part only, normalised,
    without control or direction characters, at most MAX_NAME_LENGTH characters with the
    extension kept. Storage never sees it: files live under random keys."""
    name = unicodedata.normalize("NFC", str(raw or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _visible(_SPACES.sub(" ", name)).lstrip(". ").rstrip()
    if not name:
        return fallback
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        if dot and stem and len(ext) <= 10:
            name = f"{stem[: MAX_NAME_LENGTH - len(ext) - 1].rstrip()}.{ext}"
        else:
            name = name[:MAX_NAME_LENGTH].rstrip()
    return name


def with_extension(name: str, ext: str) -> str:
    """`name` with its extension replaced (a HEIC photo converted to JPEG is "x.jpg")."""
    stem, dot, _ = name.rpartition(".")
    return f"{stem if dot and stem else name}.{ext}"
