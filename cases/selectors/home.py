"""The home page: my cases, tasks and requests; for managers, their teams' queue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from ..insights import current_surges, teams_for
from ..models import (
    ACTIVE_STATUSES,
    ExceptionRequest,
    Reminder,
    ReminderState,
    RequestStatus,
    Role,
    Status,
    User,
)
from .combined import compiled_in_one_query, compiled_rows_in_one_query
from .followups import (
    TASK_LIMIT,
    board_of,
    end_of_today,
    my_task_rows,
    open_tasks,
    team_task_rows,
)
from .planning import joins_as_written
from .table_rows import TableCase, table_case, table_queryset

HOME_LIMIT = 20
Branch = tuple[QuerySet[Any], int]  # a card's rows and how many it shows


@dataclass
class Home:
    my_cases: list[TableCase]
    unassigned: list[TableCase] = field(default_factory=list)
    stale: list[TableCase] = field(default_factory=list)
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
    kind in one query, each query's SQL made once per shape of user (compiled.py)."""
    stale_before = timezone.now() - timedelta(days=settings.CASEDESK_STALE_DAYS)
    # Three unions of up to five tables a branch: planned in written order, as they run.
    with joins_as_written():
        # As plain rows: model instances for 60 cases and what they join were half of
        # the managers' home's Python (selectors/table_rows.py).
        cases = compiled_rows_in_one_query(
            "home.cases", table_case, _case_cards, is_manager, user=user, stale_before=stale_before
        )
        tasks = compiled_in_one_query(
            "home.tasks", _task_cards, is_manager, user=user, due_by=end_of_today()
        )
        waiting = compiled_in_one_query("home.requests", _request_cards, is_manager, user=user)
    return cases, tasks, waiting


def _case_cards(is_manager: bool, *, user: User, stale_before: datetime) -> list[Branch]:
    """Mine by last activity; for managers also their teams' unassigned (oldest first)
    and stale ones (least recently touched first)."""
    base = table_queryset(user)
    cards = [(base.filter(assignee=user, status__in=ACTIVE_STATUSES), "-last_activity_at")]
    if is_manager:
        team_cases = base if user.role == Role.ADMIN else base.filter(team_id__in=user.team_ids())
        cards += [
            (team_cases.filter(assignee__isnull=True, status__in=ACTIVE_STATUSES), "created_at"),
            (
                team_cases.filter(
                    status__in=[Status.OPEN, Status.PENDING_APPROVAL],
                    last_activity_at__lt=stale_before,
                ),
                "last_activity_at",
            ),
        ]
    return [(rows.order_by(order), HOME_LIMIT) for rows, order in cards]


def _task_cards(is_manager: bool, *, user: User, due_by: datetime) -> list[Branch]:
    """My tasks due by the end of today; for managers also their teams'."""
    cards = [my_task_rows(user)] + ([team_task_rows(user)] if is_manager else [])
    return [(open_tasks(rows, due_by=due_by), TASK_LIMIT) for rows in cards]


def _request_cards(is_manager: bool, *, user: User) -> list[Branch]:
    """My requests still waiting; for managers also the oldest they can decide."""
    requests = ExceptionRequest.objects.select_related("case", "requested_by")
    mine = requests.visible_to(user).filter(requested_by=user, status=RequestStatus.PENDING)
    cards = [(mine, HOME_LIMIT)]
    if is_manager:
        cards.append((requests.decidable_by(user), AWAITING_ON_HOME))
    return [(rows.order_by("requested_at", "id"), limit) for rows, limit in cards]


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
