"""The complaint surges on a manager's home are counted once a minute, and afresh as soon
as a case is opened in one of the manager's teams (not another team's)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, Customer
from tests.factories import CaseFactory, CustomerFactory

pytestmark = pytest.mark.django_db

SURGE = 'id="surge-alert"'


def home(client):
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("home")).content.decode()
    surge_queries = [q for q in ctx.captured_queries if "FILTER (WHERE" in q["sql"]]
    return page, len(surge_queries)


def cases_two_days_ago(team, staff, category, n):
    """n cases of the category, behind the services' back (no surge number bumped)."""
    customer = CustomerFactory(team=team, created_by=staff)
    for _ in range(n):
        made = CaseFactory(team=team, customer=customer, category=category, created_by=staff)
        Case.objects.filter(pk=made.pk).update(created_at=timezone.now() - timedelta(days=2))


def test_surges_are_shared_for_a_minute_and_counted_afresh_when_a_team_case_opens(
    settings, signed_in, manager, staff, team, other_team, other_team_staff, category
):
    settings.CASEDESK_INSIGHTS_CACHE_SECONDS = 60
    client = signed_in(manager)
    page, counted = home(client)
    assert SURGE not in page and counted == 1

    # Cases written behind the services' back wait for the minute to pass...
    cases_two_days_ago(team, staff, category, 5)
    page, counted = home(client)
    assert SURGE not in page and counted == 0

    # ...and so does a case opened in another team.
    elsewhere = Customer.objects.get(
        pk=CustomerFactory(team=other_team, created_by=other_team_staff).pk
    )
    services.open_case(
        by=other_team_staff,
        customer=elsewhere,
        team=other_team,
        subject="Refund refused",
        category=category,
        channel="phone",
    )
    page, counted = home(client)
    assert SURGE not in page and counted == 0

    # A case opened in the manager's team through the services counts them afresh.
    customer = Customer.objects.get(pk=CustomerFactory(team=team, created_by=staff).pk)
    services.open_case(
        by=staff,
        customer=customer,
        team=team,
        subject="Refund refused",
        category=category,
        channel="phone",
    )
    page, counted = home(client)
    assert counted == 1
    assert SURGE in page and "Refund dispute — 6 cases in the last 7 days" in page
