"""Keeping the navigation's approvals badge right when it is served from the cache."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

from casedesk import cache_keys


def approvals_changed() -> None:
    """A request started or stopped waiting: every approvals badge counts afresh.

    Bumped now (this process, inside the transaction, sees its own change) and again once
    the transaction commits: a badge another process counted in between saw the old rows.
    """
    _bump()
    transaction.on_commit(_bump)


def _bump() -> None:
    key = cache_keys.APPROVALS_GENERATION
    try:
        cache.incr(key)
    except ValueError:
        # No number yet (a fresh or flushed cache). add() fails if another process made it
        # meanwhile; then that one's number goes up too, so no bump is lost.
        if not cache.add(key, 1, timeout=None):
            cache.incr(key)
