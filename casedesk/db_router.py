"""Reads that may come from a read replica, and only those.

With `DATABASE_REPLICA_URL` set there is a second database alias, `replica`. Nothing goes
there by default: a page that reads what its user has just written must read the primary,
and most pages do. Code opts in for reads that tolerate a few seconds of lag — insights,
their CSV exports — with `replica_reads()`:

    with replica_reads():
        data = compute_insights(period)

Inside the block every ORM read goes to the replica if it is up and no further behind than
`CASEDESK_REPLICA_MAX_LAG_SECONDS`; otherwise to the primary, so a dead or lagging replica
costs freshness checks, never an error page. Writes always go to the primary.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
PRIMARY = "default"

# The alias reads go to inside a replica_reads() block (None outside: Django's default).
_read_alias: ContextVar[str | None] = ContextVar("casedesk_read_alias", default=None)

# (checked at, usable) per process: one lag query every few seconds, not one per page.
_health: dict[str, tuple[float, bool]] = {}

# Seconds behind the primary, or 0 when every WAL record received has been replayed (an
# idle primary sends nothing, so "time since the last replayed commit" alone would grow
# without the replica being behind at all).
LAG_SQL = """
    SELECT CASE
        WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
        ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
    END
"""


def replica_configured() -> bool:
    # A test mirror stands for the primary (tests/test_read_replica.py points the alias at
    # the real replica instead): reading it would only add a connection.
    return REPLICA in connections.settings and not (
        connections[REPLICA].settings_dict.get("TEST", {}).get("MIRROR")
    )


def replica_lag_seconds() -> float:
    """How far the replica is behind, in seconds; raises DatabaseError when it is down."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(LAG_SQL)
        row = cursor.fetchone()
    return float(row[0]) if row else 0.0


def replica_usable(*, now: float | None = None) -> bool:
    """Up and fresh enough, judged at most every CASEDESK_REPLICA_CHECK_SECONDS."""
    if not replica_configured():
        return False
    now = time.monotonic() if now is None else now
    checked = _health.get(REPLICA)
    if checked and now - checked[0] < settings.CASEDESK_REPLICA_CHECK_SECONDS:
        return checked[1]
    try:
        lag = replica_lag_seconds()
        usable = lag <= settings.CASEDESK_REPLICA_MAX_LAG_SECONDS
        if not usable:
            logger.warning("replica.lagging lag_seconds=%.1f", lag)
    except DatabaseError as error:
        # A dead replica must not keep a broken connection around for the next check.
        connections[REPLICA].close()
        logger.warning("replica.down error=%s", str(error).strip().splitlines()[0])
        usable = False
    _health[REPLICA] = (now, usable)
    return usable


def forget_replica_health() -> None:
    """Judge the replica afresh on the next read (tests, and after a failover)."""
    _health.clear()


@contextmanager
def replica_reads() -> Iterator[str]:
    """Send the ORM reads inside to the replica when it is usable; yields the alias used."""
    alias = REPLICA if replica_usable() else PRIMARY
    token = _read_alias.set(alias)
    try:
        yield alias
    finally:
        _read_alias.reset(token)


class ReplicaRouter:
    """Reads go where replica_reads() says (the primary outside it); writes and migrations
    always to the primary."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        return _read_alias.get()

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # Both aliases hold the same rows: objects read from either may be related.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY
