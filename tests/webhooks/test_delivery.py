"""The sweep posts each delivery signed, records what came of it, retries what is worth
retrying with backoff, gives up after the last try, and switches off an endpoint that
keeps failing — against a real receiver on 127.0.0.1."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cases import services
from tests.threads import race
from webhooks import delivery as sweep
from webhooks import services as webhook_services
from webhooks.models import Delivery, DeliveryState, Endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def fast(settings):
    settings.CASEDESK_WEBHOOK_TIMEOUT_SECONDS = 1
    settings.CASEDESK_WEBHOOK_BACKOFF_SECONDS = 30
    return settings


def changes(case, staff, colleague, n: int = 1) -> None:
    """n reassignments: each raises one case.assigned event."""
    for _ in range(n):
        case.refresh_from_db()
        other = staff if case.assignee_id == colleague.pk else colleague
        services.reassign_case(case, by=staff, assignee=other)


def test_a_delivery_arrives_signed_and_is_recorded(
    case, receiver, endpoint_for, staff, colleague, fast
):
    endpoint_for(receiver)
    changes(case, staff, colleague)
    assert sweep.send_due_webhooks() == 1
    (arrived,) = receiver.accepted()
    row = Delivery.objects.get()
    assert arrived.msg_id == row.event_id and arrived.body == row.body
    assert json.loads(arrived.body)["type"] == "case.assigned"
    assert arrived.headers["content-type"] == "application/json"
    assert row.state == DeliveryState.SENT and row.attempts == 1
    assert row.last_response_code == 200 and row.last_duration_ms is not None
    assert sweep.send_due_webhooks() == 0, "nothing is posted twice"


def test_a_500_is_retried_after_the_backoff(case, receiver, endpoint_for, staff, colleague, fast):
    endpoint_for(receiver)
    changes(case, staff, colleague)
    receiver.fail_next = 1
    sweep.send_due_webhooks()
    row = Delivery.objects.get()
    assert row.state == DeliveryState.PENDING and row.last_response_code == 500
    wait = (row.next_attempt_at - timezone.now()).total_seconds()
    assert 25 < wait <= 30
    assert sweep.send_due_webhooks() == 0, "not due again before the backoff"
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        assert sweep.send_due_webhooks() == 1
    row.refresh_from_db()
    assert row.state == DeliveryState.SENT and row.attempts == 2
    assert receiver.answered == [500, 200]


def test_backoff_doubles_and_is_capped(fast):
    assert [sweep.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert sweep.backoff(40) == timedelta(days=1)


def test_a_429_waits_as_long_as_retry_after_says(
    case, receiver, endpoint_for, staff, colleague, fast
):
    endpoint_for(receiver)
    changes(case, staff, colleague)
    receiver.status_next, receiver.status, receiver.retry_after = 1, 429, "600"
    sweep.send_due_webhooks()
    row = Delivery.objects.get()
    assert row.state == DeliveryState.PENDING and row.last_response_code == 429
    assert 590 < (row.next_attempt_at - timezone.now()).total_seconds() <= 600


def test_retry_after_as_a_date_or_nonsense():
    now = timezone.now().replace(microsecond=0)
    later = now + timedelta(minutes=5)
    header = later.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert sweep.retry_after(header, now=now) == timedelta(minutes=5)
    assert sweep.retry_after("soon", now=now) is None
    assert sweep.retry_after("99999999999", now=now) == timedelta(days=1)


def test_a_refused_connection_is_retried(case, admin_user, staff, colleague, fast):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    webhook_services.register_endpoint(
        by=admin_user, url=f"http://127.0.0.1:{port}/", event_types=["case.assigned"]
    )
    changes(case, staff, colleague)
    sweep.send_due_webhooks()
    row = Delivery.objects.get()
    assert row.state == DeliveryState.PENDING and "ConnectionRefused" in row.last_error


def test_a_receiver_hanging_past_the_timeout_is_retried(
    case, receiver, endpoint_for, staff, colleague, fast
):
    endpoint_for(receiver)
    changes(case, staff, colleague)
    receiver.hang_next, receiver.hang_seconds = 1, 2.5
    sweep.send_due_webhooks()
    row = Delivery.objects.get()
    assert row.state == DeliveryState.PENDING and "timed out" in row.last_error.lower()
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        sweep.send_due_webhooks()
    row.refresh_from_db()
    assert row.state == DeliveryState.SENT


def test_failed_after_the_last_try(case, receiver, endpoint_for, staff, colleague, fast):
    fast.CASEDESK_WEBHOOK_MAX_ATTEMPTS = 3
    endpoint_for(receiver)
    changes(case, staff, colleague)
    receiver.fail_next = 10
    moment = timezone.now()
    for _ in range(5):
        with time_machine.travel(moment):
            sweep.send_due_webhooks()
        moment += timedelta(hours=1)
    row = Delivery.objects.get()
    assert row.state == DeliveryState.FAILED and row.attempts == 3
    assert "gave up after 3 tries" in row.last_error
    assert receiver.answered == [500, 500, 500]


@pytest.mark.parametrize("status", [400, 404, 410])
def test_other_client_errors_fail_at_once(
    case, receiver, endpoint_for, staff, colleague, fast, status
):
    endpoint_for(receiver)
    changes(case, staff, colleague)
    receiver.status_next, receiver.status = 1, status
    sweep.send_due_webhooks()
    row = Delivery.objects.get()
    assert row.state == DeliveryState.FAILED and row.last_response_code == status
    assert "not retried" in row.last_error


def test_a_redirect_is_not_followed(case, receiver, endpoint_for, staff, colleague, fast):
    endpoint_for(receiver)
    changes(case, staff, colleague)
    receiver.status_next, receiver.status = 1, 302
    receiver.headers_out = {"Location": receiver.url("/elsewhere")}
    sweep.send_due_webhooks()
    row = Delivery.objects.get()
    assert row.state == DeliveryState.FAILED and "redirects are not followed" in row.last_error
    assert receiver.requests() == 1 and receiver.accepted() == []


def test_one_failing_endpoint_does_not_hold_up_the_others(
    case, receiver, endpoint_for, staff, colleague, fast
):
    from tests.webhooks.receiver import Receiver

    healthy = Receiver().start()
    try:
        endpoint_for(receiver, path="/failing")
        endpoint_for(healthy)
        changes(case, staff, colleague, n=3)
        receiver.hang_next, receiver.hang_seconds = 10, 2.5
        sweep.send_due_webhooks()
        assert receiver.requests() <= 1, "after one timeout its other rows wait"
        assert healthy.count() == 3
        waiting = Delivery.objects.filter(endpoint__url__endswith="/failing")
        assert set(waiting.values_list("state", flat=True)) == {DeliveryState.PENDING}
        assert sorted(waiting.values_list("attempts", flat=True)) == [0, 0, 1]
    finally:
        healthy.stop()


def test_an_endpoint_failing_long_enough_is_switched_off_and_admins_are_told(
    case, receiver, endpoint_for, staff, colleague, admin_user, signed_in, fast
):
    fast.CASEDESK_WEBHOOK_DISABLE_AFTER_MINUTES = 60
    endpoint = endpoint_for(receiver)
    receiver.fail_next = 1000
    start = timezone.now()
    with time_machine.travel(start):
        changes(case, staff, colleague)
        sweep.send_due_webhooks()
    endpoint.refresh_from_db()
    assert endpoint.failing_since is not None and endpoint.active
    with time_machine.travel(start + timedelta(minutes=59)):
        changes(case, staff, colleague)
        sweep.send_due_webhooks()
    endpoint.refresh_from_db()
    assert endpoint.active, "59 minutes of failures is not yet enough"
    with time_machine.travel(start + timedelta(minutes=61)):
        changes(case, staff, colleague)
        sweep.send_due_webhooks()
    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.disabled_reason.startswith("Every delivery failed")
    page = signed_in(admin_user).get("/").content.decode()
    assert "Webhook endpoints switched off" in page and endpoint.url in page
    # Switched off, it hears nothing more: what is still owed fails without a request.
    requests = receiver.requests()
    with time_machine.travel(start + timedelta(days=1)):
        sweep.send_due_webhooks()
    assert receiver.requests() == requests
    assert not Delivery.objects.filter(state=DeliveryState.PENDING).exists()


def test_a_success_in_between_resets_the_failure_clock(
    case, receiver, endpoint_for, staff, colleague, fast
):
    fast.CASEDESK_WEBHOOK_DISABLE_AFTER_MINUTES = 60
    endpoint = endpoint_for(receiver)
    start = timezone.now()
    receiver.fail_next = 1
    with time_machine.travel(start):
        changes(case, staff, colleague)
        sweep.send_due_webhooks()
    with time_machine.travel(start + timedelta(minutes=30)):
        sweep.send_due_webhooks()  # the retry succeeds
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None
    receiver.fail_next = 1
    with time_machine.travel(start + timedelta(minutes=70)):
        changes(case, staff, colleague)
        sweep.send_due_webhooks()
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.failing_since is not None


def test_send_again_posts_the_same_id_and_body(
    case, receiver, endpoint_for, staff, colleague, admin_user, fast
):
    endpoint_for(receiver)
    changes(case, staff, colleague)
    sweep.send_due_webhooks()
    row = Delivery.objects.get()
    webhook_services.send_again(row, by=admin_user)
    with pytest.raises(webhook_services.WebhookError):
        webhook_services.send_again(row, by=admin_user)  # already waiting: left alone
    sweep.send_due_webhooks()
    first, second = receiver.accepted()
    assert (first.msg_id, first.body) == (second.msg_id, second.body)
    assert first.headers["webhook-timestamp"] <= second.headers["webhook-timestamp"]


def test_only_admins_send_again(case, receiver, endpoint_for, staff, colleague, manager, fast):
    endpoint_for(receiver)
    changes(case, staff, colleague)
    sweep.send_due_webhooks()
    with pytest.raises(webhook_services.WebhookError):
        webhook_services.send_again(Delivery.objects.get(), by=manager)


def test_during_a_rotation_receivers_with_either_secret_verify(
    case, receiver, endpoint_for, staff, colleague, admin_user, fast
):
    endpoint = endpoint_for(receiver)
    old = receiver.secrets[0]
    new = webhook_services.rotate_secret(endpoint, by=admin_user)
    assert new != old and new.startswith("whsec_")
    changes(case, staff, colleague)
    sweep.send_due_webhooks()
    (arrived,) = receiver.accepted()  # the receiver still knows only the old secret
    assert len(arrived.headers["webhook-signature"].split(" ")) == 2
    receiver.secrets = [new]
    changes(case, staff, colleague)
    sweep.send_due_webhooks()
    assert receiver.count() == 2
    # After the grace period only the new secret signs.
    receiver.secrets = [old]
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        changes(case, staff, colleague)
        sweep.send_due_webhooks()
    assert receiver.count() == 2
    assert Delivery.objects.order_by("id").last().last_response_code == 401


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_post_each_delivery_once(
    case, receiver, endpoint_for, staff, colleague, fast
):
    endpoint_for(receiver)
    changes(case, staff, colleague, n=60)
    handled = race(sweep.send_due_webhooks, sweep.send_due_webhooks)
    assert sum(handled) == 60
    assert Counter(receiver.ids().values()) == {1: 60}
    assert Endpoint.objects.get().failing_since is None


def test_the_operators_command_runs_the_same_sweep(
    case, receiver, endpoint_for, staff, colleague, fast
):
    from io import StringIO

    from django.core.management import call_command

    endpoint_for(receiver)
    changes(case, staff, colleague, n=2)
    out = StringIO()
    call_command("send_webhooks", stdout=out)
    assert out.getvalue().strip() == "2 webhook deliveries handled"
    assert receiver.count() == 2


def test_posts_in_one_batch_share_a_kept_alive_connection(
    case, receiver, endpoint_for, staff, colleague, fast
):
    endpoint_for(receiver)
    changes(case, staff, colleague, n=5)
    sweep.send_due_webhooks()
    assert receiver.count() == 5
    assert len(receiver.connections) == 1


def test_a_connection_the_receiver_closed_is_replaced_without_a_failed_try(
    case, receiver, endpoint_for, staff, colleague, fast
):
    """A kept-alive connection the receiver dropped between two posts: the post goes again
    on a new connection, and nothing is recorded as failed."""
    from webhooks import transport

    endpoint_for(receiver)
    session = transport.Session()
    try:
        first = session.post(receiver.url(), body="{}", headers={}, timeout=1)
        for connection in session._open.values():
            connection.sock.shutdown(2)  # as if the receiver's idle timeout closed it
        second = session.post(receiver.url(), body="{}", headers={}, timeout=1)
    finally:
        session.close()
    assert (first.status, second.status) == (401, 401)  # unsigned: refused, but answered
    assert len(receiver.connections) == 2


@pytest.mark.postgres
def test_the_sweep_relaxes_commits_only_while_it_runs_and_never_behind_a_pooler(settings):
    from django.db import connection

    from casedesk import outbox

    def current() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    settings.DATABASE_POOLER = ""  # (inside this test's transaction, even through one)
    before = current()
    with outbox.relaxed_commits():
        inside = current()
    assert (inside, current()) == ("off", before)
    settings.DATABASE_POOLER = "pgbouncer"
    with outbox.relaxed_commits():
        assert current() == before


def test_a_stale_failure_record_does_not_switch_off_an_endpoint_that_recovered(
    receiver, endpoint_for
):
    """This batch's copy still says "failing for a day", but another sweep's success has
    cleared it meanwhile: the database decides."""
    endpoint = endpoint_for(receiver)
    now = timezone.now()
    endpoint.failing_since = now - timedelta(days=1)  # the batch's stale copy
    assert not sweep.disable_failing(endpoint, now=now, cutoff=now - timedelta(hours=1))
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.disabled_reason == ""
