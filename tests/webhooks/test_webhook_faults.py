"""No webhook is lost, whatever fails — with a real Celery worker process (solo pool,
beat sweeping every second) on the test database, posting to a real receiver that checks
every signature with the reference library.

Each fault is counted, never timed: the worker is killed after N arrivals, the receiver
answers 500 to its next N requests, or holds its next N past the sender's timeout.
Every event must arrive at least once, every copy with the same id and the same body as
the row stored when the change was made.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict

import pytest

from cases import services
from tests.cases.test_reminder_faults import (  # noqa: F401 (fixtures)
    fault_broker,
    private_redis,
    process_env,
    workers,
)
from tests.threads import wait_for
from webhooks.models import Delivery, DeliveryState

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def env(tmp_path, smtp_sink, fault_broker):  # noqa: F811
    environment = process_env(tmp_path, smtp_sink.port, fault_broker)
    environment.update(
        CASEDESK_WEBHOOK_ALLOW_PRIVATE="1",
        CASEDESK_WEBHOOK_TIMEOUT_SECONDS="1",
        CASEDESK_WEBHOOK_CLAIM_TIMEOUT_SECONDS="4",
        CASEDESK_WEBHOOK_BACKOFF_SECONDS="1",
    )
    return environment


def owed(case, staff, colleague, endpoint_for, receiver, n: int) -> dict[str, str]:
    """n case.assigned events for the receiver; their ids and stored bodies."""
    endpoint_for(receiver, types=["case.assigned"])
    for _ in range(n):
        case.refresh_from_db()
        other = staff if case.assignee_id == colleague.pk else colleague
        services.reassign_case(case, by=staff, assignee=other)
    expected = dict(Delivery.objects.values_list("event_id", "body"))
    assert len(expected) == n
    return expected


def assert_all_arrived_unchanged(receiver, expected: dict[str, str]) -> Counter[str]:
    bodies: dict[str, set[str]] = defaultdict(set)
    for arrived in receiver.accepted():
        bodies[arrived.msg_id].add(arrived.body)
    assert set(bodies) == set(expected), "an event was lost or an unknown one arrived"
    for msg_id, seen in bodies.items():
        assert seen == {expected[msg_id]}, f"{msg_id} arrived with another body"
    assert not Delivery.objects.exclude(state=DeliveryState.SENT).exists()
    return receiver.ids()


def test_worker_killed_mid_batch_loses_nothing(
    case,
    staff,
    colleague,
    receiver,
    endpoint_for,
    env,
    workers,  # noqa: F811
):
    expected = owed(case, staff, colleague, endpoint_for, receiver, 300)
    receiver.delay = 0.01  # a slow receiver, so the kill lands mid-batch
    first = workers(env)
    wait_for(lambda: receiver.count() >= 60, timeout=90, what="the first sixty deliveries")
    first.kill()
    assert receiver.count() < 300, "the batch finished before the kill"
    workers(env)
    wait_for(lambda: len(receiver.ids()) >= 300, timeout=120, what="every delivery")
    wait_for(
        lambda: not Delivery.objects.exclude(state=DeliveryState.SENT).exists(),
        timeout=60,
        what="every row recorded sent",
    )
    time.sleep(2)  # anything posted twice would have arrived by now
    counts = assert_all_arrived_unchanged(receiver, expected)
    # The only repeat possible is the one in flight when the worker died.
    assert sum(n - 1 for n in counts.values()) <= 1, counts.most_common(3)


def test_a_receiver_answering_500_for_a_while_delays_but_loses_nothing(
    case,
    staff,
    colleague,
    receiver,
    endpoint_for,
    env,
    workers,  # noqa: F811
):
    expected = owed(case, staff, colleague, endpoint_for, receiver, 20)
    receiver.fail_next = 12
    workers(env)
    wait_for(lambda: len(receiver.ids()) >= 20, timeout=180, what="every delivery")
    wait_for(
        lambda: not Delivery.objects.exclude(state=DeliveryState.SENT).exists(),
        timeout=60,
        what="every row recorded sent",
    )
    counts = assert_all_arrived_unchanged(receiver, expected)
    assert set(counts.values()) == {1}, "a 500 is not an arrival: each arrived once"
    assert receiver.answered.count(500) == 12
    assert Delivery.objects.filter(attempts__gt=1).exists()


def test_a_receiver_hanging_past_the_timeout_loses_nothing(
    case,
    staff,
    colleague,
    receiver,
    endpoint_for,
    env,
    workers,  # noqa: F811
):
    expected = owed(case, staff, colleague, endpoint_for, receiver, 20)
    receiver.hang_next, receiver.hang_seconds = 3, 3.0  # the sender gives up after 1 s
    workers(env)
    wait_for(lambda: len(receiver.ids()) >= 20, timeout=180, what="every delivery")
    wait_for(
        lambda: not Delivery.objects.exclude(state=DeliveryState.SENT).exists(),
        timeout=60,
        what="every row recorded sent",
    )
    assert_all_arrived_unchanged(receiver, expected)
    assert receiver.hang_next <= 0, "the receiver held requests as the test asked"
    timed_out = Delivery.objects.filter(attempts__gt=1).count()
    assert timed_out >= 1
