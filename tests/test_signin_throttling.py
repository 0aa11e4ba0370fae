"""Sign-in throttling behind a proxy, through the real sign-in view on PostgreSQL.

Requests come from the proxy (REMOTE_ADDR) with the client's address in X-Forwarded-For,
as nginx's `$proxy_add_x_forwarded_for` or a load balancer sends them.
"""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PROXY = "10.0.0.2"
SHOP = "198.51.100.7"  # staff at the shop counter
HOME = "203.0.113.40"  # the same person at home
WRONG_PASSWORD_ERROR = "Please enter a correct username and password"


@pytest.fixture
def behind_one_proxy(settings):
    settings.CASEDESK_TRUSTED_PROXIES = 1


def sign_in(client, username, password, *, forwarded_for=None, remote=PROXY):
    """POST the sign-in form from `remote`, with X-Forwarded-For when given."""
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_five_failures_from_one_address_do_not_lock_the_account_out_elsewhere(
    client, staff, behind_one_proxy
):
    for _ in range(4):
        response = sign_in(client, "staff", "wrong", forwarded_for=SHOP)
        assert WRONG_PASSWORD_ERROR in response.content.decode()
    assert sign_in(client, "staff", "wrong", forwarded_for=SHOP).status_code == 429
    # Locked out from the shop: even the right password waits there...
    assert sign_in(client, "staff", "correct-horse-battery", forwarded_for=SHOP).status_code == 429
    # ...but from another address, through the same proxy, it works.
    response = sign_in(client, "staff", "correct-horse-battery", forwarded_for=HOME)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_client_cannot_dodge_the_lockout_by_writing_its_own_forwarded_for(
    client, staff, behind_one_proxy
):
    """The proxy appends the real address; whatever the client put before it is ignored."""
    statuses = [
        sign_in(client, "staff", "wrong", forwarded_for=f"192.0.2.{i}, {SHOP}").status_code
        for i in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    # A spoofed entry naming the home address does not borrow its clean record either.
    spoofed = sign_in(client, "staff", "correct-horse-battery", forwarded_for=f"{HOME}, {SHOP}")
    assert spoofed.status_code == 429
    assert sign_in(client, "staff", "correct-horse-battery", forwarded_for=HOME).status_code == 302


def test_with_two_proxies_the_client_is_the_second_entry_from_the_right(client, staff, settings):
    settings.CASEDESK_TRUSTED_PROXIES = 2
    edge = "10.0.0.9"  # the outer proxy, as the inner one saw it
    for i in range(5):
        sign_in(client, "staff", "wrong", forwarded_for=f"192.0.2.{i}, {SHOP}, {edge}")
    locked = sign_in(client, "staff", "correct-horse-battery", forwarded_for=f"{SHOP}, {edge}")
    assert locked.status_code == 429
    ok = sign_in(client, "staff", "correct-horse-battery", forwarded_for=f"{HOME}, {edge}")
    assert ok.status_code == 302


def test_without_a_proxy_forwarded_for_is_not_trusted(client, staff, settings):
    settings.CASEDESK_TRUSTED_PROXIES = 0
    for i in range(5):
        sign_in(client, "staff", "wrong", remote=SHOP, forwarded_for=f"192.0.2.{i}")
    # Every attempt counted against the socket's address, whatever the header said.
    locked = sign_in(client, "staff", "correct-horse-battery", remote=SHOP, forwarded_for=HOME)
    assert locked.status_code == 429


def test_password_spraying_from_one_address_meets_the_per_address_limit(
    client, staff, behind_one_proxy, settings
):
    """4 passwords on 46 usernames: under 5 per username, but 184 from one address."""
    assert settings.CASEDESK_SIGNIN_ADDRESS_LIMIT == 30
    statuses = []
    for n in range(46):
        for password in ("Summer2026!", "Password1", "Welcome1", "Casedesk1"):
            response = sign_in(client, f"user{n:02}", password, forwarded_for=SHOP)
            statuses.append(response.status_code)
    assert statuses[:29] == [200] * 29
    assert set(statuses[29:]) == {429}, "every try after the 30th failure is refused"
    refused = sign_in(client, "staff", "correct-horse-battery", forwarded_for=SHOP)
    assert refused.status_code == 429
    assert "from this address is paused" in refused.content.decode()
    # Colleagues elsewhere are untouched.
    assert sign_in(client, "staff", "correct-horse-battery", forwarded_for=HOME).status_code == 302


def test_the_per_address_limit_lifts_once_the_failures_are_older_than_the_cool_off(
    client, staff, behind_one_proxy, settings
):
    settings.CASEDESK_SIGNIN_ADDRESS_LIMIT = 6
    with time_machine.travel(timezone.now() - timedelta(minutes=16), tick=False):
        statuses = [
            sign_in(client, f"user{n}", "guess", forwarded_for=SHOP).status_code for n in range(6)
        ]
        assert statuses == [200] * 5 + [429]
    # Sixteen minutes on, the cool-off (15) has passed: the counter shows none recent.
    ok = sign_in(client, "staff", "correct-horse-battery", forwarded_for=SHOP)
    assert ok.status_code == 302


def test_a_shop_network_client_behind_a_proxy_with_a_public_address_keeps_its_own(
    rf, behind_one_proxy
):
    """django-ipware's default ranking would prefer the proxy's public address to a
    client's private one (a shop LAN over a VPN), putting every counter on one address."""
    from casedesk.signin import client_address

    request = rf.post(
        "/accounts/login/", REMOTE_ADDR="8.8.4.4", HTTP_X_FORWARDED_FOR="192.168.1.20"
    )
    assert client_address(request) == "192.168.1.20"
    # And with no X-Forwarded-For at all (a health check from the proxy itself): the socket.
    assert client_address(rf.get("/", REMOTE_ADDR="8.8.4.4")) == "8.8.4.4"
