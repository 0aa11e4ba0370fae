"""Compiled queries kept as prepared statements on each PostgreSQL connection.

With its SQL made once per shape (compiled.py), what a hot query still paid per request
was PostgreSQL's planning, longer than the running for most of them at 1M cases
(bench/results/planning-*; what preparing saves: bench/results/prepared-plans-*). A
prepared statement is parsed once per connection, and after five runs PostgreSQL keeps a
generic plan when it costs no more than the plans it made for the values
(`plan_cache_mode = auto`), so it stops planning.

Only the values that change per request become parameters; the constants the ORM passed
as parameters (statuses, a union branch's number) are written into the statement, so the
generic plan sees them as a custom plan would. Opt-in per query (`compiled(...,
prepared=True)`): a generic plan can be far worse than a custom one when the best plan
depends on the value (a customer's interactions, newest first, did not finish in a
minute on their generic plan at 1M, against 2 ms custom), so only queries whose generic
plan was checked at 1M take it, and tests/cases/test_hot_query_plans.py checks that
their generic plans keep their index walks.

PREPARE is outside transactions (a rollback keeps it) and lives as long as the
connection: statements are tracked per raw connection, so a new connection prepares
again. Not behind PgBouncer in transaction mode (DATABASE_POOLER), where consecutive
transactions may run on different server connections. The PREPARE itself goes past
Django's query log (it runs once per connection and statement, not per request), so
query counts stay what each request runs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper

MAX_PER_CONNECTION = 256  # then DEALLOCATE ALL and start again: a bound, not a budget


@dataclass(frozen=True)
class Statement:
    name: str
    prepare: str  # PREPARE name (types) AS the query, constants written in
    execute: str  # EXECUTE name(%s, ...), one placeholder per value


def _type_of(value: Any) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "bigint"  # compares with integer columns through their indexes
    if isinstance(value, datetime):
        return "timestamptz"
    if isinstance(value, str):
        return "text"
    return None


def statement_for(
    connection: BaseDatabaseWrapper, sql: str, params: tuple[Any, ...], slots: set[int]
) -> Statement | None:
    """The prepared form of `sql`, whose parameters at `slots` are per-request values and
    the rest constants; None where it cannot be (not PostgreSQL, behind a pooler, a value
    of a type the statement could not declare)."""
    if connection.vendor != "postgresql" or settings.DATABASE_POOLER:
        return None
    from psycopg2.extensions import AsIs

    types = [_type_of(params[position]) for position in sorted(slots)]
    if None in types:
        return None
    numbers = {position: number for number, position in enumerate(sorted(slots), start=1)}
    filled = [AsIs(f"${numbers[i]}") if i in numbers else param for i, param in enumerate(params)]
    connection.ensure_connection()
    query = connection.connection.cursor().mogrify(sql, filled).decode()
    name = "cd_" + hashlib.sha1(f"{types}{query}".encode()).hexdigest()[:24]
    declared = f" ({', '.join(str(t) for t in types)})" if types else ""
    arguments = f"({', '.join(['%s'] * len(types))})" if types else ""
    return Statement(name, f"PREPARE {name}{declared} AS {query}", f"EXECUTE {name}{arguments}")


def prepared_on(connection: BaseDatabaseWrapper, statement: Statement) -> None:
    """Make sure this connection has `statement` prepared."""
    connection.ensure_connection()
    raw = connection.connection
    held = getattr(connection, "_casedesk_prepared", None)
    if held is None or held[0] is not raw:
        # A connection made since: it has none of ours.
        held = (raw, set())
        connection._casedesk_prepared = held  # type: ignore[attr-defined]
    names: set[str] = held[1]
    if statement.name in names:
        return
    with connection.wrap_database_errors, raw.cursor() as cursor:
        if len(names) >= MAX_PER_CONNECTION:
            cursor.execute("DEALLOCATE ALL")
            names.clear()
        cursor.execute(statement.prepare)
    names.add(statement.name)
