"""The home page: my cases, tasks and requests; for managers, their teams' queue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from ..insights import current_surges, teams_for
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
from .combined import in_one_query
from .followups import TASK_LIMIT, board_of, my_task_rows, open_tasks, team_task_rows
from .planning import joins_as_written

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
    cases, overdue follow-ups and stale cases.

    One query per kind of row, not per card (bench/results/profile-home-manager-*): the
    case cards in one UNION ALL, the task cards in another, the request cards in a third
    (selectors/combined.py), each branch still an index walk that stops at its limit.
    """
    is_manager = user.role in {Role.MANAGER, Role.ADMIN}
    cases, tasks, waiting = _cards(user, is_manager)
    home = Home(my_cases=cases[0], is_manager=is_manager, my_requests=waiting[0])
    home.tasks = board_of(tasks[0])
    home.failed_reminders = failed_reminders(user)
    if home.failed_reminders:
        home.failed_count = failed_reminder_count()
    if is_manager:
        home.unassigned, home.stale = cases[1], cases[2]
        home.awaiting_me = waiting[1]
        # Only the overdue ones show here: the team's upcoming tasks are not even read.
        home.team_overdue = [t for t in board_of(tasks[1]).overdue if t.assignee_id != user.pk]
        # A manager's teams are the ids already loaded with the user (one query fewer
        # per home page); an admin's are every team.
        surge_teams = (
            user.team_ids()
            if user.role == Role.MANAGER
            else list(teams_for(user).values_list("id", flat=True))
        )
        home.surges = current_surges(surge_teams)
    return home


def _cards(user: User, is_manager: bool) -> tuple[list[list[Any]], ...]:
    """The rows of every card: the case cards, the task cards and the request cards, each
    kind in one query."""
    base = case_list_queryset(user)
    case_cards = [(base.filter(assignee=user, status__in=ACTIVE_STATUSES), "-last_activity_at")]
    task_cards = [my_task_rows(user)]
    requests = ExceptionRequest.objects.select_related("case", "requested_by")
    request_cards = [
        (
            requests.visible_to(user).filter(requested_by=user, status=RequestStatus.PENDING),
            HOME_LIMIT,
        )
    ]
    if is_manager:
        team_cases = base if user.role == Role.ADMIN else base.filter(team_id__in=user.team_ids())
        stale_before = timezone.now() - timedelta(days=settings.CASEDESK_STALE_DAYS)
        case_cards += [
            (team_cases.filter(assignee__isnull=True, status__in=ACTIVE_STATUSES), "created_at"),
            (
                team_cases.filter(
                    status__in=[Status.OPEN, Status.PENDING_APPROVAL],
                    last_activity_at__lt=stale_before,
                ),
                "last_activity_at",
            ),
        ]
        task_cards.append(team_task_rows(user))
        request_cards.append((requests.decidable_by(user), AWAITING_ON_HOME))
    # Three unions of up to five tables a branch: planned in written order, as they run.
    with joins_as_written():
        cases = in_one_query([(rows.order_by(order), HOME_LIMIT) for rows, order in case_cards])
        tasks = in_one_query(
            [(open_tasks(rows, upcoming=False), TASK_LIMIT) for rows in task_cards]
        )
        waiting = in_one_query(
            [(rows.order_by("requested_at", "id"), limit) for rows, limit in request_cards]
        )
    return cases, tasks, waiting


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
