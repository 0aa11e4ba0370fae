"""A memo in front of each language's catalogue lookup (issue 16's "no slower than before").

Django looks a message up along a chain: the language's merged catalogues (one dict per
app that has translations: 7 for en-gb, 10 for pl), then, for every catalogue file, the
header-only catalogue that gettext found for the base language ("en": 6 more). English is
the source language, so nearly every lookup in en-gb misses all of them and returns the
msgid after some twenty dict probes and seven Python calls. Pages pay that hundreds of
times: `get_FOO_display` hashes every lazy label of the field's choices, translating each,
on every call. On the policy library that was about 200 lookups a page.

The catalogues are read once per process and never change afterwards (Django builds a new
translation object when LANGUAGES, LANGUAGE_CODE or LOCALE_PATHS change, as tests do), so a
msgid's answer is fixed per language object: remember it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import trans_real

# Msgids are literals in the code, a few thousand at most; the cap only bounds a caller
# that translates data.
MEMO_LIMIT = 20_000


class MemoTranslation(trans_real.DjangoTranslation):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._memo: dict[str, str] = {}
        super().__init__(*args, **kwargs)

    def gettext(self, message: str) -> str:
        try:
            return self._memo[message]
        except KeyError:
            pass
        result = super().gettext(message)
        if len(self._memo) < MEMO_LIMIT:
            self._memo[message] = result
        return result


def install() -> None:
    """Make Django build MemoTranslation for every language (at start-up, before the first
    request), dropping any translation objects built before."""
    trans_real.DjangoTranslation = MemoTranslation  # type: ignore[misc]
    trans_real._translations = {}  # type: ignore[attr-defined]
    trans_real._default = None  # type: ignore[attr-defined]
