"""Outbound posts refuse private, loopback and link-local addresses (every address the
host resolves to is checked, and the connection goes to a checked one), unless
CASEDESK_WEBHOOK_ALLOW_PRIVATE is on."""

from __future__ import annotations

import pytest

from cases import services
from webhooks import delivery as sweep
from webhooks import transport
from webhooks.forms import EndpointForm
from webhooks.models import Delivery, DeliveryState

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict(settings):
    settings.CASEDESK_WEBHOOK_ALLOW_PRIVATE = False
    return settings


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.20",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",
        "224.0.0.1",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(strict, host):
    with pytest.raises(transport.Refused):
        transport.check_host(host, 80)


def test_a_public_address_passes(strict):
    assert transport.check_host("93.184.215.14", 443) == ["93.184.215.14"]


def test_the_setting_lets_tests_post_to_loopback(settings):
    settings.CASEDESK_WEBHOOK_ALLOW_PRIVATE = True
    assert "127.0.0.1" in transport.check_host("localhost", 80)


def test_a_delivery_to_a_private_address_fails_without_a_request(
    case, receiver, endpoint_for, staff, colleague, strict
):
    strict.CASEDESK_WEBHOOK_ALLOW_PRIVATE = True  # registering a local test URL
    endpoint_for(receiver)
    strict.CASEDESK_WEBHOOK_ALLOW_PRIVATE = False
    services.reassign_case(case, by=staff, assignee=colleague)
    sweep.send_due_webhooks()
    row = Delivery.objects.get()
    assert row.state == DeliveryState.FAILED and row.last_error.startswith("Refused:")
    assert receiver.requests() == 0


def test_only_http_and_https_are_posted_to(strict):
    with pytest.raises(transport.Refused):
        transport.post("ftp://example.com/x", body="{}", headers={}, timeout=1)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/hook", "http://[::1]/hook", "http://localhost/x"]
)
def test_registering_a_local_url_is_refused_next_to_the_field(strict, url):
    form = EndpointForm({"url": url, "event_types": ["case.created"], "active": True})
    assert not form.is_valid()
    assert "private, loopback or link-local" in form.errors["url"][0]
