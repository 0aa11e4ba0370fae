"""Pseudo-locales for the browser tests (never shipped): "en-xa", every string accented
and about 30 % longer, and "ar-xb", every word wrapped in right-to-left override marks.

Made from the msgids makemessages finds in the source, so a page rendered in en-xa shows
plain ASCII words only where a string is not marked for translation (or is data), and
long words where a layout has no room for a longer language. Placeholders (%(name)s, %s,
{name}), HTML tags and entities are kept as they are: a pseudo-translation that broke
them would fail for a reason no real translation has.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import polib

from . import catalogues

PSEUDO_LANGUAGES = [("en-xa", "Pseudo-accented"), ("ar-xb", "Pseudo-RTL")]
# Placeholders, tags, entities: copied, never changed.
KEEP = re.compile(
    r"%\(\w+\)[#0 +-]*\d*(?:\.\d+)?[a-zA-Z%]|%[sd%]|\{\{.*?\}\}|\{[\w.]*\}|<[^>]*>|&#?\w+;"
)
ACCENTED = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "åƀçđéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇĐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
        strict=True,
    )
)
VOWELS = set("aeiouyAEIOUY")
# What the browser test counts as translated: any of the letters above.
PSEUDO_LETTERS = "".join(sorted(set(ACCENTED.values())))
RLO, PDF = "\u202e", "\u202c"


def _apply(text: str, change: Callable[[str], str]) -> str:
    """`change` applied to the text between placeholders, tags and entities."""
    out, last = [], 0
    for match in KEEP.finditer(text):
        out += [change(text[last : match.start()]), match.group(0)]
        last = match.end()
    return "".join([*out, change(text[last:])])


def accented(text: str) -> str:
    """ "Save" → "Šååṽéé": every letter accented, vowels doubled (about 30 % longer, inside
    the words, as German or Polish make words longer)."""

    def change(part: str) -> str:
        return "".join(ACCENTED.get(c, c) * (2 if c in VOWELS else 1) for c in part)

    return _apply(text, change)


def right_to_left(text: str) -> str:
    """Each word shown mirrored (U+202E … U+202C), placeholders and tags as they are."""
    return _apply(text, lambda part: re.sub(r"[^\W\d_][\w'’.-]*", rf"{RLO}\g<0>{PDF}", part))


PSEUDO = {"en_XA": accented, "ar_XB": right_to_left}


def extract() -> polib.POFile:
    """Every msgid in the source (makemessages on a copy of it, as the catalogue check
    runs it: casedesk/catalogues.py)."""
    return catalogues.extract(["en_XA"])["en_XA"]


def build(target: Path | None = None) -> Path:
    """Writes locale/{en_XA,ar_XB}/LC_MESSAGES/django.{po,mo} under `target` (a new
    temporary folder by default) and returns it, for LOCALE_PATHS."""
    target = target or Path(tempfile.mkdtemp(prefix="casedesk-pseudo-"))
    source = extract()
    for locale, change in PSEUDO.items():
        po = polib.POFile()
        po.metadata = {
            "Content-Type": "text/plain; charset=UTF-8",
            "Language": locale,
            "Plural-Forms": "nplurals=2; plural=(n != 1);",
        }
        for entry in source:
            if entry.obsolete or not entry.msgid:
                continue
            new = polib.POEntry(msgctxt=entry.msgctxt, msgid=entry.msgid)
            if entry.msgid_plural:
                new.msgid_plural = entry.msgid_plural
                new.msgstr_plural = {0: change(entry.msgid), 1: change(entry.msgid_plural)}
            else:
                new.msgstr = change(entry.msgid)
            po.append(new)
        folder = target / locale / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        po.save(str(folder / "django.po"))
        po.save_as_mofile(str(folder / "django.mo"))
    return target
