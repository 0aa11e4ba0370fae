"""Two asks at the same moment that together pass the staff limit are not both granted.

Run on PostgreSQL with real threads: the case row (and the customer row, for the
customer window) is locked before the running total is summed.
"""

from decimal import Decimal

import pytest

from cases.models import Case, RequestStatus
from tests.exception_fixtures import ask
from tests.factories import CaseFactory
from tests.threads import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 8


def granted_at_once(requests) -> Decimal:
    return sum((r.granted_value for r in requests if r.status == RequestStatus.GRANTED), Decimal(0))


def test_two_asks_on_one_case_at_once_are_not_both_granted(staff, colleague, case, allowed):
    for _ in range(ROUNDS):
        fresh = CaseFactory(team=case.team, created_by=staff)  # and a new customer

        def asker(user, pk=fresh.pk):
            return lambda: ask(Case.objects.get(pk=pk), user, allowed, "20.00")

        results = race(asker(staff), asker(colleague))
        assert not [r for r in results if isinstance(r, Exception)], results
        assert sorted(r.status for r in results) == [RequestStatus.GRANTED, RequestStatus.PENDING]
        assert sorted(r.running_total for r in results) == [Decimal("20.00"), Decimal("40.00")]


def test_two_asks_on_the_customers_two_cases_at_once_are_not_both_granted(
    staff, colleague, case, allowed
):
    for _ in range(ROUNDS):
        first = CaseFactory(team=case.team, created_by=staff)
        second = CaseFactory(team=case.team, customer=first.customer, created_by=staff)

        def asker(user, pk):
            return lambda: ask(Case.objects.get(pk=pk), user, allowed, "20.00")

        results = race(asker(staff, first.pk), asker(colleague, second.pk))
        assert not [r for r in results if isinstance(r, Exception)], results
        assert granted_at_once(results) == Decimal("20.00")
