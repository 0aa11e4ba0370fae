"""The admin's "Reminders that could not be sent" badge counts them all."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Reminder, ReminderKind, ReminderState

pytestmark = pytest.mark.django_db


def fail(case, n):
    now = timezone.now()
    Reminder.objects.bulk_create(
        Reminder(
            kind=ReminderKind.DUE_SOON,
            case=case,
            team_id=case.team_id,
            due_at=now - timedelta(minutes=i),
            state=ReminderState.FAILED,
            attempts=5,
            last_error="451 try later",
        )
        for i in range(n)
    )


def test_sixty_failed_show_sixty_in_the_badge_and_the_latest_fifty_listed(
    signed_in, admin_user, case, django_assert_max_num_queries
):
    client = signed_in(admin_user)
    fail(case, 3)
    page = client.get(reverse("home")).content.decode()
    assert 'id="failed-reminders-count">3<' in page
    fail(case, 57)
    with django_assert_max_num_queries(40):
        page = client.get(reverse("home")).content.decode()
    assert 'id="failed-reminders-count">60<' in page
    assert page.count("451 try later") == 50
    assert "The latest 50 of 60." in page
