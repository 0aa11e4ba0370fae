"""Follow-through: tasks done on time or late per person, and reminders sent or failed."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone

from ..models import FollowUpTask, Reminder, ReminderState, TaskStatus
from .period import Period, person_name


def follow_through(period: Period) -> dict[str, Any]:
    now = timezone.now()
    tasks = FollowUpTask.objects.filter(
        team_id__in=period.team_ids, due_at__gte=period.start, due_at__lt=period.end
    )
    done = Q(status=TaskStatus.DONE)
    rows = (
        tasks.values("assignee__first_name", "assignee__last_name", "assignee__username")
        .annotate(
            on_time=Count("id", filter=done & Q(completed_at__lte=F("due_at"))),
            late=Count("id", filter=done & Q(completed_at__gt=F("due_at"))),
            overdue=Count("id", filter=Q(status=TaskStatus.OPEN, due_at__lt=now)),
            open=Count("id", filter=Q(status=TaskStatus.OPEN, due_at__gte=now)),
        )
        .order_by("assignee__first_name", "assignee__last_name", "assignee__username")
    )
    people = [
        {
            "person": person_name(
                r["assignee__first_name"], r["assignee__last_name"], r["assignee__username"]
            ),
            **{k: r[k] for k in ("on_time", "late", "overdue", "open")},
        }
        for r in rows
    ]
    reminders = Reminder.objects.filter(
        team_id__in=period.team_ids, due_at__gte=period.start, due_at__lt=period.end
    ).aggregate(
        sent=Count("id", filter=Q(state=ReminderState.SENT)),
        failed=Count("id", filter=Q(state=ReminderState.FAILED)),
        waiting=Count("id", filter=Q(state__in=[ReminderState.PENDING, ReminderState.SENDING])),
    )
    return {"follow_through": people, "reminders": reminders}
