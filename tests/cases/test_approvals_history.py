"""The customer history beside a request in the approvals queue is the viewer's scope."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases.models import Role
from tests.exception_fixtures import ask
from tests.factories import CaseFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_another_teams_grants_are_not_shown_to_a_downtown_manager(
    signed_in, staff, manager, admin_user, case, allowed, category
):
    phone = TeamFactory(name="Phone support")
    phone_manager = UserFactory(username="phonemanager", role=Role.MANAGER, teams=[phone])
    # 40 days ago: within the 12-month history, outside the 30-day discretion window.
    with time_machine.travel(timezone.now() - timedelta(days=40)):
        for _ in range(3):
            phone_case = CaseFactory(
                team=phone, customer=case.customer, category=category, created_by=phone_manager
            )
            ask(phone_case, phone_manager, allowed, "25.00")  # granted at once
    ask(case, staff, allowed, "80.00")  # waiting for a Downtown manager

    queue = signed_in(manager).get(reverse("approvals")).content.decode()
    assert "Exceptions granted, last 12 months: <strong>0</strong> worth <strong>£0.00" in queue
    assert "Open cases: <strong>1</strong>" in queue
    profile = signed_in(manager).get(case.customer.get_absolute_url()).content.decode()
    assert 'id="granted-12m">£0.00' in profile

    # An admin sees every team's, in the queue and on the profile alike.
    queue = signed_in(admin_user).get(reverse("approvals")).content.decode()
    assert "Exceptions granted, last 12 months: <strong>3</strong> worth <strong>£75.00" in queue
    assert "Open cases: <strong>4</strong>" in queue
