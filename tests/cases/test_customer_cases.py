"""From a customer's profile to all their cases: the case list filtered by customer."""

import pytest
from django.urls import reverse

from cases.selectors import PROFILE_ROWS
from tests.factories import CaseFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def test_the_profile_links_to_all_cases_of_a_customer_with_many(
    signed_in, staff, team, customer, category
):
    for i in range(PROFILE_ROWS + 3):
        CaseFactory(team=team, customer=customer, category=category, subject=f"Visit {i:02d}")
    client = signed_in(staff)
    profile = client.get(reverse("customer_detail", args=[customer.pk])).content.decode()
    assert profile.count("Visit ") == PROFILE_ROWS
    link = f"{reverse('case_list')}?customer={customer.pk}"
    assert f'href="{link}"' in profile

    listed = client.get(link + "&per_page=100").content.decode()
    assert listed.count("Visit ") == PROFILE_ROWS + 3
    assert f'Cases of <a href="{customer.get_absolute_url()}">{customer.name}</a>' in listed


def test_the_filter_shows_only_that_customers_cases_and_keeps_other_filters(
    signed_in, staff, team, customer, category
):
    CaseFactory(team=team, customer=customer, category=category, subject="Theirs, new")
    other = CustomerFactory(team=team, created_by=staff)
    CaseFactory(team=team, customer=other, category=category, subject="Someone else's")
    html = (
        signed_in(staff)
        .get(reverse("case_list"), {"customer": customer.pk, "status": "new"})
        .content.decode()
    )
    assert "Theirs, new" in html and "Someone else" not in html
    # Applying other filters keeps the customer (a hidden field in the filter form).
    assert f'<input type="hidden" name="customer" value="{customer.pk}"' in html


def test_another_teams_customer_matches_nothing_and_is_not_named(
    signed_in, staff, other_team, other_team_staff, category
):
    theirs = CustomerFactory(team=other_team, created_by=other_team_staff, name="Olga Outland")
    CaseFactory(team=other_team, customer=theirs, category=category, subject="Not yours")
    response = signed_in(staff).get(reverse("case_list"), {"customer": theirs.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Not yours" not in html and "Olga Outland" not in html


@pytest.mark.parametrize("value", ["abc", "0", "-4", "1.5", "9" * 30])
def test_a_bad_customer_value_never_fails_the_page(signed_in, staff, value):
    assert signed_in(staff).get(reverse("case_list"), {"customer": value}).status_code == 200
