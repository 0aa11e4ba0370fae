"""Cases as plain rows: what the table of cases shows, and no more (the case list's pages
and the homes' case cards).

Those rows used to be five model instances each (the case, its customer, team, category
and assignee), built by Django from the row: with the columns already cut to what the
table shows, building them was still a sixth of the case list's work in the web process
under load (py-spy on the gunicorn workers), and half of the managers' home's Python
calls (cProfile: its three cards, up to 60 cases). The table reads a dozen attributes
(templatetags/casedesk.py, case_table), so the rows come back as tuples and are made
into small objects with just those attributes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from ..models import User, flag_labels, format_reference
from .cases import case_list_queryset
from .compiled import compiled


@dataclass(frozen=True, slots=True)
class TableCustomer:
    pk: int
    name: str
    flags: list[str]

    def __str__(self) -> str:
        return self.name

    def flag_labels(self) -> list[tuple[str, str, bool]]:
        return flag_labels(self.flags)


@dataclass(frozen=True, slots=True)
class TableCase:
    pk: int
    subject: str
    status: str
    priority: str
    created_at: datetime
    last_activity_at: datetime
    customer: TableCustomer
    team: str
    category: str
    assignee: str | None  # as str(user): the full name, else the username

    @property
    def reference(self) -> str:
        return format_reference(self.pk)


_COLUMNS = (
    *("pk", "subject", "status", "priority", "created_at", "last_activity_at"),
    *("customer_id", "customer__name", "customer__flags", "team__name", "category__name"),
    *("assignee_id", "assignee__first_name", "assignee__last_name", "assignee__username"),
)


def case_list_rows(user: User, ids: list[int]) -> list[TableCase]:
    """A page of the case list, its ids already found (pagination.py), in their order.

    By key, through the same scoping: the filters already chose the ids, so every page of
    every filter loads its rows with one query made once per shape and kept prepared
    (compiled.py, prepared.py), not compiled and planned again with each filter's WHERE."""
    if not ids:
        return []
    rows = compiled("case_list.rows", _rows, (), prepared=True, user=user, ids=ids)
    by_id = {row[0]: table_case(row) for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def _rows(*, user: User, ids: list[int]) -> QuerySet[Any]:
    return table_queryset(user).filter(pk__in=ids).order_by()


def table_queryset(user: User) -> QuerySet[Any]:
    """The cases `user` may see, as the rows table_case makes into TableCases (the case
    list's pages, the homes' case cards)."""
    return case_list_queryset(user).values_list(*_COLUMNS)


def table_case(row: tuple[Any, ...]) -> TableCase:
    pk, subject, status, priority, created, active, customer_id, name, flags = row[:9]
    team, category, assignee_id, first, last, username = row[9:]
    assignee = None
    if assignee_id is not None:
        # As Django's User.get_full_name() or the username (cases/models/people.py).
        assignee = f"{first} {last}".strip() or username
    return TableCase(
        pk=pk,
        subject=subject,
        status=status,
        priority=priority,
        created_at=created,
        last_activity_at=active,
        customer=TableCustomer(pk=customer_id, name=name, flags=flags),
        team=team,
        category=category,
        assignee=assignee,
    )
