"""Claiming and recording outbox rows: the one pattern behind reminders and webhooks.

An outbox row has a `state` (pending → sending → …), a due time, `attempts` and
`claimed_at`. A sweep claims a batch by conditional update (whoever changes a row owns
it), works outside any transaction, and records each outcome with an update fenced by the
claim time, so a row recovered or requeued meanwhile keeps its newer outcome.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, cast

from django.conf import settings
from django.db import connection as db
from django.db import models
from django.db.models import F, Field

_CLAIM_SQL = """
    UPDATE {table} SET state = 'sending', claimed_at = %s, attempts = attempts + 1
    WHERE id IN (
        SELECT id FROM {table}
        WHERE state = 'pending' AND {due} <= %s{scope}
        ORDER BY {due}, id
        LIMIT %s
        FOR UPDATE SKIP LOCKED
    )
    RETURNING id
"""


def _field(model: type[models.Model], name: str) -> Field[Any, Any]:
    # A concrete column of the outbox table (never a relation's reverse side).
    return cast("Field[Any, Any]", model._meta.get_field(name))


def db_value(model: type[models.Model], name: str, value: object) -> Any:
    """A field's value as the database stores it (SQLite keeps date-times as text, so raw
    SQL must compare them in that form)."""
    return _field(model, name).get_db_prep_save(value, connection=db)


def claim_ids(
    model: type[models.Model],
    *,
    now: datetime,
    size: int,
    due_field: str,
    scope: dict[str, Any] | None = None,
) -> list[int]:
    """Mark up to `size` of the oldest due pending rows as ours (sending, claimed now, one
    more attempt); their ids. `scope` narrows to rows with these column values."""
    scope = scope or {}
    if db.vendor == "postgresql":
        # One statement; SKIP LOCKED lets concurrent sweeps take disjoint batches at once,
        # and a row another sweep claimed meanwhile fails the re-checked `state = 'pending'`.
        table = model._meta.db_table
        column = _field(model, due_field).column
        where = "".join(f" AND {_field(model, k).column} = %s" for k in scope)
        sql = _CLAIM_SQL.format(table=table, due=column, scope=where)
        with db.cursor() as cursor:
            cursor.execute(sql, [now, now, *scope.values(), size])
            return [row[0] for row in cursor.fetchall()]
    # Elsewhere (SQLite): pick candidates, then a conditional update decides who owns each.
    manager = model._default_manager
    due = manager.filter(state="pending", **{f"{due_field}__lte": now}, **scope)
    claimed: list[int] = []
    # Twice as many candidates as wanted: another sweep may take some of them first.
    for row_id in due.order_by(due_field, "id").values_list("id", flat=True)[: size * 2]:
        taken = manager.filter(pk=row_id, state="pending").update(
            state="sending", claimed_at=now, attempts=F("attempts") + 1
        )
        if taken:
            claimed.append(row_id)
            if len(claimed) == size:
                break
    return claimed


def record(
    model: type[models.Model], pk: int, *, claimed_at: datetime | None, **fields: object
) -> bool:
    """Record a claimed row's outcome if the claim still holds (still sending, same claim
    time); raw SQL because it runs once per row sent, and the ORM spent about as long
    compiling it as the database spent running it."""
    table = model._meta.db_table
    sets = ", ".join(f"{_field(model, name).column} = %s" for name in fields)
    values = [db_value(model, name, value) for name, value in fields.items()]
    sql = f"UPDATE {table} SET {sets} WHERE id = %s AND state = 'sending' AND claimed_at = %s"
    with db.cursor() as cursor:
        cursor.execute(sql, [*values, pk, db_value(model, "claimed_at", claimed_at)])
        changed: int = cursor.rowcount
    return changed == 1


@contextmanager
def relaxed_commits() -> Iterator[None]:
    """Within: this connection's commits do not wait for the disk (PostgreSQL's
    synchronous_commit off; elsewhere nothing changes).

    For an at-least-once outbox whose copies are identical (webhooks): the wait was most
    of a delivery's cost on this machine (the drain went from about 160 to 350 a second).
    A crash of the worker loses nothing by it; only a crash of PostgreSQL itself can forget
    the last moment's claims and outcomes, and those rows are then sent again. Not for
    reminders, which promise no repeat beyond the sender's own death.

    Not behind PgBouncer in transaction mode (DATABASE_POOLER): a session setting there
    would stay on a shared server connection and reach other clients' commits."""
    if db.vendor != "postgresql" or settings.DATABASE_POOLER:
        yield
        return
    with db.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    try:
        yield
    finally:
        with contextlib.suppress(Exception), db.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def release(model: type[models.Model], rows: Sequence[Any], **fields: object) -> int:
    """Give claimed, unsent rows back (pending, this claim not counted as a try)."""
    if not rows:
        return 0
    return model._default_manager.filter(
        pk__in=[row.pk for row in rows],
        state="sending",
        claimed_at=rows[0].claimed_at,  # one claim statement, one claim time
    ).update(state="pending", attempts=F("attempts") - 1, **fields)
