"""The retention sweep: across its boundary, in bounded batches, resumable, never twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from cases.models import Case, Customer, Interaction
from privacy import retention, services
from privacy.models import CaseAnonymisation, Erasure, RetentionProgress
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2020, 1, 15, 12, 0, tzinfo=UTC)
SIX_YEARS = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def closed_cases(n: int, *, customer, staff, category, closed_at) -> None:
    cases = Case.objects.bulk_create(
        Case(
            customer=customer, team=customer.team, subject=f"Personal subject {i}",
            category=category, channel="phone", created_by=staff, status="closed",
            outcome="within_policy", resolved_at=closed_at, closed_at=closed_at,
            resolution_summary=f"Told them {i}",
        )
        for i in range(n)
    )  # fmt: skip
    Interaction.objects.bulk_create(
        Interaction(
            case=case, team_id=case.team_id, author=staff, occurred_at=closed_at, channel="phone",
            direction="inbound", summary="Said something personal", demeanour="calm", minutes=3,
        )
        for case in cases
    )  # fmt: skip


@pytest.fixture
def keep_customers(admin_user):
    """Only the closed-case rule at work (customers kept for 100 years)."""
    return services.update_retention_settings(
        by=admin_user, enabled=True, closed_case_years=6, inactive_customer_years=100
    )


def test_a_thousand_cases_in_batches_resumed_after_a_kill_each_done_once(
    keep_customers, staff, team, category, settings
):
    # Small batches over a thousand cases: the same twenty windows as 500 over ten thousand,
    # without the ten thousand rows' deferred key checks at teardown (24 s in CI).
    settings.CASEDESK_RETENTION_BATCH = 50
    with time_machine.travel(T0, tick=False):
        customer = CustomerFactory(team=team, created_by=staff)
        closed_cases(500, customer=customer, staff=staff, category=category, closed_at=T0)
        later = T0 + timedelta(days=365)
        closed_cases(500, customer=customer, staff=staff, category=category, closed_at=later)
    old = Case.objects.filter(closed_at=T0)

    # A day before six years: nothing is due.
    with time_machine.travel(SIX_YEARS - timedelta(days=1), tick=False):
        assert retention.run_retention() == (0, 0, False)
    assert not CaseAnonymisation.objects.exists()

    # A day after: the sweep is killed after five batches (250 of the 1,000 ids) ...
    with time_machine.travel(SIX_YEARS + timedelta(days=1), tick=False):
        for _ in range(5):
            retention.retention_step()
        assert CaseAnonymisation.objects.count() == 250
        first = dict(CaseAnonymisation.objects.values_list("case_id", "anonymised_at"))
    # ... and run again a minute later: it resumes from its cursor and finishes the pass.
    with time_machine.travel(SIX_YEARS + timedelta(days=1, minutes=1), tick=False):
        assert retention.run_retention() == (250, 0, False)

    assert CaseAnonymisation.objects.count() == 500
    assert set(CaseAnonymisation.objects.values_list("case_id", flat=True)) == set(
        old.values_list("pk", flat=True)
    )
    # Nothing done twice: the first batches' rows kept their time, the totals add up.
    rows = CaseAnonymisation.objects.filter(case_id__in=first)
    again = dict(rows.values_list("case_id", "anonymised_at"))
    assert again == first
    progress = RetentionProgress.objects.get()
    assert (progress.cases_anonymised, progress.phase) == (500, "idle")
    # Two passes (the day before, and the one killed and resumed), each of 22 batches: 20
    # windows of 50 case ids, the empty one that ends the cases, one of customers.
    assert progress.batches == 2 * 22
    assert not old.exclude(subject="[erased]").exists()
    assert not Interaction.objects.filter(case__in=old).exclude(summary="[erased]").exists()
    newer = Case.objects.filter(closed_at=later)
    assert not newer.filter(subject="[erased]").exists()
    assert newer.count() == 500


def test_a_finished_pass_waits_a_day_before_the_next(keep_customers, staff, team, category):
    with time_machine.travel(SIX_YEARS, tick=False):
        retention.run_retention()
        batches = RetentionProgress.objects.get().batches
        assert retention.retention_step().idle
    assert RetentionProgress.objects.get().batches == batches


def test_inactive_customers_are_erased_active_ones_kept(admin_user, staff, team, category):
    services.update_retention_settings(
        by=admin_user, enabled=True, closed_case_years=6, inactive_customer_years=3
    )
    with time_machine.travel(T0, tick=False):
        quiet = CustomerFactory.create(team=team, created_by=staff, name="Quiet Quentin")
        busy = CustomerFactory.create(team=team, created_by=staff, name="Busy Bea")
        waiting = CustomerFactory.create(team=team, created_by=staff, name="Waiting Wanda")
        closed_cases(2, customer=quiet, staff=staff, category=category, closed_at=T0)
        Case.objects.create(
            customer=waiting, team=team, subject="Still open", category=category,
            channel="phone", created_by=staff, status="open",
        )  # fmt: skip
    with time_machine.travel(T0 + timedelta(days=365), tick=False):
        closed_cases(1, customer=busy, staff=staff, category=category, closed_at=T0)
        Case.objects.filter(customer=busy).update(last_activity_at=T0 + timedelta(days=365))

    with time_machine.travel(datetime(2023, 1, 16, tzinfo=UTC), tick=False):
        assert retention.run_retention()[1] == 1

    erasures = [(e.customer_id, e.erased_by_id) for e in Erasure.objects.all()]
    assert erasures == [(quiet.pk, None)]  # by the schedule, no one's hand
    names = set(Customer.objects.values_list("name", flat=True))
    assert {"Busy Bea", "Waiting Wanda", f"Erased customer #{quiet.pk}"} <= names


def test_switched_off_it_does_nothing(admin_user, staff, team, category):
    services.update_retention_settings(
        by=admin_user, enabled=False, closed_case_years=1, inactive_customer_years=1
    )
    with time_machine.travel(T0, tick=False):
        customer = CustomerFactory(team=team, created_by=staff)
        closed_cases(3, customer=customer, staff=staff, category=category, closed_at=T0)
    with time_machine.travel(SIX_YEARS, tick=False):
        assert retention.run_retention() == (0, 0, False)
    assert not CaseAnonymisation.objects.exists() and not Erasure.objects.exists()


def test_retention_is_changed_by_admins_only(manager):
    with pytest.raises(services.NotAllowed):
        services.update_retention_settings(
            by=manager, enabled=False, closed_case_years=6, inactive_customer_years=3
        )
