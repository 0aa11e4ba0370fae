"""The Django admin writes nothing the services would not: cases, interactions, tasks,
customers and the timeline are read-only there, and "Send again" on a failed reminder
goes through services.requeue.requeue_reminder (logged in the row's admin history)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    CaseEvent,
    Interaction,
    Reminder,
    ReminderKind,
    ReminderState,
    Status,
)
from cases.services.requeue import requeue_reminder
from tests.threads import race

pytestmark = pytest.mark.django_db


def _failed_reminder(case, **fields) -> Reminder:
    """A reminder as the sweep leaves it after a permanent refusal."""
    defaults = {
        "kind": ReminderKind.CUSTOMER_UPDATE,
        "case": case,
        "due_at": timezone.now() - timedelta(hours=2),
        "state": ReminderState.FAILED,
        "attempts": 5,
        "last_error": "SMTPRecipientsRefused: mailbox unavailable",
    }
    return Reminder.objects.create(**{**defaults, **fields})


def test_posting_a_status_change_to_the_case_admin_changes_nothing(signed_in, admin_user, case):
    client = signed_in(admin_user)
    events_before = CaseEvent.objects.filter(case=case).count()
    response = client.post(
        reverse("admin:cases_case_change", args=[case.pk]),
        {"status": Status.RESOLVED, "subject": "Edited in the admin", "priority": "high"},
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == Status.NEW
    assert case.subject == "Fridge too big for the kitchen"
    assert CaseEvent.objects.filter(case=case).count() == events_before


def test_case_admin_shows_status_without_a_field_to_edit_it(signed_in, admin_user, case):
    response = signed_in(admin_user).get(reverse("admin:cases_case_change", args=[case.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "New" in html
    assert 'name="status"' not in html
    assert 'name="interactions-MAX_NUM_FORMS" value="0"' in html  # no row can be added


@pytest.mark.parametrize("model", ["case", "caseevent", "followuptask", "customer", "reminder"])
def test_service_rows_cannot_be_added_in_the_admin(signed_in, admin_user, model):
    assert signed_in(admin_user).get(reverse(f"admin:cases_{model}_add")).status_code == 403


def test_interactions_cannot_be_added_through_the_case_inline(signed_in, admin_user, case):
    response = signed_in(admin_user).post(
        reverse("admin:cases_case_change", args=[case.pk]),
        {
            "interactions-TOTAL_FORMS": "1",
            "interactions-INITIAL_FORMS": "0",
            "interactions-0-channel": "phone",
            "interactions-0-direction": "inbound",
            "interactions-0-summary": "Added behind the timeline's back",
            "interactions-0-demeanour": "calm",
            "interactions-0-minutes": "5",
        },
    )
    assert response.status_code == 403
    assert not Interaction.objects.filter(case=case).exists()


def test_timeline_events_cannot_be_changed_or_deleted_in_the_admin(signed_in, admin_user, case):
    client = signed_in(admin_user)
    event = CaseEvent.objects.filter(case=case).first()
    change = client.post(
        reverse("admin:cases_caseevent_change", args=[event.pk]), {"note": "rewritten"}
    )
    delete = client.post(reverse("admin:cases_caseevent_delete", args=[event.pk]), {"post": "yes"})
    assert change.status_code == 403
    assert delete.status_code == 403
    event.refresh_from_db()
    assert event.note != "rewritten"


def test_send_again_requeues_failed_reminders_through_the_service(signed_in, admin_user, case):
    failed = _failed_reminder(case)
    sent = _failed_reminder(case, state=ReminderState.SENT, sent_at=timezone.now())
    response = signed_in(admin_user).post(
        reverse("admin:cases_reminder_changelist"),
        {"action": "send_again", "_selected_action": [failed.pk, sent.pk]},
        follow=True,
    )
    assert "1 reminder queued again." in response.content.decode()
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert failed.state == ReminderState.PENDING
    assert failed.attempts == 0
    assert failed.due_at > timezone.now() - timedelta(minutes=5)
    assert failed.last_error.startswith("SMTPRecipientsRefused")  # kept for comparison
    assert sent.state == ReminderState.SENT
    entry = LogEntry.objects.get(object_id=str(failed.pk))
    assert entry.user == admin_user
    assert entry.action_flag == CHANGE
    assert "Sent again" in entry.get_change_message()
    assert not LogEntry.objects.filter(object_id=str(sent.pk)).exists()


def test_reminders_cannot_be_edited_in_the_admin(signed_in, admin_user, case):
    failed = _failed_reminder(case)
    response = signed_in(admin_user).post(
        reverse("admin:cases_reminder_change", args=[failed.pk]), {"state": ReminderState.SENT}
    )
    assert response.status_code == 403
    failed.refresh_from_db()
    assert failed.state == ReminderState.FAILED


def test_requeue_moves_only_a_failed_reminder(admin_user, case):
    failed = _failed_reminder(case)
    assert requeue_reminder(failed, by=admin_user) is True
    assert requeue_reminder(failed, by=admin_user) is False  # already pending
    failed.refresh_from_db()
    assert failed.state == ReminderState.PENDING


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_operators_sending_again_at_once_requeue_it_once(admin_user, case):
    failed = _failed_reminder(case)
    results = race(*[lambda: requeue_reminder(failed, by=admin_user)] * 4)
    assert sorted(results, key=str) == [False, False, False, True]
    assert Reminder.objects.get(pk=failed.pk).state == ReminderState.PENDING


def test_policy_admin_refuses_limits_out_of_order(signed_in, admin_user):
    from policies.models import Policy

    client = signed_in(admin_user)
    response = client.post(
        reverse("admin:policies_policy_add"),
        {
            "code": "RET-30",
            "title": "Returns within 30 days",
            "category": "returns",
            "customer_wording": "Bring it back within 30 days.",
            "effective_from": "2025-01-01",
            "active": "on",
            "allowed_exceptions-TOTAL_FORMS": "1",
            "allowed_exceptions-INITIAL_FORMS": "0",
            "allowed_exceptions-0-name": "Late return as credit",
            "allowed_exceptions-0-kind": "store_credit",
            "allowed_exceptions-0-max_value": "50.00",
            "allowed_exceptions-0-staff_limit": "80.00",
            "allowed_exceptions-0-manager_limit": "40.00",
            "allowed_exceptions-0-active": "on",
        },
    )
    assert response.status_code == 200
    assert "staff limit ≤ manager limit ≤ maximum value" in response.content.decode()
    assert not Policy.objects.filter(code="RET-30").exists()
