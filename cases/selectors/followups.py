"""Task boards: open follow-up tasks split into overdue, today and upcoming."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from ..models import FollowUpTask, Role, TaskStatus, User


@dataclass
class TaskBoard:
    overdue: list[Any]
    today: list[Any]
    upcoming: list[Any]

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.upcoming)


TASK_LIMIT = 200


def task_board(tasks: QuerySet[Any], *, upcoming: bool = True) -> TaskBoard:
    """Open tasks split into overdue, due today (local day) and upcoming, by due time."""
    now = timezone.now()
    end_of_today = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    rows = tasks.filter(status=TaskStatus.OPEN).select_related("case", "case__customer", "assignee")
    if not upcoming:
        rows = rows.filter(due_at__lte=end_of_today)
    board = TaskBoard(overdue=[], today=[], upcoming=[])
    for task in rows.order_by("due_at", "id")[:TASK_LIMIT]:
        if task.due_at < now:
            board.overdue.append(task)
        elif task.due_at <= end_of_today:
            board.today.append(task)
        else:
            board.upcoming.append(task)
    return board


def my_tasks(user: User, *, upcoming: bool = True) -> TaskBoard:
    return task_board(
        FollowUpTask.objects.visible_to(user).filter(assignee=user), upcoming=upcoming
    )


def team_tasks(user: User, *, upcoming: bool = True) -> TaskBoard:
    tasks = FollowUpTask.objects.visible_to(user)
    if user.role != Role.ADMIN:
        tasks = tasks.filter(case__team_id__in=user.team_ids())
    return task_board(tasks, upcoming=upcoming)
