"""The demeanour guidance card shown on a case page, cached."""

from __future__ import annotations

from django.core.cache import cache

from casedesk import cache_keys
from policies.models import DemeanourGuidance


def guidance_for(demeanour: str) -> DemeanourGuidance | None:
    """The card for a demeanour. Cached: it is on every case page and changes rarely; an
    edit clears it at once for every process sharing the cache (policies/apps.py)."""
    return cache.get_or_set(
        cache_keys.guidance(demeanour),
        lambda: DemeanourGuidance.objects.filter(demeanour=demeanour).first(),
        cache_keys.GUIDANCE_SECONDS,
    )
