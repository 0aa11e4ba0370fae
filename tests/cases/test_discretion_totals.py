"""Discretion applies to the running total, so splitting an ask does not get round it.

Limits in the fixture: staff 25.00, manager 100.00, maximum 200.00.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Level, RequestStatus
from policies import services as policy_services
from tests.exception_fixtures import ask
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def statuses(requests):
    return [(r.status, r.required_level, r.running_total) for r in requests]


def test_five_staff_asks_of_25_grant_only_the_first(staff, case, allowed):
    requests = [ask(case, staff, allowed, "25.00") for _ in range(5)]
    assert statuses(requests) == [
        (RequestStatus.GRANTED, Level.STAFF, Decimal("25.00")),
        (RequestStatus.PENDING, Level.MANAGER, Decimal("50.00")),
        (RequestStatus.PENDING, Level.MANAGER, Decimal("75.00")),
        (RequestStatus.PENDING, Level.MANAGER, Decimal("100.00")),
        # Past the manager limit: an admin decides.
        (RequestStatus.PENDING, Level.ADMIN, Decimal("125.00")),
    ]


def test_a_manager_topping_up_past_the_manager_limit_needs_an_admin(staff, manager, case, allowed):
    ask(case, staff, allowed, "20.00")
    topped = ask(case, manager, allowed, "90.00")
    assert (topped.status, topped.required_level) == (RequestStatus.PENDING, Level.ADMIN)
    assert topped.running_total == Decimal("110.00")


def test_denied_and_withdrawn_asks_give_nothing_away(staff, manager, case, allowed):
    denied = ask(case, staff, allowed, "80.00")
    services.decide_exception(denied, by=manager, decision="deny", reason="No")
    withdrawn = ask(case, staff, allowed, "60.00")
    services.withdraw_exception(withdrawn, by=staff)
    assert ask(case, staff, allowed, "25.00").status == RequestStatus.GRANTED


def test_a_counter_offer_counts_at_the_value_granted(staff, manager, case, allowed):
    countered = ask(case, staff, allowed, "80.00")
    services.decide_exception(
        countered, by=manager, decision="counter", reason="Half", counter_value=Decimal("40")
    )
    assert ask(case, staff, allowed, "50.00").running_total == Decimal("90.00")


def test_the_customers_other_cases_count_within_the_window(staff, case, allowed, category):
    other = CaseFactory(team=case.team, customer=case.customer, category=category, created_by=staff)
    ask(other, staff, allowed, "20.00")
    second = ask(case, staff, allowed, "20.00")
    assert (second.status, second.running_total) == (RequestStatus.PENDING, Decimal("40.00"))


def test_asks_older_than_the_window_no_longer_count_for_the_customer(
    staff, case, allowed, category
):
    other = CaseFactory(team=case.team, customer=case.customer, category=category, created_by=staff)
    with time_machine.travel(timezone.now() - timedelta(days=31)):
        ask(other, staff, allowed, "20.00")
    assert ask(case, staff, allowed, "20.00").status == RequestStatus.GRANTED


def test_a_window_of_zero_counts_only_the_same_case(
    staff, admin_user, policy, case, allowed, category
):
    policy_services.save_allowed_exception(
        policy, by=admin_user, allowed=allowed, customer_window_days=0
    )
    other = CaseFactory(team=case.team, customer=case.customer, category=category, created_by=staff)
    ask(other, staff, allowed, "20.00")
    assert ask(case, staff, allowed, "20.00").status == RequestStatus.GRANTED
    assert ask(case, staff, allowed, "20.00").status == RequestStatus.PENDING


def test_the_decider_sees_the_running_total_in_the_queue_and_on_the_case(
    signed_in, staff, manager, case, allowed
):
    ask(case, staff, allowed, "20.00")
    ask(case, staff, allowed, "20.00")
    client = signed_in(manager)
    queue = client.get(reverse("approvals")).content.decode()
    assert "Running total" in queue and "<strong>£40.00</strong> with this request" in queue
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Running total with this request: <strong>£40.00</strong>" in page


def test_admin_sets_the_customer_window_and_the_library_keeps_a_version(
    signed_in, admin_user, policy, allowed
):
    form = {
        "name": allowed.name,
        "kind": allowed.kind,
        "max_value": "200",
        "staff_limit": "25",
        "manager_limit": "100",
        "customer_window_days": "7",
        "active": "on",
    }
    client = signed_in(admin_user)
    url = reverse("exception_edit", args=[policy.code, allowed.pk])
    assert 'name="customer_window_days"' in client.get(url).content.decode()
    assert client.post(url, form).status_code == 302
    allowed.refresh_from_db()
    policy.refresh_from_db()
    assert allowed.customer_window_days == 7
    assert policy.current_version.exceptions[0]["customer_window_days"] == 7
    response = client.post(url, {**form, "customer_window_days": "5000"})
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 366." in response.content.decode()
