"""Several short lists of one model in one query: a UNION ALL of ordered, limited branches.

A page that shows a few cards of the same kind (the managers' home: my cases, unassigned,
stale) paid a round trip, a parse and a plan per card. Each branch keeps its own WHERE,
ORDER BY and LIMIT, so PostgreSQL plans it as before (an index walk that stops at its
limit), and the rows come back tagged with their branch. SQLite cannot LIMIT a branch of a
UNION, so there each branch is its own query, as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter
from typing import Any, TypeVar

from django.db import connection
from django.db.models import IntegerField, Model, QuerySet, Value

M = TypeVar("M", bound=Model)

BRANCH = "combined_branch"  # the annotation naming each row's branch


def in_one_query(branches: Sequence[tuple[QuerySet[M], int]]) -> list[list[M]]:
    """The first `limit` rows of each (queryset, limit), in each queryset's order.

    Every queryset must select the same columns (the same model, select_related and
    annotations) and be ordered by plain field names. UNION ALL promises no order between
    or within branches, so each list is sorted again here by its queryset's ordering.
    """
    sliced = [
        queryset.annotate(**{BRANCH: Value(index, output_field=IntegerField())})[:limit]
        for index, (queryset, limit) in enumerate(branches)
    ]
    if len(sliced) == 1:
        rows: list[M] = list(sliced[0])
    elif connection.features.supports_slicing_ordering_in_compound:
        rows = list(sliced[0].union(*sliced[1:], all=True))
    else:
        rows = [row for branch in sliced for row in branch]
    found: list[list[M]] = [[] for _ in branches]
    for row in rows:
        found[getattr(row, BRANCH)].append(row)
    return [_ordered(rows, queryset) for rows, (queryset, _) in zip(found, branches, strict=True)]


def _ordered(rows: list[M], queryset: QuerySet[M]) -> list[M]:
    """`rows` sorted as the queryset's ORDER BY would (plain fields, "-" for descending;
    stable sorts from the last key to the first)."""
    for field in reversed(list(queryset.query.order_by)):
        name = str(field)
        descending = name.startswith("-")
        key: Any = attrgetter(name.lstrip("-").replace("__", "."))
        rows = sorted(rows, key=key, reverse=descending)
    return rows
