"""Background work the services ask for, published by task name after commit.

Services never import `cases.tasks` (which imports the services): they name the task, and
the message goes out only once the transaction that wrote the rows has committed, so a
worker never looks for rows that are not there yet (or never will be, after a rollback).
"""

from __future__ import annotations

from django.db import transaction

from casedesk.celery import publish_quietly

SEND_DUE_REMINDERS = "cases.tasks.send_due_reminders"


def after_commit(task_name: str, *args: object) -> None:
    """Publish `task_name` once the current transaction commits. If the broker is down the
    message is lost (and logged): only for nudges whose work is safe in the database."""
    transaction.on_commit(lambda: publish_quietly(task_name, *args))


def kick_sweep() -> None:
    """After commit, ask a worker to sweep now rather than at the next beat. If the broker
    is down this is lost, and costs nothing: the rows wait for the next sweep."""
    after_commit(SEND_DUE_REMINDERS)
