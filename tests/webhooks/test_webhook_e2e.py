"""End to end: a day at the counter raises every event type, and a real Celery worker on
Redis posts each one, signed, to a real receiver that verifies it with the reference
library."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cases import services
from cases.tasks import send_due_reminders
from tests.threads import wait_for
from webhooks.models import Delivery, DeliveryState, EventType
from webhooks.tasks import send_due_webhooks

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_every_event_type_arrives_signed_once_through_a_real_worker(
    worker, receiver, endpoint_for, case, staff, colleague, manager, allowed
):
    endpoint_for(receiver)
    services.open_case(
        by=staff,
        customer=case.customer,
        team=case.team,
        subject="Second matter",
        category=case.category,
        channel="phone",
    )
    services.reassign_case(case, by=staff, assignee=colleague)
    services.log_interaction(
        case,
        by=staff,
        channel="phone",
        direction="inbound",
        summary="Customer asked about the refund",
        demeanour="calm",
    )
    request = services.request_exception(
        case,
        by=staff,
        allowed=allowed,
        value=Decimal("80.00"),
        customer_ask="Refund the fee",
        justification="Part discontinued",
    )
    services.decide_exception(
        request, by=manager, decision="counter", reason="Half", counter_value=Decimal("40.00")
    )
    done = services.add_task(
        case,
        by=staff,
        title="Call back",
        kind="call_back",
        assignee=staff,
        due_at=timezone.now() + timedelta(days=1),
    )
    services.complete_task(done, by=staff, outcome_note="Called")
    services.add_task(
        case,
        by=staff,
        title="Send the part",
        kind="deliver_promise",
        assignee=staff,
        due_at=timezone.now() - timedelta(hours=2),
    )
    case.refresh_from_db()
    services.resolve_case(case, by=staff, outcome="compromise", summary="Half refunded")
    feedback = services.schedule_feedback(case, send_at=timezone.now() + timedelta(days=1))
    assert feedback is not None
    services.submit_feedback(feedback, rating=5, comment="Lovely")
    services.reopen_case(case, by=staff, reason="The part did not arrive")

    send_due_reminders.delay()  # the overdue escalation raises task.overdue
    wait_for(
        lambda: Delivery.objects.filter(event_type="task.overdue").exists(),
        timeout=60,
        what="the overdue escalation",
    )
    send_due_webhooks.delay()
    expected = dict(Delivery.objects.values_list("event_id", "body"))
    wait_for(lambda: len(receiver.ids()) >= len(expected), timeout=60, what="every delivery")
    send_due_webhooks.delay()  # a second sweep finds nothing more to post
    wait_for(
        lambda: not Delivery.objects.exclude(state=DeliveryState.SENT).exists(),
        timeout=30,
        what="every row recorded sent",
    )
    arrived = {r.msg_id: r.body for r in receiver.accepted()}
    assert arrived == expected
    assert all(n == 1 for n in receiver.ids().values())
    types = {json.loads(body)["type"] for body in arrived.values()}
    assert types == set(EventType.values), set(EventType.values) - types
