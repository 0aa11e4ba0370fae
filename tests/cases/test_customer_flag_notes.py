"""Who set a customer's flags, when and why: asked for when a flag is set, kept per flag,
shown beside the flags on the profile, and refused without a reason however the change
arrives (form, API, service; the Django admin cannot change a customer at all)."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Customer, CustomerFlagNote
from tests.api.conftest import ApiClient
from tests.cases.test_views_forms import assert_kept, field_error, form_on
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

WHEN = datetime(2026, 3, 4, 10, 30, tzinfo=timezone.get_default_timezone())
REASON = "Raised his voice at the till twice this week; the manager asked for two staff."


def edit(client, customer, **changes):
    typed = {
        "name": customer.name,
        "email": customer.email,
        "phone": customer.phone,
        "preferred_channel": customer.preferred_channel,
        "preferences": customer.preferences,
        "flags": customer.flags,
        **changes,
    }
    return client.post(reverse("customer_edit", args=[customer.pk]), typed), typed


def profile(client, customer) -> str:
    return client.get(customer.get_absolute_url()).content.decode()


def test_setting_a_flag_without_a_reason_is_refused_beside_the_reason_field(
    signed_in, staff, customer
):
    response, typed = edit(
        signed_in(staff), customer, name="Dana W.", flags=["two_staff"], flags_reason=""
    )

    form = form_on(response, 'name="flags_reason"')
    assert field_error(form, "flags_reason").startswith("Say why you are setting this flag")
    assert_kept(form, typed)
    customer.refresh_from_db()
    assert customer.flags == [] and not CustomerFlagNote.objects.exists()


def test_a_flag_set_with_a_reason_shows_who_when_and_why_on_the_profile(
    signed_in, staff, colleague, customer
):
    with time_machine.travel(WHEN, tick=False):
        response, _ = edit(signed_in(staff), customer, flags=["two_staff"], flags_reason=REASON)
    assert response.status_code == 302

    note = CustomerFlagNote.objects.get(customer=customer)
    assert (note.flag, note.set_by, note.set_at, note.reason) == ("two_staff", staff, WHEN, REASON)
    page = profile(signed_in(colleague), customer)  # anyone who may see the customer
    notes = page[page.index('id="flag-notes"') :]
    assert f"Two staff present</span>: set by {staff} on 4 Mar 2026: " in notes
    assert "Raised his voice at the till twice this week" in notes


def test_editing_other_details_needs_no_reason_and_keeps_the_flags_notes(
    signed_in, staff, manager, customer
):
    services.update_customer(customer, by=manager, flags=["vip"], flags_reason="Big account")
    response, _ = edit(signed_in(staff), Customer.objects.get(pk=customer.pk), name="Dana W.")
    assert response.status_code == 302
    note = CustomerFlagNote.objects.get(customer=customer)
    assert (note.set_by, note.reason, note.cleared_at) == (manager, "Big account", None)


def test_taking_a_flag_off_closes_its_note_and_keeps_who_and_why(signed_in, staff, customer):
    services.update_customer(customer, by=staff, flags=["vip", "two_staff"], flags_reason="X")
    customer.refresh_from_db()
    response, _ = edit(
        signed_in(staff), customer, flags=["vip"], flags_reason="Calm for a year now"
    )
    assert response.status_code == 302

    closed = CustomerFlagNote.objects.get(customer=customer, flag="two_staff")
    assert (closed.cleared_by, closed.cleared_reason) == (staff, "Calm for a year now")
    assert closed.cleared_at is not None
    open_notes = CustomerFlagNote.objects.filter(customer=customer, cleared_at__isnull=True)
    assert [n.flag for n in open_notes] == ["vip"]
    assert "Two staff present" not in profile(signed_in(staff), customer)


def test_a_flag_set_again_later_gets_a_note_of_its_own(staff, manager, customer):
    services.update_customer(customer, by=staff, flags=["vip"], flags_reason="First")
    services.update_customer(customer, by=staff, flags=[], flags_reason="")
    services.update_customer(customer, by=manager, flags=["vip"], flags_reason="Second")

    notes = CustomerFlagNote.objects.filter(customer=customer).order_by("id")
    assert [(n.reason, n.cleared_at is None) for n in notes] == [
        ("First", False),
        ("Second", True),
    ]


def test_a_new_customer_with_flags_needs_a_reason_too(signed_in, staff, team):
    typed = {
        "name": "Nia Newcomer",
        "phone": "+44 20 7946 0000",
        "preferred_channel": "phone",
        "team": team.pk,
        "flags": ["disengage"],
    }
    client = signed_in(staff)
    refused = client.post(reverse("customer_create"), typed)
    assert field_error(form_on(refused, 'name="flags_reason"'), "flags_reason")
    assert not Customer.objects.filter(name="Nia Newcomer").exists()

    client.post(reverse("customer_create"), {**typed, "flags_reason": "Swore at a driver"})
    note = CustomerFlagNote.objects.get(customer__name="Nia Newcomer")
    assert (note.flag, note.set_by, note.reason) == ("disengage", staff, "Swore at a driver")


def test_a_flag_from_before_notes_were_kept_says_so(signed_in, staff, team):
    old = CustomerFactory(team=team, created_by=staff, flags=["written_only"])
    assert "set before CaseDesk recorded who set a flag and why" in profile(signed_in(staff), old)


def test_the_service_refuses_a_flag_without_a_reason_whoever_calls_it(staff, customer, team):
    with pytest.raises(services.NotAllowed, match="Say why"):
        services.update_customer(customer, by=staff, flags=["vip"])
    with pytest.raises(services.NotAllowed, match="Say why"):
        services.create_customer(by=staff, team=team, name="Flag Only", flags=["vip"])
    with pytest.raises(services.NotAllowed, match="Unknown customer flags"):
        services.update_customer(customer, by=staff, flags=["liar"], flags_reason="Because")
    customer.refresh_from_db()
    assert customer.flags == [] and not CustomerFlagNote.objects.exists()


def test_the_database_keeps_one_open_note_per_flag(staff, customer):
    services.update_customer(customer, by=staff, flags=["vip"], flags_reason="Once")
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerFlagNote.objects.create(
            customer=customer, flag="vip", set_by=staff, set_at=timezone.now(), reason="Twice"
        )


def test_the_api_asks_for_a_reason_when_a_flag_is_added(staff, customer):
    from api import tokens

    till = ApiClient(tokens.create_token(user=staff, name="Till").secret)
    url = f"/api/v1/customers/{customer.pk}/"

    refused = till.patch(url, {"flags": ["vip"]})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "flags_reason"
    assert till.patch(url, {"flags": ["vip"], "flags_reason": "Spends a lot"}).status_code == 200
    note = CustomerFlagNote.objects.get(customer=customer)
    assert (note.set_by, note.reason) == (staff, "Spends a lot")
    assert till.patch(url, {"phone": "+44 7700 900202"}).status_code == 200  # no flag added


def test_the_django_admin_cannot_change_a_customers_flags(signed_in, admin_user, customer):
    url = reverse("admin:cases_customer_change", args=[customer.pk])
    response = signed_in(admin_user).post(url, {"name": customer.name, "flags": '["vip"]'})
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.flags == [] and not CustomerFlagNote.objects.exists()
