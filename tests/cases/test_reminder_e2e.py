"""End to end: resolve a case, the rules schedule a follow-up, time passes, and the
reminder arrives once — through a real Celery worker on Redis into a real SMTP server."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cases import services
from cases.models import FollowUpTask, Reminder, ReminderState
from cases.tasks import send_due_reminders
from policies.models import FollowUpRule
from tests.smtp_sink import body_of
from tests.threads import wait_for, worker_caught_up

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_resolving_schedules_a_follow_up_whose_reminder_arrives_once(
    worker, smtp_sink, case, staff, manager
):
    FollowUpRule.objects.create(
        name="Exception granted: check in",
        outcome="exception_granted",
        task_title="Check the customer is happy with the credit",
        task_kind="check_satisfaction",
        task_due_days=3,
        task_local_hour=10,
    )
    # Resolved four days ago: the follow-up fell due yesterday at 10:00 team time.
    with time_machine.travel(timezone.now() - timedelta(days=4), tick=False):
        services.resolve_case(
            case, by=staff, outcome="exception_granted", summary="Fee refunded as credit"
        )
    task = FollowUpTask.objects.get(case=case)
    assert task.assignee == staff
    assert timezone.localtime(task.due_at).hour == 10
    assert set(Reminder.objects.filter(task=task).values_list("kind", flat=True)) == {
        "due_soon",
        "overdue",
    }

    reminders = Reminder.objects.filter(task=task)
    send_due_reminders.delay()
    wait_for(lambda: not reminders.exclude(state=ReminderState.SENT).exists(), what="both sent")
    send_due_reminders.delay()  # a second sweep finds nothing more to send
    worker_caught_up()
    (due_soon,) = smtp_sink.to(staff.email)
    (overdue,) = smtp_sink.to(manager.email)
    for message in (due_soon, overdue):
        assert case.reference in message["Subject"]
        assert f"/cases/{case.reference}/" in body_of(message)
    assert smtp_sink.count() == 2
    assert set(Reminder.objects.filter(task=task).values_list("state", flat=True)) == {
        ReminderState.SENT
    }


def test_a_backlog_drains_in_chained_sweeps_without_waiting_for_beat(
    worker, smtp_sink, case, staff, settings
):
    """No beat runs here: one nudge must drain more than one sweep's limit."""
    from cases.models import Reminder as Row

    settings.CASEDESK_REMINDER_SWEEP_LIMIT = 10
    due = timezone.now() - timedelta(minutes=1)
    tasks = FollowUpTask.objects.bulk_create(
        FollowUpTask(
            case=case,
            team_id=case.team_id,
            title=f"Call back {i}",
            kind="call_back",
            assignee=staff,
            due_at=due + timedelta(hours=1),
            created_by=staff,
        )
        for i in range(35)
    )
    Row.objects.bulk_create(
        Row(kind="due_soon", case=case, team_id=case.team_id, task=t, due_at=due) for t in tasks
    )
    send_due_reminders.delay()
    wait_for(lambda: smtp_sink.count() >= 35, what="35 emails from chained sweeps")
    assert Row.objects.filter(state=ReminderState.SENT).count() == 35
