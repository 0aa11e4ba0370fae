"""A flagged customer shows their flags wherever they appear (one tag writes them all)."""

import pytest
from django.urls import reverse

from tests.exception_fixtures import ask
from tests.factories import CaseFactory, CustomerFactory

pytestmark = pytest.mark.django_db

ICON = '<i class="bi bi-flag-fill" aria-hidden="true"></i>'
DANGER = f'class="badge text-bg-danger me-1">{ICON} Two staff present'
AMBER = f'class="badge text-bg-warning me-1">{ICON} Valued customer'


def test_flags_show_on_every_page_that_names_the_customer(
    signed_in, staff, manager, team, category, allowed
):
    customer = CustomerFactory(
        team=team, created_by=staff, name="Fay Flagged", flags=["vip", "two_staff"]
    )
    case = CaseFactory(team=team, customer=customer, category=category, status="open")
    ask(case, staff, allowed, "80.00")  # waits for a manager
    pages = {
        "case page": (staff, case.get_absolute_url(), {}),
        "profile": (staff, reverse("customer_detail", args=[customer.pk]), {}),
        "case list": (staff, reverse("case_list"), {}),
        "customer list": (staff, reverse("customer_list"), {}),
        "search": (staff, reverse("search"), {"q": "Fay Flagged"}),
        "new case for them": (staff, reverse("case_create"), {"customer": customer.pk}),
        "approvals": (manager, reverse("approvals"), {}),
    }
    for name, (user, url, params) in pages.items():
        html = signed_in(user).get(url, params).content.decode()
        assert DANGER in html and AMBER in html, name
