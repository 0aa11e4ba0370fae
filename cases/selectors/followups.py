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
    return board_of(list(open_tasks(tasks, upcoming=upcoming)[:TASK_LIMIT]))


def open_tasks(tasks: QuerySet[Any], *, upcoming: bool = True) -> QuerySet[Any]:
    """The open ones by due time, with what a task row shows; without `upcoming`, only
    those due by the end of today (local day)."""
    rows = tasks.filter(status=TaskStatus.OPEN).select_related("case", "case__customer", "assignee")
    if not upcoming:
        rows = rows.filter(due_at__lte=_end_of_today())
    return rows.order_by("due_at", "id")


def board_of(tasks: list[Any]) -> TaskBoard:
    """Tasks (in due order) split into overdue, due today and upcoming."""
    now = timezone.now()
    end_of_today = _end_of_today()
    board = TaskBoard(overdue=[], today=[], upcoming=[])
    for task in tasks:
        if task.due_at < now:
            board.overdue.append(task)
        elif task.due_at <= end_of_today:
            board.today.append(task)
        else:
            board.upcoming.append(task)
    return board


def _end_of_today() -> Any:
    return timezone.localtime(timezone.now()).replace(hour=23, minute=59, second=59)


def my_tasks(user: User, *, upcoming: bool = True) -> TaskBoard:
    return task_board(my_task_rows(user), upcoming=upcoming)


def team_tasks(user: User, *, upcoming: bool = True) -> TaskBoard:
    return task_board(team_task_rows(user), upcoming=upcoming)


def my_task_rows(user: User) -> QuerySet[Any]:
    return FollowUpTask.objects.visible_to(user).filter(assignee=user)


def team_task_rows(user: User) -> QuerySet[Any]:
    tasks = FollowUpTask.objects.visible_to(user)
    if user.role != Role.ADMIN:
        tasks = tasks.filter(case__team_id__in=user.team_ids())
    return tasks
