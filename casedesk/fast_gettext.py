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
msgid's answer is fixed per language object: remember it. The same holds for a field's
choice labels, so each model's `get_FOO_display` reads them from a dict per field and
language (made at first use, dropped with the translation objects) instead of hashing
and translating every label on every call.

Last, a lazy string read back from the cache (the insights rows keep their labels lazy,
so that one cached report serves every language) is rebuilt by Django's
`_lazy_proxy_unpickle`, which makes a new proxy class for each one (`lazy()` copies some
forty attributes); the cached insights page read 14 of them a request. The factory is
the same for the same function and result classes, so it is made once.
"""

from __future__ import annotations

from functools import lru_cache, partialmethod
from typing import Any

from django.core.signals import setting_changed
from django.db.models import Field, Model
from django.db.models.signals import class_prepared
from django.utils import functional
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language, trans_real

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


# (id of the field, language) → {value: label as a str}
_LABELS: dict[tuple[int, str | None], dict[Any, str]] = {}


def _display_of(field: Field) -> Any:
    def display(self: Model) -> Any:
        """Django's get_FOO_display, from this field's labels in the active language."""
        key = (id(field), get_language())
        labels = _LABELS.get(key)
        if labels is None:
            labels = {make_hashable(value): str(label) for value, label in field.flatchoices}
            _LABELS[key] = labels
        value = getattr(self, field.attname)
        try:
            return labels.get(make_hashable(value), force_str(value, strings_only=True))
        except TypeError:  # an unhashable value (Django's raises): shown as it is
            return force_str(value, strings_only=True)

    return display


def _fast_displays(sender: type[Model], **kwargs: Any) -> None:
    """Replace the get_FOO_display methods Django added to a model just made (never one
    the model defines itself)."""
    for field in sender._meta.local_fields:
        name = f"get_{field.name}_display"
        if field.choices is not None and isinstance(sender.__dict__.get(name), partialmethod):
            setattr(sender, name, _display_of(field))


class_prepared.connect(_fast_displays, dispatch_uid="casedesk.fast_gettext.displays")


def _catalogues_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"}:
        _LABELS.clear()


setting_changed.connect(_catalogues_changed, dispatch_uid="casedesk.fast_gettext.labels")


@lru_cache(maxsize=64)
def _lazy_factory(func: Any, resultclasses: tuple[type, ...]) -> Any:
    return functional.lazy(func, *resultclasses)


def _lazy_proxy_unpickle(func: Any, args: Any, kwargs: Any, *resultclasses: type) -> Any:
    """Django's own, with the factory made once per function (pickles name this one)."""
    return _lazy_factory(func, resultclasses)(*args, **kwargs)


def install() -> None:
    """Make Django build MemoTranslation for every language (at start-up, before the first
    request), dropping any translation objects built before."""
    trans_real.DjangoTranslation = MemoTranslation  # type: ignore[misc]
    trans_real._translations = {}  # type: ignore[attr-defined]
    trans_real._default = None  # type: ignore[attr-defined]
    _LABELS.clear()
    functional._lazy_proxy_unpickle = _lazy_proxy_unpickle  # type: ignore[attr-defined]
