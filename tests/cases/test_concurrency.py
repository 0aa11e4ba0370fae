"""Two people acting on one case at the same moment: the database decides once.

Run on PostgreSQL with real threads (SQLite serialises writers, which proves nothing).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent, EventKind, Status
from tests.exception_fixtures import ask
from tests.threads import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 15


def test_two_people_resolving_at_once_resolve_once(staff, colleague, customer, category):
    for round_ in range(ROUNDS):
        case = services.open_case(
            by=staff,
            customer=customer,
            team=customer.team,
            subject=f"Race {round_}",
            category=category,
            channel="phone",
            first_summary="first contact",
        )

        def resolve(user, outcome, pk=case.pk):
            return lambda: services.resolve_case(
                Case.objects.get(pk=pk), by=user, outcome=outcome, summary=f"by {user}"
            )

        results = race(resolve(staff, "compromise"), resolve(colleague, "policy_upheld"))
        errors = [r for r in results if isinstance(r, Exception)]
        assert len(errors) == 1 and isinstance(errors[0], services.InvalidTransition), results
        case.refresh_from_db()
        assert case.status == Status.RESOLVED
        events = CaseEvent.objects.filter(case=case, kind=EventKind.RESOLVED)
        assert events.count() == 1
        # The stored outcome is the winner's, matching its event.
        assert events.get().to_value == case.outcome


def test_reopen_and_auto_close_racing_leave_one_story(staff, customer, category, settings):
    settings.CASEDESK_AUTO_CLOSE_DAYS = 1
    for round_ in range(ROUNDS):
        case = services.open_case(
            by=staff,
            customer=customer,
            team=customer.team,
            subject=f"Quiet {round_}",
            category=category,
            channel="phone",
            first_summary="first contact",
        )
        services.resolve_case(case, by=staff, outcome="compromise", summary="credit")
        past = timezone.now() - timedelta(days=3)
        Case.objects.filter(pk=case.pk).update(resolved_at=past, last_activity_at=past)

        def reopen(pk: int = case.pk) -> object:
            return services.reopen_case(Case.objects.get(pk=pk), by=staff, reason="called")

        race(services.close_quiet_cases, services.close_quiet_cases, reopen)
        case.refresh_from_db()
        closed = CaseEvent.objects.filter(case=case, kind=EventKind.CLOSED).count()
        reopened = CaseEvent.objects.filter(case=case, kind=EventKind.REOPENED).count()
        # Either the sweep closed it (once) or staff reopened it first — never both, never twice.
        assert (closed, reopened) in {(1, 0), (0, 1)}
        assert case.status == (Status.CLOSED if closed else Status.OPEN)


def test_cases_opened_at_once_get_distinct_references(staff, customer, category):
    def open_one(i):
        return lambda: (
            services.open_case(
                by=staff,
                customer=customer,
                team=customer.team,
                subject=f"Parallel {i}",
                category=category,
                channel="phone",
            ).reference
        )

    references = race(*(open_one(i) for i in range(8)))
    assert all(isinstance(r, str) for r in references), references
    assert len(set(references)) == 8


def test_two_managers_deciding_at_once_decide_once(
    staff, manager, team, customer, category, allowed
):
    from decimal import Decimal

    from cases.models import ExceptionRequest, RequestStatus, Role
    from tests.factories import CustomerFactory, UserFactory

    second = UserFactory(username="manager2", role=Role.MANAGER, teams=[team])
    for round_ in range(ROUNDS):
        case = services.open_case(
            by=staff,
            # A customer per round: one customer's asks would add up past a manager's limit.
            customer=CustomerFactory.create(team=team, created_by=staff),
            team=team,
            subject=f"Ask {round_}",
            category=category,
            channel="phone",
        )
        pending = ask(case, staff, allowed)

        def decide(user, decision, pk=pending.pk):
            return lambda: services.decide_exception(
                ExceptionRequest.objects.get(pk=pk),
                by=user,
                decision=decision,
                reason=f"{user} says {decision}",
                counter_value=Decimal("30"),
            )

        results = race(decide(manager, "approve"), decide(second, "deny"))
        losers = [r for r in results if isinstance(r, Exception)]
        assert len(losers) == 1 and isinstance(losers[0], services.AlreadyDecided), results
        decided = ExceptionRequest.objects.get(pk=pending.pk)
        assert decided.status in {RequestStatus.APPROVED, RequestStatus.DENIED}
        events = CaseEvent.objects.filter(case=case, kind=EventKind.EXCEPTION_DECIDED)
        assert events.count() == 1
        assert events.get().actor_id == decided.decided_by_id
        # The loser is told who decided and how.
        assert str(decided.decided_by) in str(losers[0])
        assert Case.objects.get(pk=case.pk).status == Status.OPEN
