"""Several short lists of one model in one query: a UNION ALL of ordered, limited branches.

A page that shows a few cards of the same kind (the managers' home: my cases, unassigned,
stale) paid a round trip, a parse and a plan per card. Each branch keeps its own WHERE,
ORDER BY and LIMIT, so PostgreSQL plans it as before (an index walk that stops at its
limit), and the rows come back tagged with their branch. SQLite cannot LIMIT a branch of a
UNION, so there each branch is its own query, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from operator import attrgetter
from typing import Any, TypeVar

from django.db import connection
from django.db.models import IntegerField, Model, QuerySet, Value

from .compiled import compiled

M = TypeVar("M", bound=Model)
R = TypeVar("R")

BRANCH = "combined_branch"  # the annotation naming each row's branch


def in_one_query(branches: Sequence[tuple[QuerySet[M], int]]) -> list[list[M]]:
    """The first `limit` rows of each (queryset, limit), in each queryset's order.

    Every queryset must select the same columns (the same model, select_related and
    annotations) and be ordered by plain field names. UNION ALL promises no order between
    or within branches, so each list is sorted again here by its queryset's ordering.
    """
    if not connection.features.supports_slicing_ordering_in_compound:
        rows = [row for branch in _tagged(branches) for row in branch]
        return _by_branch(_tags(rows), [queryset.query.order_by for queryset, _ in branches])
    union = _union(branches)
    return _by_branch(_tags(union), _orderings(union))


def compiled_in_one_query(
    name: str, branches_of: Callable[..., list[tuple[QuerySet[M], int]]], *shape: Any, **values: Any
) -> list[list[M]]:
    """`in_one_query(branches_of(*shape, **values))`, its SQL made once per shape
    (selectors/compiled.py) and kept prepared (selectors/prepared.py): for the pages that
    run the same unions on every request."""
    if not connection.features.supports_slicing_ordering_in_compound:
        return in_one_query(branches_of(*shape, **values))
    # Prepared: their generic plans walk the same indexes (prepared.py).
    union = compiled(name, _built_union, (branches_of, *shape), prepared=True, **values)
    return _by_branch(_tags(union), _orderings(union))


def compiled_rows_in_one_query(
    name: str,
    make: Callable[[tuple[Any, ...]], R],
    branches_of: Callable[..., list[tuple[QuerySet[Any], int]]],
    *shape: Any,
    **values: Any,
) -> list[list[R]]:
    """As compiled_in_one_query, for branches that are `values_list` querysets: each row
    is made into `make(row)` rather than a model instance (building model instances and
    those they join was most of the managers' home's Python; selectors/table_rows.py).
    Each branch's ORDER BY names attributes of what `make` returns."""
    if not connection.features.supports_slicing_ordering_in_compound:
        branches = branches_of(*shape, **values)
        rows = [row for branch in _tagged(branches) for row in branch]
        orderings = [queryset.query.order_by for queryset, _ in branches]
    else:
        union = compiled(name, _built_union, (branches_of, *shape), prepared=True, **values)
        rows, orderings = list(union), _orderings(union)
    # The branch's tag is the last column: annotations follow a values_list's fields.
    return _by_branch([(row[-1], make(row[:-1])) for row in rows], orderings)


def _built_union(branches_of: Callable[..., Any], *shape: Any, **values: Any) -> QuerySet[Any]:
    return _union(branches_of(*shape, **values))


def _tagged(branches: Sequence[tuple[QuerySet[M], int]]) -> list[QuerySet[M]]:
    return [
        queryset.annotate(**{BRANCH: Value(index, output_field=IntegerField())})[:limit]
        for index, (queryset, limit) in enumerate(branches)
    ]


def _union(branches: Sequence[tuple[QuerySet[M], int]]) -> QuerySet[M]:
    sliced = _tagged(branches)
    return sliced[0] if len(sliced) == 1 else sliced[0].union(*sliced[1:], all=True)


def _orderings(union: QuerySet[Any]) -> list[Sequence[Any]]:
    """Each branch's ORDER BY, from the union's parts (a single branch is its own)."""
    return [query.order_by for query in union.query.combined_queries or (union.query,)]


def _tags(rows: Iterable[M]) -> list[tuple[int, M]]:
    return [(getattr(row, BRANCH), row) for row in rows]


def _by_branch(tagged: list[tuple[int, R]], orderings: Sequence[Sequence[Any]]) -> list[list[R]]:
    found: list[list[R]] = [[] for _ in orderings]
    for branch, row in tagged:
        found[branch].append(row)
    return [_ordered(rows, order_by) for rows, order_by in zip(found, orderings, strict=True)]


def _ordered(rows: list[R], order_by: Sequence[Any]) -> list[R]:
    """`rows` sorted as an ORDER BY of plain fields would ("-" for descending; stable
    sorts from the last key to the first)."""
    for field in reversed(list(order_by)):
        name = str(field)
        descending = name.startswith("-")
        key: Any = attrgetter(name.lstrip("-").replace("__", "."))
        rows = sorted(rows, key=key, reverse=descending)
    return rows
