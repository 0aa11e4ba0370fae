"""Bulk actions racing single-case actions, on PostgreSQL with real threads: every case
ends in one consistent state, with one timeline event per change."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent, EventKind, Status, User
from tests.factories import CaseFactory, CustomerFactory
from tests.threads import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 4


def make_cases(n, *, team, by, category, **fields):
    customer = CustomerFactory(team=team, created_by=by)
    return [
        CaseFactory(team=team, customer=customer, created_by=by, category=category, **fields)
        for _ in range(n)
    ]


def test_bulk_assign_of_100_racing_a_single_resolve(manager, staff, colleague, team, category):
    for round_ in range(ROUNDS):
        cases = make_cases(
            100, team=team, by=staff, category=category, status=Status.OPEN, assignee=staff
        )
        ids = [c.pk for c in cases]
        target = cases[(round_ * 37) % 100].pk

        def assign(ids=ids):
            return services.bulk_assign(
                by=User.objects.get(pk=manager.pk), case_ids=ids, assignee=colleague
            )

        def resolve(target=target):
            return services.resolve_case(
                Case.objects.get(pk=target), by=staff, outcome="compromise", summary="credit"
            )

        results = race(assign, resolve)
        assert not [r for r in results if isinstance(r, Exception)], results
        rows = Case.objects.filter(pk__in=ids)
        # Every case changed hands once, whichever came first.
        assert set(rows.values_list("assignee", flat=True)) == {colleague.pk}
        assigned = CaseEvent.objects.filter(case_id__in=ids, kind=EventKind.ASSIGNEE)
        assert sorted(assigned.values_list("case_id", flat=True)) == sorted(ids)
        # The one resolve happened once, with its outcome on the row and its event.
        resolved = CaseEvent.objects.filter(case_id__in=ids, kind=EventKind.RESOLVED)
        assert list(resolved.values_list("case_id", "to_value")) == [(target, "compromise")]
        assert rows.get(pk=target).status == Status.RESOLVED
        assert rows.exclude(pk=target).filter(status=Status.OPEN).count() == 99


def test_bulk_close_racing_a_reopen_is_all_or_nothing(manager, staff, team, category):
    for round_ in range(ROUNDS):
        cases = make_cases(
            20,
            team=team,
            by=staff,
            category=category,
            status=Status.RESOLVED,
            outcome="compromise",
            resolved_at=timezone.now(),
        )
        ids = [c.pk for c in cases]
        target = cases[round_ * 5].pk

        def close(ids: list[int] = ids) -> object:
            return services.bulk_close(by=User.objects.get(pk=manager.pk), case_ids=ids)

        def reopen(pk: int = target) -> object:
            return services.reopen_case(Case.objects.get(pk=pk), by=staff, reason="called")

        results = race(close, reopen)
        closed = CaseEvent.objects.filter(case_id__in=ids, kind=EventKind.CLOSED).count()
        reopened = CaseEvent.objects.filter(case_id=target, kind=EventKind.REOPENED).count()
        rows = Case.objects.filter(pk__in=ids)
        if isinstance(results[0], services.BulkRefused):
            # The reopen came first: the bulk close names that case and closes nothing.
            assert list(results[0].problems) == [Case.objects.get(pk=target).reference]
            assert (closed, reopened) == (0, 1)
            assert rows.filter(status=Status.CLOSED).count() == 0
            assert rows.get(pk=target).status == Status.OPEN
        else:
            # The close came first: all twenty closed, each with its event; no reopen.
            assert isinstance(results[1], services.InvalidTransition), results
            assert (closed, reopened) == (20, 0)
            assert rows.filter(status=Status.CLOSED).count() == 20
