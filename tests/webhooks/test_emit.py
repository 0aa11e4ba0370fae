"""Every change that other systems hear about writes its deliveries in the same
transaction, once per subscribed active endpoint, with a body fixed at that moment."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services
from cases.models import Reminder, ReminderKind
from tests.exception_fixtures import ask
from webhooks import emit
from webhooks import services as webhook_services
from webhooks.models import Delivery, EventType

pytestmark = pytest.mark.django_db

ALL = EventType.values


@pytest.fixture
def endpoint(admin_user):
    endpoint, _ = webhook_services.register_endpoint(
        by=admin_user, url="https://till.example.com/hooks", event_types=ALL
    )
    return endpoint


def types_written() -> list[str]:
    return list(Delivery.objects.order_by("id").values_list("event_type", flat=True))


def payload(event_type: str) -> dict:
    return json.loads(Delivery.objects.get(event_type=event_type).body)


def test_opening_a_case_with_a_first_interaction_raises_both_events(
    endpoint, staff, customer, category
):
    case = services.open_case(
        by=staff,
        customer=customer,
        team=customer.team,
        subject="Kettle leaks",
        category=category,
        channel="phone",
        first_summary="Customer called about a leaking kettle",
    )
    assert types_written() == ["case.created", "interaction.logged"]
    created = payload("case.created")
    assert created["type"] == "case.created"
    assert created["data"]["case"]["reference"] == case.reference
    assert created["data"]["case"]["customer"] == {"id": customer.pk, "name": "Dana Whitfield"}
    assert created["data"]["actor"]["username"] == "staff"
    logged = payload("interaction.logged")
    assert logged["data"]["interaction"]["summary"] == "Customer called about a leaking kettle"


def test_assign_resolve_reopen_each_raise_their_event(case, endpoint, staff, colleague):
    services.reassign_case(case, by=staff, assignee=colleague)
    services.resolve_case(case, by=staff, outcome="compromise", summary="Store credit offered")
    services.reopen_case(case, by=staff, reason="Customer called back unhappy")
    assert types_written() == ["case.assigned", "case.resolved", "case.reopened"]
    # Read inside the transaction, after the update: the new assignee, not the old one.
    assert payload("case.assigned")["data"]["case"]["assignee"]["username"] == "colleague"
    resolved = payload("case.resolved")["data"]["case"]
    assert resolved["status"] == "resolved" and resolved["outcome"] == "compromise"
    assert payload("case.reopened")["data"]["reason"] == "Customer called back unhappy"


def test_exception_requested_and_decided(case, endpoint, staff, manager, allowed):
    request = ask(case, staff, allowed, value="80.00")
    services.decide_exception(request, by=manager, decision="approve", reason="Loyal customer")
    assert types_written() == ["exception.requested", "exception.decided"]
    decided = payload("exception.decided")["data"]["exception_request"]
    assert decided["status"] == "approved"
    assert decided["granted_value"] == "80.00"
    assert decided["decided_by"]["username"] == "manager"


def test_a_request_granted_at_once_is_both_requested_and_decided(case, endpoint, staff, allowed):
    ask(case, staff, allowed, value="10.00")
    assert types_written() == ["exception.requested", "exception.decided"]
    ids = set(Delivery.objects.values_list("event_id", flat=True))
    assert len(ids) == 2, "two events, two ids"


def test_task_created_completed_and_feedback(case, endpoint, staff):
    task = services.add_task(
        case,
        by=staff,
        title="Call back Friday",
        kind="call_back",
        assignee=staff,
        due_at=timezone.now() + timedelta(days=2),
    )
    services.complete_task(task, by=staff, outcome_note="Customer happy")
    assert types_written() == ["task.created", "task.completed"]
    assert payload("task.completed")["data"]["task"]["outcome_note"] == "Customer happy"


def test_the_overdue_escalation_raises_task_overdue_once_per_task(endpoint, case, staff, manager):
    from cases.services.reminders import deliver

    task = services.add_task(
        case,
        by=staff,
        title="Deliver the part",
        kind="deliver_promise",
        assignee=staff,
        due_at=timezone.now() - timedelta(hours=2),
    )
    Delivery.objects.all().delete()
    overdue = Reminder.objects.select_related("case", "task").get(
        task=task, kind=ReminderKind.OVERDUE
    )
    overdue.claimed_at = timezone.now()
    Reminder.objects.filter(pk=overdue.pk).update(state="sending", claimed_at=overdue.claimed_at)
    deliver(overdue)
    emit.on_task_overdue(overdue)  # an escalation retried: the same event, nothing new
    assert types_written() == ["task.overdue"]
    assert payload("task.overdue")["data"]["task"]["title"] == "Deliver the part"


def test_only_subscribed_active_endpoints_get_rows(admin_user, case, staff, colleague):
    listens, _ = webhook_services.register_endpoint(
        by=admin_user, url="https://a.example.com/", event_types=["case.assigned"]
    )
    webhook_services.register_endpoint(
        by=admin_user, url="https://b.example.com/", event_types=["case.resolved"]
    )
    webhook_services.register_endpoint(
        by=admin_user, url="https://c.example.com/", event_types=ALL, active=False
    )
    services.reassign_case(case, by=staff, assignee=colleague)
    assert list(Delivery.objects.values_list("endpoint_id", "event_type")) == [
        (listens.pk, "case.assigned")
    ]


def test_every_endpoint_gets_the_same_id_and_body(admin_user, case, staff, colleague):
    for host in ("a", "b"):
        webhook_services.register_endpoint(
            by=admin_user, url=f"https://{host}.example.com/", event_types=ALL
        )
    services.reassign_case(case, by=staff, assignee=colleague)
    rows = list(Delivery.objects.values_list("event_id", "body"))
    assert len(rows) == 2 and rows[0] == rows[1]
    assert rows[0][0].startswith("msg_")


def test_a_change_rolled_back_leaves_no_delivery(case, endpoint, staff, colleague):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.reassign_case(case, by=staff, assignee=colleague)
        raise RuntimeError("the request failed after the change")
    assert not Delivery.objects.exists()


def test_an_event_nobody_listens_to_costs_no_query(case, staff, colleague):
    emit.subscribers()  # the list is read once, then cached
    with CaptureQueriesContext(connection) as with_hooks:
        services.reassign_case(case, by=staff, assignee=colleague)
    assert not any("webhooks_" in q["sql"] for q in with_hooks.captured_queries)


def test_subscribers_are_read_afresh_after_a_change_in_this_process(
    admin_user, case, staff, colleague
):
    assert emit.subscribers() == []
    webhook_services.register_endpoint(by=admin_user, url="https://a.example.com/", event_types=ALL)
    services.reassign_case(case, by=staff, assignee=colleague)
    assert Delivery.objects.count() == 1


def test_the_body_is_fixed_at_creation(case, endpoint, staff, colleague, manager):
    services.reassign_case(case, by=staff, assignee=colleague)
    first = Delivery.objects.get().body
    services.reassign_case(case, by=staff, assignee=manager)
    assert Delivery.objects.order_by("id").first().body == first
    assert json.loads(first)["data"]["case"]["assignee"]["username"] == "colleague"


def test_money_is_exact_in_the_body(case, endpoint, staff, allowed):
    ask(case, staff, allowed, value="19.99")
    data = payload("exception.requested")["data"]["exception_request"]
    assert data["value"] == "19.99" and Decimal(data["value"]) == Decimal("19.99")
