"""Two admins erasing at once, two clicks on one download, two retention sweeps at once:
the database decides once. Real threads on PostgreSQL."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cases.models import Case, Customer
from privacy import export as builder
from privacy import retention, services
from privacy.models import (
    CaseAnonymisation,
    Erasure,
    PrivacyEvent,
    RetentionProgress,
    SubjectAccessExport,
)
from tests.factories import CustomerFactory, UserFactory
from tests.threads import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 10


def test_two_admins_erasing_at_once_erase_once(admin_user, team, staff):
    from cases.models import Role

    second = UserFactory(username="admin2", role=Role.ADMIN)
    for round_ in range(ROUNDS):
        customer = CustomerFactory.create(team=team, created_by=staff, name=f"Race {round_}")

        def erase(user, pk=customer.pk):
            return lambda: services.erase_customer(
                Customer.objects.get(pk=pk), by=user, reason=f"by {user}"
            )

        results = race(erase(admin_user), erase(second))
        errors = [r for r in results if isinstance(r, Exception)]
        assert len(errors) == 1 and isinstance(errors[0], services.AlreadyErased), results
        assert Erasure.objects.filter(customer=customer).count() == 1
        assert PrivacyEvent.objects.filter(customer=customer, kind="erased").count() == 1


def test_two_clicks_on_a_download_send_it_once(admin_user, customer, settings, tmp_path):
    settings.CASEDESK_EXPORT_DIR = tmp_path
    for _ in range(ROUNDS):
        export = services.request_export(customer, by=admin_user)
        assert builder.build(export.pk)

        def download(pk=export.pk):
            return lambda: services.claim_download(
                SubjectAccessExport.objects.get(pk=pk), by=admin_user
            )

        results = race(download(), download())
        errors = [r for r in results if isinstance(r, Exception)]
        assert len(errors) == 1 and isinstance(errors[0], services.DownloadGone), results


def test_two_retention_sweeps_at_once_do_each_case_once(admin_user, customer, staff, category):
    from datetime import timedelta

    long_ago = timezone.now() - timedelta(days=7 * 366)
    Case.objects.bulk_create(
        Case(
            customer=customer, team=customer.team, subject=f"Old {i}", category=category,
            channel="phone", created_by=staff, status="closed", outcome="within_policy",
            resolved_at=long_ago, closed_at=long_ago,
        )
        for i in range(300)
    )  # fmt: skip
    services.update_retention_settings(
        by=admin_user, enabled=True, closed_case_years=6, inactive_customer_years=100
    )

    def sweep():
        return lambda: [retention.retention_step(size=25) for _ in range(8)]

    results = race(sweep(), sweep())
    assert not [r for r in results if isinstance(r, Exception)], results
    retention.run_retention()

    assert CaseAnonymisation.objects.count() == 300
    assert RetentionProgress.objects.get().cases_anonymised == 300


def test_an_erasure_and_a_new_case_at_once_never_both_happen(admin_user, team, staff, category):
    """Either the case opens first (and the erasure is refused for the open case), or the
    erasure does (and the case is refused): never an open case for an erased customer."""
    from cases import services as case_services

    outcomes = set()
    for round_ in range(ROUNDS):
        customer = CustomerFactory.create(team=team, created_by=staff, name=f"Race {round_}")

        def erase(pk=customer.pk):
            return services.erase_customer(
                Customer.objects.get(pk=pk), by=admin_user, reason="Asked"
            )

        def open_case(pk=customer.pk):
            return case_services.open_case(
                by=staff,
                customer=Customer.objects.get(pk=pk),
                team=team,
                subject="Back again",
                category=category,
                channel="phone",
            )

        erased, opened = race(erase, open_case)
        if isinstance(opened, Case):
            assert isinstance(erased, services.ErasureBlocked), (erased, opened)
            assert not Erasure.objects.filter(customer=customer).exists()
            outcomes.add("case first")
        else:
            assert isinstance(opened, case_services.CustomerErased), (erased, opened)
            assert isinstance(erased, Erasure)
            assert not Case.objects.filter(customer=customer).exists()
            outcomes.add("erasure first")
    assert outcomes  # each round ended one way or the other, never both
