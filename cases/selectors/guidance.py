"""The demeanour guidance card shown on a case page, cached."""

from __future__ import annotations

from django.core.cache import cache

from policies.models import DemeanourGuidance

GUIDANCE_CACHE_SECONDS = 300


def guidance_key(demeanour: str) -> str:
    return f"casedesk:guidance:{demeanour}"


def guidance_for(demeanour: str) -> DemeanourGuidance | None:
    """The card for a demeanour. Cached: it is on every case page and changes rarely; an
    edit clears it here at once, other processes within GUIDANCE_CACHE_SECONDS."""
    return cache.get_or_set(
        guidance_key(demeanour),
        lambda: DemeanourGuidance.objects.filter(demeanour=demeanour).first(),
        GUIDANCE_CACHE_SECONDS,
    )
