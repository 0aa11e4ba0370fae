"""Which languages CaseDesk speaks, and how a version in one language falls back to another.

Model fields take `choices` and `default` from here as callables, so adding a language to
LANGUAGES (or changing CASEDESK_CUSTOMER_LANGUAGE) needs no migration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.conf import settings

T = TypeVar("T")

# The language of a version that is "the default": used for the default language and for
# any language without a version of its own (admin-editable texts, policies/models.py).
DEFAULT_VERSION = ""


def choices() -> list[tuple[str, str]]:
    """LANGUAGES, each named in itself."""
    return [(code, str(name)) for code, name in settings.LANGUAGES]


def codes() -> list[str]:
    return [code for code, _ in settings.LANGUAGES]


def is_supported(code: str) -> bool:
    return code in codes()


def customer_default() -> str:
    """A new customer's language (CASEDESK_CUSTOMER_LANGUAGE)."""
    return str(settings.CASEDESK_CUSTOMER_LANGUAGE)


def fallbacks(language: str | None) -> list[str]:
    """The versions to look for, best first: the language itself, its generic form
    ("es" for "es-mx"), then the default version."""
    wanted: list[str] = []
    if language:
        code = language.lower()
        wanted = [code, code.split("-")[0]] if "-" in code else [code]
    return [*dict.fromkeys(wanted), DEFAULT_VERSION]


def pick(versions: Iterable[T], language: str | None, key: Callable[[T], str]) -> T | None:
    """The best of `versions` (each in the language `key` gives) for `language`: its own,
    else the default version, else None."""
    by_language = {key(version): version for version in versions}
    for code in fallbacks(language):
        if code in by_language:
            return by_language[code]
    return None
