"""Erasure by anonymisation: nothing identifying is left anywhere, and the figures hold."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from django.utils import timezone

from api import tokens
from api.models import IdempotencyKey
from cases import insights, selectors
from cases.models import (
    Case,
    CustomerFlagNote,
    ExceptionRequest,
    FeedbackRequest,
    Interaction,
    Reminder,
)
from privacy import services
from privacy.models import Erasure, PrivacyEvent
from tests.api.conftest import ApiClient
from tests.privacy.world import DANA, OTHER, build_world, find_everywhere
from webhooks import services as webhook_services
from webhooks.models import Delivery, EventType

pytestmark = pytest.mark.django_db


def figures(team) -> dict:
    """Every insights figure for the period, minus what names a customer or quotes them."""
    today = timezone.localdate()
    period = insights.Period.from_dates(today - timedelta(days=30), today, [team.pk])
    result = dataclasses.asdict(insights.insights_for(period))
    for row in result["cost_to_serve"]:
        row.pop("customer")
    for row in result["low_ratings"]:
        for key in ("comment", "subject", "customer"):
            row.pop(key, None)
    return result


@pytest.fixture
def listening(admin_user):
    """A webhook endpoint for every event, registered before the world is built: each
    change to the customer's cases leaves a delivery whose body copies them."""
    endpoint, _ = webhook_services.register_endpoint(
        by=admin_user, url="https://crm.example.com/hooks", event_types=EventType.values
    )
    return endpoint


@pytest.fixture
def seen_world(listening, team, staff, manager, admin_user, category, allowed, what_happens_next):
    """The customer to erase, whose data also went out by webhook and through the API."""
    return build_world(
        DANA,
        team=team,
        staff=staff,
        manager=manager,
        admin=admin_user,
        category=category,
        allowed=allowed,
    )


def copy_through_the_api(person, customer, *, staff, category) -> None:
    """A till opens and resolves a case for them and changes their notes, each with an
    Idempotency-Key (so the response is stored for a retry), and a receiver answered a
    webhook with an error that quoted them."""
    till = ApiClient(tokens.create_token(user=staff, name="Till 7").secret)
    opened = till.post(
        "/api/v1/cases/",
        {
            "customer": customer.pk,
            "subject": f"{person.name} back about the {person.phrase}",
            "category": category.pk,
            "channel": "phone",
            "first_interaction": {"summary": f"Rang from {person.phone}", "minutes": 3},
        },
        **{"Idempotency-Key": f"open-{customer.pk}"},
    )
    assert opened.status_code == 201, opened.content
    reference = opened.json()["reference"]
    resolved = till.post(
        f"/api/v1/cases/{reference}/resolve/",
        {"outcome": "within_policy", "summary": f"Sorted the {person.phrase}"},
        **{"Idempotency-Key": f"resolve-{customer.pk}"},
    )
    assert resolved.status_code == 200, resolved.content
    changed = till.patch(
        f"/api/v1/customers/{customer.pk}/",
        {"preferences": f"Email {person.email} first"},
        **{"Idempotency-Key": f"notes-{customer.pk}"},
    )
    assert changed.status_code == 200, changed.content
    stored = IdempotencyKey.objects.filter(key__endswith=f"-{customer.pk}")
    assert stored.count() == 3 and all(row.response_body for row in stored)
    Delivery.objects.filter(case__customer=customer, event_type="case.created").update(
        state="failed", last_error=f"HTTP 422: unknown contact {person.email}"
    )


def test_erasure_leaves_no_trace_of_the_customer_in_any_table(
    seen_world,
    bystander,
    admin_user,
    staff,
    team,
    category,
    signed_in,
    django_capture_on_commit_callbacks,
):
    world = seen_world
    copy_through_the_api(DANA, world.customer, staff=staff, category=category)
    copy_through_the_api(OTHER, bystander.customer, staff=staff, category=category)
    client = signed_in(admin_user)
    client.get(world.customer.get_absolute_url())
    client.get(world.cases[0].get_absolute_url())
    assert find_everywhere(DANA.needles), "the test data should be findable before erasure"
    deliveries = Delivery.objects.filter(case__customer=world.customer)
    assert deliveries.count() > 10 and deliveries.filter(body__contains=DANA.name).exists()
    before = figures(team)

    with django_capture_on_commit_callbacks(execute=True):
        services.erase_customer(world.customer, by=admin_user, reason="Asked by letter, ref 42")

    assert find_everywhere(DANA.needles) == []
    for needle in DANA.needles:
        results = selectors.search(admin_user, needle)
        assert not results.cases and not results.customers, needle
    # The other customer is untouched, and the figures are the same — except that the
    # feedback email due in the period, still waiting to go to this customer, is cancelled.
    assert find_everywhere([OTHER.phrase, OTHER.email])
    theirs = Delivery.objects.filter(case__customer=bystander.customer)
    assert theirs.filter(body__contains=OTHER.name).count() == theirs.count() > 10
    assert IdempotencyKey.objects.filter(response_body__icontains=OTHER.phrase).exists()
    after = figures(team)
    waiting = before["reminders"]["waiting"]
    assert after.pop("reminders") == {**before.pop("reminders"), "waiting": waiting - 1}
    assert after == before


def test_erasure_keeps_cases_decisions_amounts_and_timings(world, admin_user):
    case = world.cases[0]
    requests = list(ExceptionRequest.objects.filter(case=case).values("status", "granted_value"))
    minutes = sorted(Interaction.objects.filter(case=case).values_list("minutes", flat=True))

    services.erase_customer(world.customer, by=admin_user, reason="Customer asked")

    case.refresh_from_db()
    assert (case.status, case.outcome, case.category_id) == (
        "resolved",
        "compromise",
        case.category_id,
    )
    assert case.subject == "[erased]" and case.resolution_summary == "[erased]"
    assert (
        list(ExceptionRequest.objects.filter(case=case).values("status", "granted_value"))
        == requests
    )
    assert (
        sorted(Interaction.objects.filter(case=case).values_list("minutes", flat=True)) == minutes
    )
    assert FeedbackRequest.objects.filter(case=case, rating=2).exists()
    world.customer.refresh_from_db()
    assert world.customer.name == f"Erased customer #{world.customer.pk}"
    assert (world.customer.email, world.customer.phone, world.customer.flags) == ("", "", [])
    assert world.customer.erased_at is not None
    # Which flag staff set and when stay, as a demeanour does; the flags are closed and
    # every reason given for them is gone.
    notes = CustomerFlagNote.objects.filter(customer=world.customer)
    assert notes.count() == 3 and not notes.filter(cleared_at__isnull=True).exists()
    assert set(notes.values_list("reason", flat=True)) == {"[erased]"}
    assert set(notes.values_list("cleared_reason", flat=True)) == {"", "[erased]"}


def test_emails_not_yet_sent_to_the_customer_are_cancelled(world, admin_user):
    unsent = Reminder.objects.filter(case=world.cases[0], kind="feedback", state="pending")
    assert unsent.count() == 2  # one due now (no sweep ran), one in three days

    services.erase_customer(world.customer, by=admin_user, reason="Customer asked")

    assert unsent.count() == 0
    assert (
        Reminder.objects.filter(case=world.cases[0], kind="feedback", state="cancelled").count()
        == 2
    )
    sent = Reminder.objects.get(case=world.cases[0], kind="customer_update")
    assert sent.state == "sent" and sent.note == "[erased]" and sent.last_error == ""


def test_erasure_is_recorded_who_when_why_and_happens_once(world, admin_user):
    services.erase_customer(world.customer, by=admin_user, reason="Customer asked")

    erasure = Erasure.objects.get(customer=world.customer)
    assert (erasure.erased_by, erasure.reason) == (admin_user, "Customer asked")
    assert PrivacyEvent.objects.filter(customer=world.customer, kind="erased").count() == 1
    with pytest.raises(services.AlreadyErased):
        services.erase_customer(world.customer, by=admin_user, reason="Again")
    assert Erasure.objects.count() == 1


def test_an_open_case_blocks_erasure_unless_an_admin_overrides_with_a_reason(
    world, admin_user, staff, category
):
    from cases import services as case_services

    open_case = case_services.open_case(
        by=staff,
        customer=world.customer,
        team=world.customer.team,
        subject="Still going",
        category=category,
        channel="phone",
    )

    with pytest.raises(services.ErasureBlocked) as refused:
        services.erase_customer(world.customer, by=admin_user, reason="Customer asked")
    assert refused.value.blockers == [open_case.reference]
    with pytest.raises(services.NotAllowed):
        services.erase_customer(world.customer, by=admin_user, reason="Asked", override=True)
    assert not Erasure.objects.exists()

    services.erase_customer(
        world.customer,
        by=admin_user,
        reason="Asked",
        override=True,
        override_reason="Court order; the case is being closed today",
    )
    assert Erasure.objects.get().override_reason.startswith("Court order")
    assert Case.objects.get(pk=open_case.pk).subject == "[erased]"


def test_only_an_admin_erases(world, manager):
    with pytest.raises(services.NotAllowed):
        services.erase_customer(world.customer, by=manager, reason="Asked")
    assert not Erasure.objects.exists()


def test_a_reason_is_required(world, admin_user):
    with pytest.raises(services.NotAllowed):
        services.erase_customer(world.customer, by=admin_user, reason="   ")
