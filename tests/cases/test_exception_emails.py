"""Deciders hear of a request and requesters of the decision: by email, after commit,
through a real Celery worker on Redis into a real SMTP server."""

from decimal import Decimal

import pytest

from cases import services
from cases.tasks import send_due_reminders
from tests.exception_fixtures import ask
from tests.threads import wait_for, worker_caught_up

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_managers_hear_of_a_request_and_the_requester_of_the_decision(
    worker, smtp_sink, case, staff, manager, other_team_manager, allowed
):
    pending = ask(case, staff, allowed, "80.00")
    wait_for(lambda: smtp_sink.to(manager.email))
    worker_caught_up()  # before asserting who else was (not) written to
    (notice,) = smtp_sink.to(manager.email)
    assert case.reference in notice["Subject"] and "80.00" in notice["Subject"]
    body = notice.get_payload(0).get_payload(decode=True).decode()
    assert "/approvals/" in body and "The part is discontinued" in body
    assert not smtp_sink.to(other_team_manager.email)
    assert not smtp_sink.to(staff.email)

    services.decide_exception(
        pending, by=manager, decision="counter", reason="Half now", counter_value=Decimal("40")
    )
    wait_for(lambda: smtp_sink.to(staff.email))
    (decision,) = smtp_sink.to(staff.email)
    text = decision.get_payload(0).get_payload(decode=True).decode()
    assert "40.00" in text and "Half now" in text and case.reference in decision["Subject"]


def test_nothing_is_sent_when_the_request_is_rolled_back(
    worker, smtp_sink, case, staff, manager, allowed
):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        ask(case, staff, allowed)
        raise RuntimeError("the surrounding work failed")
    # Not even a sweep of its own finds anything to send.
    send_due_reminders.delay()
    worker_caught_up()
    assert smtp_sink.messages == []
