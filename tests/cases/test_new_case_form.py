"""A new case on one screen: the customer picked or created, sensible defaults, nothing
typed lost."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cases.forms import CaseForm, InteractionForm
from cases.models import Case
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_category(db):
    return CategoryFactory(name="Other", slug="other")


def test_opened_from_a_customer_it_shows_them_with_change_not_empty_fields(
    signed_in, staff, customer
):
    body = signed_in(staff).get(reverse("case_create"), {"customer": customer.pk}).content
    html = body.decode()
    assert "New case for Dana Whitfield" in html
    chosen = re.search(r'<div id="chosen-customer"[^>]*>', html).group(0)
    assert "hidden" not in chosen
    assert f'name="customer" value="{customer.pk}"' in html
    assert re.search(r'<button[^>]*name="change_customer"[^>]*>change', html)
    assert re.search(r"<div data-new-customer hidden>", html)  # the empty fields, hidden
    assert re.search(r"<div data-customer-search hidden>", html)


def test_change_shows_the_form_again_without_the_customer_and_keeps_the_rest(
    signed_in, staff, customer, category
):
    typed = {
        "customer": customer.pk,
        "change_customer": "1",
        "subject": "Cracked screen",
        "category": category.pk,
        "channel": "phone",
        "priority": "high",
        "demeanour": "angry",
        "first_summary": "Dropped on delivery",
        "first_minutes": "12",
    }
    response = signed_in(staff).post(reverse("case_create"), typed)
    html = response.content.decode()
    assert response.status_code == 200 and not Case.objects.exists()
    assert "New case for" not in html
    assert 'value="Cracked screen"' in html and "Dropped on delivery" in html
    assert 'value="12"' in html
    assert re.search(r'<option value="phone" selected>', html)
    assert re.search(r'<option value="angry" selected>', html)
    assert "is-invalid" not in html  # not an error: a change of mind
    assert not re.search(r'name="assign_to_me"[^>]*checked', html)  # unticked stays so


def test_a_picked_customer_and_typed_new_customer_details_are_not_silently_dropped(
    signed_in, staff, team, customer, category
):
    typed = {
        "customer": customer.pk,
        "customer_name": "Someone Else",
        "customer_phone": "07700 900555",
        "team": team.pk,
        "subject": "Which customer?",
        "category": category.pk,
        "channel": "in_person",
        "priority": "normal",
        "demeanour": "calm",
        "first_minutes": "5",
    }
    response = signed_in(staff).post(reverse("case_create"), typed)
    html = response.content.decode()
    assert response.status_code == 200 and not Case.objects.exists()
    assert "You picked Dana Whitfield and also typed a new customer" in html
    assert 'value="Someone Else"' in html and 'value="07700 900555"' in html
    assert "<div data-new-customer>" in html  # in sight, with the message


def test_defaults_make_subject_the_only_thing_to_fill(
    signed_in, staff, team, customer, other_category
):
    client = signed_in(staff)
    html = client.get(reverse("case_create"), {"customer": customer.pk}).content.decode()
    assert f'<option value="{other_category.pk}" selected>Other</option>' in html
    assert '<option value="in_person" selected>In person</option>' in html
    assert '<option value="calm" selected>Calm</option>' in html
    assert '<option value="normal" selected>Normal</option>' in html
    assert re.search(r'name="first_minutes" value="5"', html)
    assert re.search(r'name="assign_to_me"[^>]*checked', html)
    assert re.search(rf'type="hidden" name="team" value="{team.pk}"', html)
    # What the browser sends when only the subject was filled in.
    posted = {
        "customer": customer.pk,
        "team": team.pk,
        "subject": "Toaster sparks",
        "category": other_category.pk,
        "channel": "in_person",
        "priority": "normal",
        "demeanour": "calm",
        "first_summary": "",
        "first_minutes": "5",
        "assign_to_me": "on",
        "q": "",
    }
    response = client.post(reverse("case_create"), posted)
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.customer, case.category, case.channel) == (customer, other_category, "in_person")
    assert (case.demeanour, case.priority, case.assignee) == ("calm", "normal", staff)


def test_minutes_and_channel_default_the_same_way_on_both_forms(staff, other_category):
    case_form, interaction_form = CaseForm(user=staff), InteractionForm()
    assert case_form["first_minutes"].initial == interaction_form["minutes"].initial == 5
    assert case_form["channel"].initial == interaction_form["channel"].initial == "in_person"
    assert case_form["category"].initial == other_category


def test_phone_and_email_fields_bring_the_right_keyboard(signed_in, staff):
    html = signed_in(staff).get(reverse("case_create")).content.decode()
    phone = re.search(r'<input[^>]*name="customer_phone"[^>]*>', html).group(0)
    email = re.search(r'<input[^>]*name="customer_email"[^>]*>', html).group(0)
    assert 'inputmode="tel"' in phone and 'type="tel"' in phone
    assert 'type="email"' in email
    finder = re.search(r'<input[^>]*id="case-customer-q"[^>]*>', html).group(0)
    assert 'role="combobox"' in finder and 'aria-controls="case-customer-results"' in finder
    assert '<label class="form-label" for="case-customer-q">Find a customer</label>' in html


def test_a_new_customers_number_in_national_form_is_stored_as_typed_and_as_e164(
    signed_in, staff, team, category
):
    typed = {
        "customer_name": "Ivo Novak",
        "customer_phone": "07700 900777",
        "team": team.pk,
        "subject": "Lost receipt",
        "category": category.pk,
        "channel": "in_person",
        "priority": "normal",
        "demeanour": "calm",
        "first_minutes": "5",
    }
    response = signed_in(staff).post(reverse("case_create"), typed)
    assert response.status_code == 302
    customer = Case.objects.get().customer
    assert (customer.phone, customer.phone_normalised) == ("07700 900777", "+447700900777")


def test_a_duplicate_typed_nationally_is_caught_against_an_international_number(
    signed_in, staff, team, customer, category
):
    typed = {
        "customer_name": "Dana W",
        "customer_phone": "07700 900101",  # Dana is +44 7700 900101
        "team": team.pk,
        "subject": "Again",
        "category": category.pk,
        "channel": "in_person",
        "priority": "normal",
        "demeanour": "calm",
    }
    html = signed_in(staff).post(reverse("case_create"), typed).content.decode()
    assert "Likely duplicate" in html and "Dana Whitfield" in html
    assert not Case.objects.exists()
