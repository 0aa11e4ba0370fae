"""The copies other apps keep: webhook bodies (and receivers' answers) and the API's stored
Idempotency-Key responses. Erasure and retention scrub them and keep what integrations
and retries need; the export says which systems were sent events about the customer."""

from __future__ import annotations

import importlib
import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from api import tokens
from api.models import IdempotencyKey
from cases import services as case_services
from cases.models import Case, Interaction
from privacy import copies, retention, services
from privacy import export as builder
from tests.api.conftest import ApiClient
from webhooks import services as webhook_services
from webhooks.models import Delivery, EventType

pytestmark = pytest.mark.django_db


@pytest.fixture
def listening(admin_user):
    endpoint, _ = webhook_services.register_endpoint(
        by=admin_user, url="https://crm.example.com/hooks", event_types=EventType.values
    )
    return endpoint


def resolve(case, staff) -> None:
    """A call logged (the case opens) and the case resolved: events with bodies."""
    case_services.log_interaction(
        case,
        by=staff,
        channel="phone",
        direction="inbound",
        summary="Dana rang about the fridge",
        demeanour="calm",
        minutes=3,
    )
    case_services.resolve_case(
        Case.objects.get(pk=case.pk), by=staff, outcome="within_policy", summary="Dana agreed"
    )


def test_a_scrub_keeps_ids_codes_amounts_times_and_staff_and_replaces_the_rest():
    body: dict[str, Any] = {
        "type": "case.resolved",
        "timestamp": "2026-05-06T09:00:00+00:00",
        "data": {
            "case": {
                "id": 7,
                "reference": "CD-000007",
                "subject": "Dana's fridge",
                "status": "resolved",
                "customer": {"id": 3, "name": "Dana Whitfield"},
                "team": {"id": 1, "name": "Downtown"},
                "resolution_summary": "",
                "resolved_at": "2026-05-06T09:00:00+00:00",
            },
            "actor": {"id": 2, "username": "sam", "name": "Sam Staff"},
            "exception_request": {"value": "20.00", "customer_ask": "Refund", "minutes": 4},
            "feedback": {"rating": 2, "comment": "Slow"},
            "flags": ["vip"],
        },
    }
    data = copies.scrub(body)["data"]
    assert data["case"] == {
        **body["data"]["case"],
        "subject": "[erased]",
        "customer": {"id": 3, "name": "[erased]"},
    }
    assert data["actor"] == body["data"]["actor"]
    assert data["exception_request"] == {"value": "20.00", "customer_ask": "[erased]", "minutes": 4}
    assert data["feedback"] == {"rating": 2, "comment": "[erased]"}
    assert data["flags"] == ["[erased]"]


def test_a_delivery_still_owed_goes_out_scrubbed_under_the_same_id(
    listening, admin_user, case, staff
):
    resolve(case, staff)
    owed = Delivery.objects.filter(case=case, state="pending")
    before = {d.pk: d.event_id for d in owed}
    assert before and all("Dana Whitfield" in d.body for d in owed)

    services.erase_customer(case.customer, by=admin_user, reason="Asked")

    after = {d.pk: d for d in Delivery.objects.filter(pk__in=before)}
    assert {pk: d.event_id for pk, d in after.items()} == before
    for delivery in after.values():
        assert delivery.state == "pending"
        body = json.loads(delivery.body)
        assert body["data"]["case"]["customer"] == {"id": case.customer_id, "name": "[erased]"}
        assert body["data"]["case"]["reference"] == case.reference


def test_a_closed_case_past_retention_has_its_webhook_bodies_scrubbed(
    listening, admin_user, case, staff
):
    resolve(case, staff)
    long_ago = timezone.now() - timedelta(days=7 * 366)
    Case.objects.filter(pk=case.pk).update(status="closed", closed_at=long_ago)
    Delivery.objects.filter(case=case).update(
        state="failed", last_error="HTTP 400: no contact Dana Whitfield"
    )
    services.update_retention_settings(
        by=admin_user, enabled=True, closed_case_years=6, inactive_customer_years=100
    )

    retention.run_retention()

    rows = Delivery.objects.filter(case=case)
    assert rows.exists()
    assert not rows.filter(body__contains="Dana").exists()
    assert set(rows.values_list("last_error", flat=True)) == {"[erased]"}


def test_a_retried_post_after_the_erasure_replays_the_scrubbed_response_without_acting(
    admin_user, staff, case
):
    till = ApiClient(tokens.create_token(user=staff, name="Till").secret)
    call = {"channel": "phone", "summary": "Dana rang about the fridge", "demeanour": "calm"}
    url = f"/api/v1/cases/{case.reference}/interactions/"
    first = till.post(url, call, **{"Idempotency-Key": "till-1"})
    assert first.status_code == 201
    services.erase_customer(
        case.customer, by=admin_user, reason="Asked", override=True, override_reason="Court"
    )

    again = till.post(url, call, **{"Idempotency-Key": "till-1"})

    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == {**first.json(), "summary": "[erased]"}
    assert Interaction.objects.filter(case=case).count() == 1
    assert not IdempotencyKey.objects.filter(response_body__icontains="Dana").exists()


def test_another_customers_stored_responses_are_left_alone(admin_user, staff, case, team):
    other = case_services.create_customer(by=staff, team=team, name="Olu Other", phone="07700")
    till = ApiClient(tokens.create_token(user=staff, name="Till").secret)
    till.patch(
        f"/api/v1/customers/{other.pk}/", {"preferences": "Calls"}, **{"Idempotency-Key": "o"}
    )
    till.patch(
        f"/api/v1/customers/{case.customer_id}/", {"preferences": "x"}, **{"Idempotency-Key": "d"}
    )
    services.erase_customer(
        case.customer, by=admin_user, reason="Asked", override=True, override_reason="Court"
    )
    stored: dict[str, Any] = dict(IdempotencyKey.objects.values_list("key", "response_body"))
    assert (stored["o"]["name"], stored["d"]["name"]) == ("Olu Other", "[erased]")


def test_the_export_lists_the_systems_sent_events_about_them(
    listening, admin_user, case, staff, team, category, settings, tmp_path
):
    settings.CASEDESK_EXPORT_DIR = tmp_path
    other = case_services.create_customer(by=staff, team=team, name="Olu Other", phone="07700")
    case_services.open_case(
        by=staff, customer=other, team=team, subject="Theirs", category=category, channel="phone"
    )
    export = services.request_export(case.customer, by=admin_user)
    built = builder.collect(export, progress=lambda percent: None)

    sent = built.data["webhook_deliveries"]
    assert sent and {row["case"] for row in sent} == {case.reference}
    assert {row["sent_to"] for row in sent} == {"https://crm.example.com/hooks"}


def test_deliveries_written_before_they_named_their_case_are_given_it():
    migration = importlib.import_module("webhooks.migrations.0004_delivery_case_backfill")
    body = json.dumps({"type": "case.created", "data": {"case": {"id": 42}}})
    assert migration.case_of(body) == 42
    assert migration.case_of("{}") is None and migration.case_of("not json") is None
