"""The database refuses delivery and endpoint rows the code must never write."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from webhooks import services
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(admin_user):
    endpoint, _ = services.register_endpoint(
        by=admin_user, url="https://till.example.com/", event_types=["case.created"]
    )
    return endpoint


def refused(**fields: object) -> bool:
    try:
        with transaction.atomic():
            Delivery.objects.create(
                **{"event_id": "msg_x", "event_type": "case.created", "body": "{}", **fields},
                next_attempt_at=timezone.now(),
            )
    except IntegrityError:
        return True
    return False


def test_one_row_per_endpoint_and_event(endpoint):
    assert not refused(endpoint=endpoint)
    assert refused(endpoint=endpoint), "the same event twice for one endpoint"


@pytest.mark.parametrize(
    "fields",
    [
        {"event_id": "evt_1"},  # not a msg_ id
        {"state": "sending"},  # claimed without a claim time
        {"state": "sent"},  # sent without a time and a 2xx
        {"state": "sent", "sent_at": timezone.now(), "last_response_code": 500},
        {"state": "failed", "sent_at": timezone.now()},
    ],
)
def test_inconsistent_delivery_states_are_refused(endpoint, fields):
    assert refused(endpoint=endpoint, **fields)


def test_an_endpoint_switched_off_for_failing_is_inactive_and_a_secret_has_its_form(endpoint):
    with pytest.raises(IntegrityError), transaction.atomic():
        Endpoint.objects.filter(pk=endpoint.pk).update(disabled_reason="Failing", active=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Endpoint.objects.filter(pk=endpoint.pk).update(secret="plain")
    with pytest.raises(IntegrityError), transaction.atomic():
        Endpoint.objects.filter(pk=endpoint.pk).update(previous_secret=endpoint.secret)
