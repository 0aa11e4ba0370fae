"""Idempotency-Key: a till that retries a POST never logs an interaction twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from api.idempotency import purge_expired
from api.models import IdempotencyKey
from cases.models import Interaction

pytestmark = pytest.mark.django_db

CALL = {"channel": "phone", "summary": "Customer rang about the door", "demeanour": "calm"}


def _log(client, case, body=CALL, key="till-1-0001"):
    url = f"/api/v1/cases/{case.reference}/interactions/"
    return client.post(url, body, **{"Idempotency-Key": key})


def test_a_retry_with_the_same_key_and_body_replays_the_first_response(api, staff, case):
    till = api(staff)
    first = _log(till, case)
    again = _log(till, case, body=dict(reversed(list(CALL.items()))))  # same JSON, reordered
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Interaction.objects.filter(case=case).count() == 1


def test_the_same_key_with_another_body_is_refused_with_422(api, staff, case):
    till = api(staff)
    _log(till, case)
    response = _log(till, case, body={**CALL, "summary": "Something else"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "unprocessable"
    assert Interaction.objects.filter(case=case).count() == 1


def test_keys_are_per_person(api, staff, colleague, case):
    _log(api(staff), case)
    assert _log(api(colleague), case).status_code == 201
    assert Interaction.objects.filter(case=case).count() == 2


def test_a_refused_request_keeps_no_key_so_the_corrected_retry_runs(api, staff, case):
    till = api(staff)
    bad = _log(till, case, body={**CALL, "summary": ""})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "summary"
    assert not IdempotencyKey.objects.exists()
    assert _log(till, case, body={**CALL, "summary": ""}).status_code == 400
    assert Interaction.objects.count() == 0


def test_without_a_key_each_post_acts(api, staff, case):
    till = api(staff)
    url = f"/api/v1/cases/{case.reference}/interactions/"
    till.post(url, CALL)
    till.post(url, CALL)
    assert Interaction.objects.filter(case=case).count() == 2


def test_a_key_is_kept_for_24_hours_then_forgotten(api, staff, case):
    till = api(staff)
    _log(till, case)
    with time_machine.travel(timezone.now() + timedelta(hours=23)):
        assert _log(till, case)["Idempotent-Replayed"] == "true"
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        fresh = _log(till, case)
        assert fresh.status_code == 201
        assert "Idempotent-Replayed" not in fresh
    assert Interaction.objects.filter(case=case).count() == 2


def test_the_hourly_purge_deletes_only_expired_keys(api, staff, case):
    till = api(staff)
    _log(till, case, key="old")
    with time_machine.travel(timezone.now() + timedelta(hours=20)):
        _log(till, case, key="recent")
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert purge_expired() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["recent"]


def test_an_unreasonable_key_is_a_400_naming_the_header(api, staff, case):
    response = _log(api(staff), case, key="x" * 300)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


def test_opening_a_case_twice_with_one_key_opens_one_case(api, staff, customer, category):
    till = api(staff)
    body = {
        "customer": customer.pk,
        "subject": "Kettle leaks",
        "category": category.pk,
        "channel": "in_person",
        "first_interaction": {"summary": "Brought it back", "minutes": 4},
    }
    first = till.post("/api/v1/cases/", body, **{"Idempotency-Key": "open-1"})
    again = till.post("/api/v1/cases/", body, **{"Idempotency-Key": "open-1"})
    assert first.status_code == again.status_code == 201
    assert first.json()["reference"] == again.json()["reference"]
    assert customer.cases.count() == 1
