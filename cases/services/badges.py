"""Keeping what is served from the cache right: the navigation's approvals badge and the
complaint surges on the managers' home."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

from casedesk import cache_keys


def approvals_changed() -> None:
    """A request started or stopped waiting: every approvals badge counts afresh.

    Bumped now (this process, inside the transaction, sees its own change) and again once
    the transaction commits: a badge another process counted in between saw the old rows.
    """
    _bump(cache_keys.APPROVALS_GENERATION)
    transaction.on_commit(lambda: _bump(cache_keys.APPROVALS_GENERATION))


def surges_changed(team_id: int) -> None:
    """A case was opened in the team: its surges are counted afresh (bumped now and on
    commit, as above)."""
    key = cache_keys.surges_generation(team_id)
    _bump(key)
    transaction.on_commit(lambda: _bump(key))


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        # No number yet (a fresh or flushed cache). add() fails if another process made it
        # meanwhile; then that one's number goes up too, so no bump is lost.
        if not cache.add(key, 1, timeout=None):
            cache.incr(key)
