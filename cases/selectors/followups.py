"""Task boards: open follow-up tasks split into overdue, today and upcoming."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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
    due_by = None if upcoming else end_of_today()
    return board_of(list(open_tasks(tasks, due_by=due_by)[:TASK_LIMIT]))


def open_tasks(tasks: QuerySet[Any], *, due_by: datetime | None = None) -> QuerySet[Any]:
    """The open ones by due time, with what a task row shows; with `due_by`, only those
    due by then (the time is passed in, not read here: the home compiles this query once,
    selectors/compiled.py)."""
    rows = tasks.filter(status=TaskStatus.OPEN).select_related("case", "case__customer", "assignee")
    if due_by is not None:
        rows = rows.filter(due_at__lte=due_by)
    return rows.order_by("due_at", "id")


def board_of(tasks: list[Any]) -> TaskBoard:
    """Tasks (in due order) split into overdue, due today and upcoming."""
    now = timezone.now()
    today_ends = end_of_today()
    board = TaskBoard(overdue=[], today=[], upcoming=[])
    for task in tasks:
        if task.due_at < now:
            board.overdue.append(task)
        elif task.due_at <= today_ends:
            board.today.append(task)
        else:
            board.upcoming.append(task)
    return board


def end_of_today() -> Any:
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
