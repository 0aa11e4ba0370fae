"""The home page: my cases, tasks and requests; for managers, their teams' queue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from ..insights import surges, teams_for
from ..models import (
    ACTIVE_STATUSES,
    Case,
    ExceptionRequest,
    Reminder,
    ReminderState,
    RequestStatus,
    Role,
    Status,
    User,
)
from .cases import case_list_queryset
from .followups import my_tasks, team_tasks

HOME_LIMIT = 20


@dataclass
class Home:
    my_cases: list[Case]
    unassigned: list[Case] = field(default_factory=list)
    stale: list[Case] = field(default_factory=list)
    is_manager: bool = False
    tasks: Any = None
    team_overdue: list[Any] = field(default_factory=list)
    surges: list[Any] = field(default_factory=list)
    failed_reminders: list[Any] = field(default_factory=list)
    failed_count: int = 0  # all of them: the list above stops at FAILED_SHOWN
    my_requests: list[Any] = field(default_factory=list)
    awaiting_me: list[Any] = field(default_factory=list)


AWAITING_ON_HOME = 5


def home_for(user: User) -> Home:
    """My open cases by last activity, my tasks and my exception requests still waiting;
    for managers also the oldest requests they can decide, and their teams' unassigned
    cases, overdue follow-ups and stale cases."""
    base = case_list_queryset(user)
    mine = list(
        base.filter(assignee=user, status__in=ACTIVE_STATUSES).order_by("-last_activity_at")[
            :HOME_LIMIT
        ]
    )
    home = Home(my_cases=mine, is_manager=user.role in {Role.MANAGER, Role.ADMIN})
    home.tasks = my_tasks(user, upcoming=False)
    home.failed_reminders = failed_reminders(user)
    if home.failed_reminders:
        home.failed_count = failed_reminder_count()
    home.my_requests = list(
        ExceptionRequest.objects.visible_to(user)
        .filter(requested_by=user, status=RequestStatus.PENDING)
        .select_related("case")
        .order_by("requested_at", "id")[:HOME_LIMIT]
    )
    if home.is_manager:
        home.awaiting_me = list(
            ExceptionRequest.objects.decidable_by(user)
            .select_related("case", "requested_by")
            .order_by("requested_at", "id")[:AWAITING_ON_HOME]
        )
        team_cases = base if user.role == Role.ADMIN else base.filter(team_id__in=user.team_ids())
        home.unassigned = list(
            team_cases.filter(assignee__isnull=True, status__in=ACTIVE_STATUSES).order_by(
                "created_at"
            )[:HOME_LIMIT]
        )
        stale_before = timezone.now() - timedelta(days=settings.CASEDESK_STALE_DAYS)
        # Only the overdue ones show here: leave the team's upcoming tasks unread.
        home.team_overdue = [
            t for t in team_tasks(user, upcoming=False).overdue if t.assignee_id != user.pk
        ]
        # A manager's teams are the ids already loaded with the user (one query fewer
        # per home page); an admin's are every team.
        surge_teams = (
            user.team_ids()
            if user.role == Role.MANAGER
            else list(teams_for(user).values_list("id", flat=True))
        )
        home.surges = surges(surge_teams)
        home.stale = list(
            team_cases.filter(
                status__in=[Status.OPEN, Status.PENDING_APPROVAL],
                last_activity_at__lt=stale_before,
            ).order_by("last_activity_at")[:HOME_LIMIT]
        )
    return home


FAILED_SHOWN = 50


def failed_reminders(user: User) -> list[Any]:
    """Reminders that could not be sent, for admins to act on: the latest FAILED_SHOWN."""
    if user.role != Role.ADMIN:
        return []
    return list(
        Reminder.objects.filter(state=ReminderState.FAILED)
        .select_related("case")
        .order_by("-due_at")[:FAILED_SHOWN]
    )


def failed_reminder_count() -> int:
    """How many reminders could not be sent in all (the badge; the list is cut short)."""
    return Reminder.objects.filter(state=ReminderState.FAILED).count()
