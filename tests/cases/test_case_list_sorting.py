"""Sorting the case list by priority means by urgency, not by the alphabet."""

import pytest
from django.urls import reverse

from cases import services
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_sorting_by_priority_puts_urgent_first_and_low_last(signed_in, staff, team, category):
    for priority in ["normal", "low", "urgent", "high"]:
        CaseFactory(team=team, category=category, subject=f"A {priority} one", priority=priority)
    body = signed_in(staff).get(reverse("case_list"), {"o": "-priority"}).content.decode()
    positions = [body.index(f"A {p} one") for p in ["urgent", "high", "normal", "low"]]
    assert positions == sorted(positions)


def test_changing_priority_moves_the_case_in_that_order(signed_in, staff, team, category):
    first = CaseFactory.create(team=team, category=category, subject="Was low", priority="low")
    CaseFactory(team=team, category=category, subject="Stays high", priority="high")
    services.update_triage(first, by=staff, priority="urgent")
    body = signed_in(staff).get(reverse("case_list"), {"o": "-priority"}).content.decode()
    assert body.index("Was low") < body.index("Stays high")
