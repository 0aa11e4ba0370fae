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
depends on the value (a customer's interactions, newest first, through a semi-join
planned for the customer at hand), so only queries whose generic plan was checked at 1M
take it (bench/prepared_plans.py), and tests/cases/test_hot_query_plans.py checks that
their generic plans read no big table sequentially.

PREPARE is outside transactions (a rollback keeps it) and lives as long as the
connection: statements are tracked per raw connection, so a new connection prepares
again; a statement the server lost or that a migration made stale is prepared afresh
(_recovering). Not behind PgBouncer in transaction mode (DATABASE_POOLER), where
consecutive transactions may run on different server connections, nor with a connection
per request (CONN_MAX_AGE 0). The PREPARE itself goes past Django's query log (it runs
once per connection and statement, not per request), so query counts stay what each
request runs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError
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
    the rest constants; None where it cannot be or should not (not PostgreSQL, behind a
    pooler, a connection per request, a value of a type the statement could not declare)."""
    if connection.vendor != "postgresql" or settings.DATABASE_POOLER:
        return None
    if connection.settings_dict.get("CONN_MAX_AGE") == 0:
        # A connection per request: a PREPARE each time, and never a generic plan.
        return None
    from psycopg2.extensions import AsIs

    types = [_type_of(params[position]) for position in sorted(slots)]
    if None in types:
        return None
    numbers = {position: number for number, position in enumerate(sorted(slots), start=1)}
    filled = [AsIs(f"${numbers[i]}") if i in numbers else param for i, param in enumerate(params)]
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:  # psycopg2's quoting, as Django's
        query = cursor.mogrify(sql, filled).decode()
    name = "cd_" + hashlib.sha1(f"{types}{query}".encode()).hexdigest()[:24]
    declared = f" ({', '.join(str(t) for t in types)})" if types else ""
    arguments = f"({', '.join(['%s'] * len(types))})" if types else ""
    return Statement(name, f"PREPARE {name}{declared} AS {query}", f"EXECUTE {name}{arguments}")


# What a prepared statement's EXECUTE can meet that plain SQL would not: a statement the
# server no longer has (26000), or one whose result columns a migration changed under an
# open connection ("cached plan must not change result type", 0A000).
_STALE = {"26000", "0A000"}
_statements: dict[str, Statement] = {}  # by name, for the retry


@dataclass
class _Held:
    """The statements prepared on one raw connection."""

    raw: Any
    names: set[str] = field(default_factory=set)
    stale: bool = False  # some may be out of date: DEALLOCATE ALL before the next PREPARE


def prepared_on(connection: BaseDatabaseWrapper, statement: Statement) -> None:
    """Make sure this connection has `statement` prepared."""
    # Before looking at the raw connection: a failed health check makes a new one (Django
    # would otherwise check only when the EXECUTE asks for a cursor, after this).
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    held = getattr(connection, "_casedesk_prepared", None)
    if held is None or held.raw is not raw:
        # A connection made since: it has none of ours.
        held = _Held(raw)
        connection._casedesk_prepared = held  # type: ignore[attr-defined]
        if _recovering not in connection.execute_wrappers:
            # First, not last: execute_wrapper() blocks pop the last one on their way out.
            connection.execute_wrappers.insert(0, _recovering)
    if statement.name in held.names:
        return
    if len(_statements) >= 8 * MAX_PER_CONNECTION:
        _statements.clear()  # a bound; a statement missing here is simply not retried
    _statements[statement.name] = statement
    with connection.wrap_database_errors, raw.cursor() as cursor:
        if held.stale or len(held.names) >= MAX_PER_CONNECTION:
            cursor.execute("DEALLOCATE ALL")
            held.names.clear()
            held.stale = False
        cursor.execute(statement.prepare)
    held.names.add(statement.name)


def _recovering(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    """An EXECUTE that met a missing or outdated statement: forget what this connection
    holds, and outside a transaction prepare again and retry once. Inside one the
    transaction is already aborted: the error stands, and the next request prepares
    afresh (one failed request per connection after such a migration, not every one)."""
    try:
        return execute(sql, params, many, context)
    except DatabaseError as error:
        code = getattr(error.__cause__, "pgcode", None)
        name = sql[len("EXECUTE ") :].split("(", 1)[0] if sql.startswith("EXECUTE cd_") else ""
        connection = context["connection"]
        held = getattr(connection, "_casedesk_prepared", None)
        if code not in _STALE or name not in _statements or held is None:
            raise
        held.names.clear()
        held.stale = True
        if connection.in_atomic_block:
            raise
        prepared_on(connection, _statements[name])
        return execute(sql, params, many, context)
