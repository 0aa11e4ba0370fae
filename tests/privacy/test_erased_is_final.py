"""An erased customer is final: no edit and no new case, whichever way it is asked for
(service, page, API), the profile says when they were erased (never what), and the
typeahead no longer offers them."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from api import tokens
from cases import services as case_services
from cases.models import Case, Customer
from privacy import services
from tests.api.conftest import ApiClient
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

ERASED_ON = datetime(2026, 5, 6, 9, 0, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def erased(customer, admin_user):
    with time_machine.travel(ERASED_ON, tick=False):
        services.erase_customer(customer, by=admin_user, reason="Asked by letter")
    customer.refresh_from_db()
    return customer


def new_case(by, customer, category):
    return case_services.open_case(
        by=by,
        customer=customer,
        team=customer.team,
        subject="Back again",
        category=category,
        channel="phone",
    )


def test_the_services_refuse_to_change_or_open_a_case_for_an_erased_customer(
    erased, staff, category
):
    with pytest.raises(case_services.CustomerErased, match="erased on 6 May 2026"):
        case_services.update_customer(erased, by=staff, name="Dana Whitfield")
    stale = Customer.objects.get(pk=erased.pk)
    stale.name = "Dana Whitfield"  # a copy read before the erasure, written back
    with pytest.raises(case_services.CustomerErased):
        case_services.update_customer(stale, by=staff, phone="+44 7700 900101")
    with pytest.raises(case_services.CustomerErased, match="no new case"):
        new_case(staff, erased, category)

    assert Customer.objects.get(pk=erased.pk).name == f"Erased customer #{erased.pk}"
    assert not Case.objects.filter(customer=erased).exists()


def test_the_profile_says_when_it_was_erased_and_offers_no_edit_or_new_case(
    signed_in, staff, erased
):
    page = signed_in(staff).get(erased.get_absolute_url()).content.decode()

    assert "personal data was erased on 6 May 2026" in page
    assert "Asked by letter" not in page and "Dana" not in page  # when, never what or why
    assert reverse("customer_edit", args=[erased.pk]) not in page
    assert f"{reverse('case_create')}?customer={erased.pk}" not in page


def test_a_live_customers_profile_still_offers_both(signed_in, staff, customer):
    page = signed_in(staff).get(customer.get_absolute_url()).content.decode()
    assert reverse("customer_edit", args=[customer.pk]) in page
    assert "was erased" not in page


def test_the_edit_page_sends_back_to_the_profile_and_changes_nothing(signed_in, staff, erased):
    client = signed_in(staff)
    url = reverse("customer_edit", args=[erased.pk])

    assert client.get(url).url == erased.get_absolute_url()
    posted = client.post(url, {"name": "Dana Whitfield", "phone": "+44 7700 900101"})
    assert posted.status_code == 302
    assert "it cannot be edited" in client.get(posted.url).content.decode()
    assert Customer.objects.get(pk=erased.pk).phone == ""


def test_the_new_case_form_does_not_offer_them_and_refuses_them(signed_in, staff, erased, category):
    client = signed_in(staff)
    page = client.get(reverse("case_create"), {"customer": erased.pk}).content.decode()
    assert "no new case can be opened for them" in page
    assert f"New case for {erased.name}" not in page

    posted = client.post(
        reverse("case_create"),
        {
            "customer": erased.pk,
            "team": erased.team_id,
            "subject": "Back again",
            "category": category.pk,
            "channel": "phone",
            "priority": "normal",
            "demeanour": "calm",
        },
    )
    body = posted.content.decode()
    assert posted.status_code == 200 and "no new case can be opened for them" in body
    assert f'name="customer" value="{erased.pk}"' not in body  # pick or enter another
    assert not Case.objects.filter(customer=erased).exists()


def test_the_typeahead_never_offers_an_erased_customer(signed_in, staff, team, erased):
    CustomerFactory(team=team, created_by=staff, name="Erasmus Pike", phone="+44 7700 900333")
    client = signed_in(staff)
    for list_id in ("case-customer", "nav-search"):
        body = client.get(
            reverse("search_suggest"), {"q": "Eras", "list": list_id}
        ).content.decode()
        assert "Erasmus Pike" in body
        assert f"Erased customer #{erased.pk}" not in body


def test_the_api_names_the_problem(staff, erased, category):
    till = ApiClient(tokens.create_token(user=staff, name="Till").secret)

    shown = till.get(f"/api/v1/customers/{erased.pk}/").json()
    assert shown["erased_at"].startswith("2026-05-06")
    changed = till.patch(f"/api/v1/customers/{erased.pk}/", {"phone": "+44 7700 900101"})
    opened = till.post(
        "/api/v1/cases/",
        {"customer": erased.pk, "subject": "Again", "category": category.pk, "channel": "phone"},
    )
    for response in (changed, opened):
        assert response.status_code == 409
        error = response.json()["errors"][0]
        assert error["code"] == "customer_erased"
        assert "personal data was erased on 6 May 2026" in error["message"]
    assert Customer.objects.get(pk=erased.pk).phone == ""
    assert not Case.objects.filter(customer=erased).exists()
