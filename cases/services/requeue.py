"""Operators' writes to the reminder outbox (the Django admin's "Send again").

Beside `reminders.py` rather than in it: that module is the sweep and is at the size
limit, and this is the only write an operator makes to a reminder row.
"""

from __future__ import annotations

import logging

from django.utils import timezone

from ..models import Reminder, ReminderState, User

logger = logging.getLogger(__name__)


def requeue_reminder(reminder: Reminder, *, by: User) -> bool:
    """Put a failed reminder back in the queue, due now with its tries reset; the sweep
    sends it on its next run. Only a row still failed moves, by conditional update: one
    sent, cancelled or requeued by someone else meanwhile is left as it is. The last error
    stays for the operator to compare. True if this call moved it."""
    moved = Reminder.objects.filter(pk=reminder.pk, state=ReminderState.FAILED).update(
        state=ReminderState.PENDING, due_at=timezone.now(), attempts=0
    )
    if moved == 1:
        logger.info("reminder.requeued reminder=%s by=%s", reminder.pk, by.pk)
    return moved == 1
