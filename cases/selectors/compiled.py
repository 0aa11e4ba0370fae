"""Querysets turned into SQL once per shape, not once per request.

Django builds a query's SQL afresh each time it runs. On the hot pages that cost as much
as running it: in-process at 1M cases, making SQL was 10.4 ms of the managers' home's
37.6 ms (p50; its three unions of five-table branches) and 5–7 ms of the approvals queue,
the case page and the profile, against 6–9 ms executing their queries
(bench/results/compile-share-2026-12-01-0638-before.json; -after.json: 0.2–1.9 ms). The
SQL of a page's query changes with the shape of what it is asked (the user's role, how
many teams they are in), not with the values (which user, which teams, what time): so it
is made once per shape and process, and each request runs it with its own values.

How the values find their places: the query is built with stand-ins (sentinel ids,
times and a stand-in user no real row can have), compiled, and each stand-in found among
the SQL's parameters. It is built and compiled twice, with different stand-ins, and must
come out the same but for them: a value the build read from anywhere else (the clock, a
closure) would differ between the two and is refused, rather than frozen into every later
request. The check cannot see a value that would be the same in both compiles yet change
later (today's date): so the builds take every time they use as a value, and are plain
module-level functions of the shape and the values. Settings changes (tests) clear the
cache.

The rows come back through Django's own model iterable (select_related, annotations and
prefetches as usual): only its compiler is handed the SQL instead of making it.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet
from django.core.signals import setting_changed
from django.db import connections
from django.db.models import Model, QuerySet

from ..models import User
from .prepared import Statement, prepared_on, statement_for

M = TypeVar("M", bound=Model)

_SENTINEL_INT = -2_000_000_000  # ids are positive; no query of ours has such a constant
_SENTINEL_TIME = datetime(1901, 1, 1, tzinfo=UTC)
_BIGINT = (-(2**63), 2**63 - 1)  # what a parameter may be: the widest integer column
MAX_SHAPES = 512  # a few roles times team counts; a bound in case of a surprise


@dataclass(frozen=True)
class _Compiled:
    queryset: QuerySet[Any]
    compiler: Any  # the SQLCompiler that made `sql`: its select and klass_info stay valid
    sql: str
    params: tuple[Any, ...]  # the constants, with None where a value goes
    slots: tuple[tuple[int, int], ...]  # (parameter position, index into the flat values)
    statement: Statement | None  # its prepared form, for queries that take one


_cache: dict[tuple[Any, ...], _Compiled] = {}
_lock = threading.Lock()


def _clear(**_: Any) -> None:
    _cache.clear()


setting_changed.connect(_clear)


def compiled(
    name: str,
    build: Callable[..., QuerySet[M]],
    shape: tuple[Any, ...],
    *,
    prepared: bool = False,
    **values: Any,
) -> QuerySet[M]:
    """`build(*shape, **values)`, its SQL made once per (name, shape, kinds of values);
    with `prepared`, run as a prepared statement on PostgreSQL (prepared.py: only for
    queries whose generic plan is as good as their custom ones).

    `values` are ints, strings, datetimes, lists of ints, or a User (its pk, role and team ids are
    what a query may use: the role and the number of teams become part of the shape).
    The queryset returned is to be evaluated as it is (not filtered further).
    """
    for function in (build, *(part for part in shape if callable(part))):
        if function.__code__.co_freevars:
            raise TypeError(f"{name}: a build must not close over values; pass them in")
    if any(getattr(value, "is_anonymous", False) for value in values.values()):
        # Signed out: the scoping functions answer none() without SQL worth keeping.
        return build(*shape, **values)
    flat = _flatten(values)
    if any(isinstance(value, int) and not _BIGINT[0] <= value <= _BIGINT[1] for value in flat):
        # An id typed into a URL too large for the column: Django's own lookups match
        # nothing for it; handed to the kept SQL, PostgreSQL would refuse it (an error).
        return build(*shape, **values)
    key = (name, connections["default"].vendor, shape, _kinds(values))
    entry = _cache.get(key)
    if entry is None:
        try:
            entry = _compile(name, build, shape, values, prepared=prepared)
        except EmptyResultSet:
            # Nothing can match (a user in no team: an empty IN list): no SQL to keep.
            return build(*shape, **values)
        with _lock:
            if len(_cache) >= MAX_SHAPES:
                _cache.clear()
            _cache[key] = entry
    params = list(entry.params)
    for position, index in entry.slots:
        params[position] = flat[index]
    return _ready(entry, tuple(params))


def _ready(entry: _Compiled, params: tuple[Any, ...]) -> QuerySet[Any]:
    """A fresh copy of the compiled queryset whose compiler hands over the SQL made
    before, with these parameters, instead of making it."""
    queryset: QuerySet[Any] = entry.queryset._chain()  # type: ignore[attr-defined]
    compiler = copy.copy(entry.compiler)
    compiler.connection = connections[queryset.db]  # this thread's connection
    statement = entry.statement
    if statement is None:
        compiler.as_sql = lambda *args, **kwargs: (entry.sql, params)
    else:
        values = tuple(params[position] for position, _ in entry.slots)

        def as_sql(*args: Any, **kwargs: Any) -> tuple[str, tuple[Any, ...]]:
            prepared_on(compiler.connection, statement)
            return statement.execute, values

        compiler.as_sql = as_sql
    queryset.query.get_compiler = lambda *args, **kwargs: compiler  # type: ignore[method-assign]
    return queryset


def _kinds(values: dict[str, Any]) -> tuple[Any, ...]:
    kinds: list[tuple[Any, ...]] = []
    for name, value in sorted(values.items()):
        if isinstance(value, User):
            kinds.append((name, "user", value.role, len(value.team_ids())))
        elif isinstance(value, list | tuple):
            kinds.append((name, "ints", len(value)))
        else:
            kinds.append((name, type(value).__name__))
    return tuple(kinds)


def _flatten(values: dict[str, Any]) -> list[Any]:
    """Every value in a fixed order: a user as its pk then its team ids."""
    flat: list[Any] = []
    for _, value in sorted(values.items()):
        if isinstance(value, User):
            flat += [value.pk, *value.team_ids()]
        elif isinstance(value, list | tuple):
            flat += list(value)
        else:
            flat.append(value)
    return flat


def _stand_ins(values: dict[str, Any], counter: Any) -> dict[str, Any]:
    def one(value: Any) -> Any:
        step = next(counter)
        if isinstance(value, bool) or not isinstance(value, int | datetime | str):
            raise TypeError(f"compiled() takes ints, strings, times and users, not {value!r}")
        if isinstance(value, datetime):
            return _SENTINEL_TIME + timedelta(microseconds=step)
        if isinstance(value, str):
            return f"\x1fstand-in {step}"
        return _SENTINEL_INT - step

    stand_ins: dict[str, Any] = {}
    for name, value in sorted(values.items()):
        if isinstance(value, User):
            user = User(pk=one(value.pk), role=value.role, username="stand-in")
            user._team_ids = [one(team) for team in value.team_ids()]
            stand_ins[name] = user
        elif isinstance(value, list | tuple):
            stand_ins[name] = [one(item) for item in value]
        else:
            stand_ins[name] = one(value)
    return stand_ins


def _compile(
    name: str,
    build: Callable[..., QuerySet[M]],
    shape: tuple[Any, ...],
    values: dict[str, Any],
    *,
    prepared: bool,
) -> _Compiled:
    counter = itertools.count(1)
    attempts = []
    for _ in range(2):
        stand_ins = _stand_ins(values, counter)
        queryset = build(*shape, **stand_ins)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        places = _places(_flatten(stand_ins), params, compiler.connection)
        attempts.append((queryset, compiler, sql, params, places))
    (queryset, compiler, sql, params, places), (_, _, sql2, params2, places2) = attempts
    constants = [p for i, p in enumerate(params) if i not in places]
    constants2 = [p for i, p in enumerate(params2) if i not in places2]
    if sql != sql2 or places.keys() != places2.keys() or constants != constants2:
        raise ValueError(f"{name}: the query read a value it was not given (the clock?)")
    kept = tuple(None if i in places else p for i, p in enumerate(params))
    statement = statement_for(compiler.connection, sql, params, set(places)) if prepared else None
    return _Compiled(queryset, compiler, sql, kept, tuple(sorted(places.items())), statement)


def _places(flat: Sequence[Any], params: Sequence[Any], connection: Any) -> dict[int, int]:
    """Where each stand-in went among the parameters (the database's form of a time too)."""
    index_of: dict[Any, int] = {}
    for index, value in enumerate(flat):
        index_of[(type(value), value)] = index
        if isinstance(value, datetime):
            adapted = connection.ops.adapt_datetimefield_value(value)
            index_of[(type(adapted), adapted)] = index
    places: dict[int, int] = {}
    for position, param in enumerate(params):
        found = index_of.get((type(param), param))
        if found is not None:
            places[position] = found
    # A value not found is either unused (an admin's teams) or changed on its way in (a
    # pattern made of a word): the second compile's constants then differ, and are refused.
    return places
