"""The translation catalogues (locale/<language>/LC_MESSAGES/django.po): compiled to .mo in
pure Python, brought up to date with the source, and checked.

Why polib for compiling: Django's compilemessages runs GNU gettext's `msgfmt`, a system
package, and the two setup commands promise to need nothing but Python. Compiling is the
only step every developer and deployment runs; extracting strings (makemessages, which
needs gettext's `xgettext`) is for whoever updates the catalogues, and for CI's check.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import polib
from django.conf import settings
from django.utils.translation import to_locale

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locale"
# Folders with nothing to translate: tools, tests, vendored and generated files.
SKIPPED = ["bench", "docs", "frontend", "node_modules", "static", "staticfiles", "tests"]
SKIPPED += ["test-artifacts", "var", "locale", "__pycache__"]
# How the catalogues are made, the same for `dev.py messages` and for the check. File
# names without line numbers: translators see where a string is used, and moving code
# within a file does not rewrite every catalogue.
MAKEMESSAGES_OPTIONS = ["--no-obsolete", "--add-location=file", "--no-wrap"]
MAKEMESSAGES_OPTIONS += [f"--ignore={name}" for name in SKIPPED]
SOURCE_SUFFIXES = {".py", ".html", ".txt"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]|%[sd]")

Key = tuple[str | None, str, str | None]

# Plural rules as translators know them (the GNU gettext manual's): xgettext now writes
# CLDR's, which add forms for fractions (Polish) and millions (Spanish) that no sentence
# here needs. A language not listed keeps what xgettext wrote; check it when adding one.
PLURAL_FORMS = {
    "pl": "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "es": "nplurals=2; plural=(n != 1);",
}


def shipped_locales() -> list[str]:
    """The catalogues CaseDesk ships: every language in LANGUAGES but the source one, as
    gettext names its folders ("pl", "es", "pt_BR")."""
    return [to_locale(code) for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def po_path(locale: str, root: Path = ROOT) -> Path:
    return root / "locale" / locale / "LC_MESSAGES" / "django.po"


def catalogues(locale_dir: Path = LOCALE_DIR) -> Iterator[Path]:
    yield from sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))


def compile_catalogues(locale_dir: Path = LOCALE_DIR, *, force: bool = False) -> list[Path]:
    """Write each .po's .mo where it is missing or older; returns the ones written.

    Fuzzy and untranslated entries are left out, as msgfmt does: the English shows."""
    written = []
    for po in catalogues(locale_dir):
        mo = po.with_suffix(".mo")
        if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        partial = mo.with_name(f".{mo.name}.{os.getpid()}")
        polib.pofile(str(po)).save_as_mofile(str(partial))
        os.replace(partial, mo)  # a running server never reads half a file
        written.append(mo)
    return written


def tidy_header(path: Path, locale: str) -> None:
    """Fill in the header makemessages leaves as a template (and marks fuzzy) in a new
    catalogue; keeps the entries exactly as they are."""
    po = polib.pofile(str(path), wrapwidth=0)
    po.header = f"CaseDesk translations: {locale}. Updated by `python3 dev.py messages`."
    po.metadata_is_fuzzy = False
    po.metadata.update({"Project-Id-Version": "CaseDesk", "Language": locale})
    # Dates change on every run: a diff (and a merge conflict) for nothing. Git has them.
    dropped = ("POT-Creation-Date", "PO-Revision-Date", "Report-Msgid-Bugs-To")
    for name in (*dropped, "Last-Translator", "Language-Team"):
        po.metadata.pop(name, None)
    if locale in PLURAL_FORMS:
        po.metadata["Plural-Forms"] = PLURAL_FORMS[locale]
    po.save()


def _key(entry: polib.POEntry) -> Key:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural or None)


def _label(key: Key) -> str:
    context, msgid, _plural = key
    return f"{msgid!r}" + (f" (context {context!r})" if context else "")


def _placeholders(text: str) -> set[str]:
    return {match.group(1) or match.group(0) for match in PLACEHOLDER.finditer(text)}


def entry_problems(entry: polib.POEntry) -> list[str]:
    """What is wrong with one entry of a shipped catalogue: fuzzy, untranslated, or a
    placeholder the translation uses that the source does not give (a crash at run time)
    or one a singular translation leaves out (a value the reader never sees)."""
    label = _label(_key(entry))
    if entry.fuzzy:
        return [f"{label} is marked fuzzy: check the translation and remove the flag"]
    forms = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
    if not forms or any(not form for form in forms):
        return [f"{label} is not translated"]
    given = _placeholders(entry.msgid) | _placeholders(entry.msgid_plural or "")
    found = []
    for form in forms:
        unknown = _placeholders(form) - given
        if unknown:
            found.append(f"{label}: the translation uses {sorted(unknown)}, not in the source")
    if not entry.msgid_plural and _placeholders(entry.msgid) - _placeholders(entry.msgstr):
        missing = sorted(_placeholders(entry.msgid) - _placeholders(entry.msgstr))
        found.append(f"{label}: the translation leaves out {missing}")
    return found


def catalogue_problems(fresh: polib.POFile, committed: polib.POFile) -> list[str]:
    """Compare what makemessages makes now (`fresh`) with the committed catalogue."""
    now = {_key(entry) for entry in fresh if not entry.obsolete}
    kept = {_key(entry): entry for entry in committed if not entry.obsolete}
    found = [f"{_label(key)} is in the source, not in the catalogue" for key in now - kept.keys()]
    found += [f"{_label(key)} is no longer in the source" for key in kept.keys() - now]
    if committed.metadata_is_fuzzy:
        found.append("the header is marked fuzzy")
    if any(entry.obsolete for entry in committed):
        found.append("obsolete (#~) entries are left in the catalogue")
    if not re.match(r"nplurals=\d+; plural=", committed.metadata.get("Plural-Forms", "")):
        found.append('the header has no Plural-Forms (see the README\'s "Languages")')
    for key in sorted(now & kept.keys(), key=str):
        found.extend(entry_problems(kept[key]))
    return found


def copy_sources(root: Path, into: Path) -> None:
    """The files makemessages reads, and the catalogues, in a folder of their own."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in SKIPPED]
        relative = Path(folder).relative_to(root)
        for name in files:
            if Path(name).suffix in SOURCE_SUFFIXES:
                (into / relative).mkdir(parents=True, exist_ok=True)
                shutil.copy2(Path(folder) / name, into / relative / name)
    if (root / "locale").exists():
        shutil.copytree(root / "locale", into / "locale", ignore=shutil.ignore_patterns("*.mo"))


def makemessages_command(locales: list[str]) -> list[str]:
    return [
        sys.executable,
        "manage.py",
        "makemessages",
        *(f"--locale={locale}" for locale in locales),
        *MAKEMESSAGES_OPTIONS,
    ]


def _makemessages_env(var_dir: Path) -> dict[str, str]:
    """Only what finds programs, plus a debug run's defaults: makemessages imports the
    settings but touches no database, and the developer's own variables must not matter."""
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "SYSTEMROOT") if name in os.environ}
    return {**keep, "DEBUG": "1", "CASEDESK_VAR_DIR": str(var_dir), "PYTHONUTF8": "1"}


class ExtractionFailed(Exception):
    pass


def extract(locales: list[str], *, root: Path = ROOT) -> dict[str, polib.POFile]:
    """What makemessages makes of the source at `root` now, per locale (merged with the
    committed catalogues, as `dev.py messages` would leave them), run on a copy of the
    source in a temporary folder: makemessages writes into any `locale/` folder it finds
    above a source file, so run in the working tree it would rewrite the real catalogues."""
    if shutil.which("xgettext") is None:
        raise ExtractionFailed("GNU gettext's xgettext is not installed (apt-get install gettext)")
    with tempfile.TemporaryDirectory(prefix="casedesk-messages-") as folder:
        copy = Path(folder)
        copy_sources(root, copy)
        made = subprocess.run(
            makemessages_command(locales),
            cwd=copy,
            env=_makemessages_env(copy / "var"),
            capture_output=True,
            text=True,
        )
        if made.returncode:
            raise ExtractionFailed(f"makemessages failed: {made.stderr.strip()[-2000:]}")
        found = {locale: po_path(locale, copy) for locale in locales}
        # No file at all for a locale when nothing in the source is marked.
        return {
            locale: polib.pofile(str(path)) if path.exists() else polib.POFile()
            for locale, path in found.items()
        }


def check(locales: list[str] | None = None, *, root: Path = ROOT) -> list[str]:
    """Every problem with the committed catalogues (of the source tree at `root`):
    makemessages would add or drop a string, or a shipped language has an entry that is
    untranslated, fuzzy or has wrong placeholders."""
    locales = locales or shipped_locales()
    try:
        fresh = extract(locales, root=root)
    except ExtractionFailed as failure:
        return [str(failure)]
    found = []
    for locale in locales:
        path = po_path(locale, root)
        if not path.exists():
            found.append(f"{path.relative_to(root)}: missing (run `python3 dev.py messages`)")
            continue
        problems = catalogue_problems(fresh[locale], polib.pofile(str(path)))
        found += [f"{path.relative_to(root)}: {problem}" for problem in problems]
    return found
