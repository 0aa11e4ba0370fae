"""Keyboard shortcuts are each person's own choice, set from the shortcuts overlay."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = "shortcuts_preference"


def test_staff_turn_their_shortcuts_off_and_on_and_nobody_elses(signed_in, staff, colleague):
    client = signed_in(staff)
    response = client.post(reverse(URL), {"enabled": "off", "next": "/cases/?status=open"})
    assert response.status_code == 302
    assert response["Location"] == "/cases/?status=open"
    staff.refresh_from_db()
    colleague.refresh_from_db()
    assert staff.keyboard_shortcuts is False
    assert colleague.keyboard_shortcuts is True
    assert 'data-shortcuts="on"' not in client.get(reverse("home")).content.decode()

    client.post(reverse(URL), {"enabled": "on"})
    staff.refresh_from_db()
    assert staff.keyboard_shortcuts is True
    assert 'data-shortcuts="on"' in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("back", ["https://evil.example.com/", "//evil.example.com/", ""])
def test_a_return_address_off_the_site_goes_home_instead(signed_in, staff, back):
    response = signed_in(staff).post(reverse(URL), {"enabled": "off", "next": back})
    assert response["Location"] == "/"


def test_only_a_post_changes_it_and_only_when_signed_in(client, signed_in, staff):
    assert signed_in(staff).get(reverse(URL), {"enabled": "off"}).status_code == 405
    staff.refresh_from_db()
    assert staff.keyboard_shortcuts is True
    client.logout()
    response = client.post(reverse(URL), {"enabled": "off"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_forms_offer_the_keyboard_that_fits(signed_in, staff, case):
    """Phones show a dial pad for phone numbers, digits for minutes and money."""
    client = signed_in(staff)
    new_customer = client.get(reverse("customer_create")).content.decode()
    assert 'type="tel"' in new_customer and 'inputmode="tel"' in new_customer
    assert 'type="email"' in new_customer
    page = client.get(reverse("case_detail", args=[case.reference])).content.decode()
    assert 'name="minutes"' in page and 'inputmode="numeric"' in page
    assert 'name="value"' in page and 'inputmode="decimal"' in page
