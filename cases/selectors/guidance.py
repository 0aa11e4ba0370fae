"""The demeanour guidance card shown on a case page, in the viewer's language, cached."""

from __future__ import annotations

from django.core.cache import cache
from django.utils import translation

from casedesk import cache_keys
from policies.models import DemeanourGuidance
from policies.texts import guidance_card


def guidance_for(demeanour: str, language: str | None = None) -> DemeanourGuidance | None:
    """The card for a demeanour in `language` (default: the active one), else its default
    version. Cached per language: it is on every case page and changes rarely; an edit
    clears it at once for every process sharing the cache (policies/apps.py)."""
    language = language or translation.get_language()
    return cache.get_or_set(
        cache_keys.guidance(demeanour, language),
        lambda: guidance_card(demeanour, language),
        cache_keys.GUIDANCE_SECONDS,
    )
