"""The reminder sweep into a real SMTP server: sent once, at the right time, retried when
the server says "later", given up (and shown) when it says "never"."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Heartbeat, Reminder, ReminderKind, ReminderState
from cases.services.reminders import send_due_reminders
from tests.smtp_sink import body_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(case, staff):
    return services.add_task(
        case,
        by=staff,
        title="Call Dana about the fridge",
        kind="call_back",
        assignee=staff,
        due_at=timezone.now() + timedelta(minutes=30),
    )


def reminder(task, kind):
    return Reminder.objects.get(task=task, kind=kind)


def test_due_soon_reminder_goes_to_the_assignee_once(smtp_sink, task, staff, case):
    assert send_due_reminders() == 1
    assert send_due_reminders() == 0
    (message,) = smtp_sink.messages
    assert staff.email in message["X-Envelope-To"]
    assert case.reference in message["Subject"] and "Call Dana" in message["Subject"]
    assert case.get_absolute_url() in body_of(message)
    row = reminder(task, ReminderKind.DUE_SOON)
    assert message["Message-ID"] == row.message_id == f"<reminder-{row.pk}.1@casedesk>"
    assert row.state == ReminderState.SENT and row.sent_at is not None


def test_overdue_escalates_to_the_teams_managers_after_the_grace(
    smtp_sink, task, manager, other_team_manager, settings
):
    send_due_reminders()  # the due-soon one
    with time_machine.travel(task.due_at + timedelta(minutes=29), tick=False):
        assert send_due_reminders() == 0
    with time_machine.travel(task.due_at + timedelta(minutes=31), tick=False):
        assert send_due_reminders() == 1
    (escalation,) = smtp_sink.to(manager.email)
    assert "Overdue" in escalation["Subject"]
    assert not smtp_sink.to(other_team_manager.email)


def test_nothing_is_sent_for_a_task_already_done(smtp_sink, task, staff):
    services.complete_task(task, by=staff, outcome_note="Called early; all fine")
    with time_machine.travel(task.due_at + timedelta(hours=2), tick=False):
        assert send_due_reminders() == 0
    assert smtp_sink.messages == []
    assert set(task.reminders.values_list("state", flat=True)) == {ReminderState.CANCELLED}


def test_a_temporary_refusal_is_retried_with_backoff_and_then_delivered(smtp_sink, task, settings):
    settings.CASEDESK_REMINDER_BACKOFF_SECONDS = 60
    smtp_sink.refuse_next = 2
    send_due_reminders()
    row = reminder(task, ReminderKind.DUE_SOON)
    assert (row.state, row.attempts) == (ReminderState.PENDING, 1)
    assert "451" in row.last_error
    first_retry = row.due_at
    assert send_due_reminders() == 0  # not before its time
    with time_machine.travel(first_retry + timedelta(seconds=1), tick=False):
        send_due_reminders()
    row.refresh_from_db()
    assert row.attempts == 2
    assert row.due_at - first_retry >= timedelta(seconds=119)  # the wait doubled
    with time_machine.travel(row.due_at + timedelta(seconds=1), tick=False):
        send_due_reminders()
    row.refresh_from_db()
    assert row.state == ReminderState.SENT
    assert len(smtp_sink.messages) == 1 and smtp_sink.refused == 2


def test_after_the_last_try_it_is_failed_and_admins_see_it(
    smtp_sink, task, settings, signed_in, admin_user, staff
):
    settings.CASEDESK_REMINDER_MAX_ATTEMPTS = 2
    smtp_sink.refuse_next = 100
    send_due_reminders()
    row = reminder(task, ReminderKind.DUE_SOON)
    with time_machine.travel(row.due_at + timedelta(seconds=1), tick=False):
        send_due_reminders()
    row.refresh_from_db()
    assert row.state == ReminderState.FAILED and row.attempts == 2
    home = signed_in(admin_user).get(reverse("home")).content.decode()
    assert "Reminders that could not be sent" in home and "451" in home
    assert "Reminders that could not be sent" not in signed_in(staff).get("/").content.decode()


def test_a_permanent_refusal_fails_at_once(smtp_sink, task):
    smtp_sink.permanent = True
    send_due_reminders()
    row = reminder(task, ReminderKind.DUE_SOON)
    assert (row.state, row.attempts) == (ReminderState.FAILED, 1)
    assert "550" in row.last_error


def test_a_mail_server_that_is_down_is_a_temporary_failure(task, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    send_due_reminders()
    row = reminder(task, ReminderKind.DUE_SOON)
    assert row.state == ReminderState.PENDING and row.attempts == 1
    assert row.due_at > timezone.now()


def test_a_row_left_sending_by_a_dead_sender_is_sent_again_with_the_same_message_id(
    smtp_sink, task, settings
):
    settings.CASEDESK_REMINDER_CLAIM_TIMEOUT_SECONDS = 60
    row = reminder(task, ReminderKind.DUE_SOON)
    claimed_at = timezone.now() - timedelta(seconds=61)
    Reminder.objects.filter(pk=row.pk).update(state=ReminderState.SENDING, claimed_at=claimed_at)
    assert send_due_reminders() == 1
    (message,) = smtp_sink.messages
    assert message["Message-ID"] == row.message_id


def test_a_fresh_claim_is_left_alone(smtp_sink, task, settings):
    settings.CASEDESK_REMINDER_CLAIM_TIMEOUT_SECONDS = 60
    row = reminder(task, ReminderKind.DUE_SOON)
    Reminder.objects.filter(pk=row.pk).update(
        state=ReminderState.SENDING, claimed_at=timezone.now()
    )
    assert send_due_reminders() == 0
    assert smtp_sink.messages == []


def test_a_rescheduled_task_is_a_new_message(smtp_sink, task, staff):
    send_due_reminders()
    services.reschedule_task(task, by=staff, due_at=timezone.now() + timedelta(minutes=10))
    send_due_reminders()
    first, second = smtp_sink.messages
    assert first["Message-ID"] != second["Message-ID"]
    assert second["Message-ID"].endswith(".2@casedesk>")


def test_a_waiting_approval_escalates_once_to_the_deciders(
    smtp_sink, case, staff, manager, allowed, settings
):
    settings.CASEDESK_APPROVAL_ESCALATE_HOURS = 4
    services.request_exception(
        case, by=staff, allowed=allowed, value=Decimal("80"), customer_ask="x", justification="y"
    )
    assert send_due_reminders() == 1  # the notice that a request waits
    later = timezone.now() + timedelta(hours=4, minutes=1)
    with time_machine.travel(later, tick=False):
        assert send_due_reminders() == 1
        assert send_due_reminders() == 0
    notice, escalation = smtp_sink.to(manager.email)
    assert "Exception to decide" in notice["Subject"]
    assert "Still waiting" in escalation["Subject"] and case.reference in escalation["Subject"]


def test_a_notice_of_a_request_decided_meanwhile_is_not_sent(
    smtp_sink, case, staff, manager, allowed
):
    pending = services.request_exception(
        case, by=staff, allowed=allowed, value=Decimal("80"), customer_ask="x", justification="y"
    )
    services.decide_exception(pending, by=manager, decision="approve", reason="Fine")
    send_due_reminders()
    assert not smtp_sink.to(manager.email)
    assert Reminder.objects.get(kind="exc_requested").state == ReminderState.CANCELLED


def test_a_decided_request_does_not_escalate(smtp_sink, case, staff, manager, allowed):
    pending = services.request_exception(
        case, by=staff, allowed=allowed, value=Decimal("80"), customer_ask="x", justification="y"
    )
    services.decide_exception(pending, by=manager, decision="deny", reason="Policy stands")
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        send_due_reminders()
    # The requester hears of the decision; nobody is chased about a decided request.
    (decision,) = smtp_sink.messages
    assert staff.email in decision["X-Envelope-To"] and "denied" in decision["Subject"]


def test_the_feedback_email_carries_a_working_link(smtp_sink, case, client, customer):
    services.schedule_feedback(case, send_at=timezone.now())
    send_due_reminders()
    (message,) = smtp_sink.to(customer.email)
    body = body_of(message)
    link = next(word for word in body.split() if "/feedback/" in word)
    path = link[link.index("/feedback/") :]
    assert client.get(path).status_code == 200
    assert case.subject not in body  # nothing about the case in the email either


def test_resolving_can_tell_the_customer_what_happens_next(smtp_sink, case, staff, customer):
    services.resolve_case(
        case,
        by=staff,
        outcome="compromise",
        summary="Store credit for the fee",
        email_customer=True,
        next_step="We will call you on Friday morning",
    )
    send_due_reminders()
    (message,) = smtp_sink.to(customer.email)
    assert case.reference in message["Subject"]
    body = body_of(message)
    assert "Store credit for the fee" in body and "We will call you on Friday morning" in body
    assert case.events.filter(kind="customer_emailed").count() == 1


def test_health_turns_503_when_reminders_pile_up(client, task, settings):
    settings.CASEDESK_HEALTH_STALE_SECONDS = 300
    settings.CASEDESK_HEALTH_WORKER_SECONDS = 3600  # the worker is judged elsewhere
    settings.CASEDESK_HEALTH_TOKEN = "monitor"
    Heartbeat.objects.create(name="worker", beat_at=timezone.now())
    assert client.get("/health/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=10), tick=False):
        response = client.get("/health/", headers={"Authorization": "Bearer monitor"})
    assert response.status_code == 503
    assert response.json()["reminders"] == "stale"
    assert response.json()["oldest_due_reminder_age_seconds"] >= 600
