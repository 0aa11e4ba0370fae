"""Queries whose joins PostgreSQL should take in the order they are written.

For a query joining up to `join_collapse_limit` (8) tables, PostgreSQL searches the
orders of its joins for the cheapest plan. The approvals queue joins eight (the request,
its case, customer, team, asker, policy version, policy and allowed exception) and has
three subqueries; the managers' home sends three unions of five tables a branch. At 1M
cases PostgreSQL spent longer planning them than running them: 5.6 ms planning the queue
against 2.5 running it, 10.8 planning the home's unions against 2.4
(bench/results/planning-2026-11-30-2348.json, calibration 26.7 ms). These queries start
from the index that orders them (the oldest pending requests, my newest cases) and reach
every other table by its key, so the written order is the plan PostgreSQL picks anyway;
with `join_collapse_limit = 1` the queue plans in 2.4 ms and the unions in 7.9, and the
pages, served in-process and alternated, were 3.2 and 1.5 ms faster at p50 (the staff
home, one query of each kind, 0.7). The case page's reads and the customer profile's
cases and ledger are of the same kind (a key, then keys). Not for every query: search's
steps and the profile's interactions are written around semi-joins that PostgreSQL must
be free to reorder (in written order they took seconds).

The setting is made with SET LOCAL inside a transaction (the block's own, or the one it
runs in, put back at the end of the block), so it never outlives it and stays on one
server connection through PgBouncer in transaction mode. Elsewhere than PostgreSQL,
nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def joins_as_written() -> Iterator[None]:
    """Run the queries of the `with` block with PostgreSQL keeping their join order.

    On the default database, where these pages read (the replica takes only insights,
    exports and the generator's reads)."""
    if connection.vendor != "postgresql":
        yield
        return
    if connection.in_atomic_block:
        # SET LOCAL would last until the outer transaction ends: put back after the block.
        # (Should a query fail, the transaction it breaks is rolled back, setting and all.)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL join_collapse_limit = 1")
            yield
            cursor.execute("SET LOCAL join_collapse_limit TO DEFAULT")
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL join_collapse_limit = 1")
        yield
