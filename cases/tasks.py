"""Celery tasks: a thin interface, each one service call, each logged with its duration."""

import logging
import time

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from casedesk.celery import publish_quietly

from . import services
from .models import Heartbeat

logger = logging.getLogger(__name__)


def _ms_since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


@shared_task
def heartbeat() -> str:
    """Proves the worker (and beat) run: /health/ reports the age of this row."""
    now = timezone.now()
    Heartbeat.objects.update_or_create(name="worker", defaults={"beat_at": now})
    return now.isoformat()


@shared_task
def close_quiet_cases() -> int:
    started = time.monotonic()
    closed = services.close_quiet_cases()
    logger.info("task.close_quiet_cases", extra={"closed": closed, "ms": _ms_since(started)})
    return closed


@shared_task(ignore_result=True)
def send_due_reminders(case_id: int | None = None) -> int:
    """Beat calls this every CASEDESK_SWEEP_SECONDS; services do the work. Only the drain
    benchmark passes `case_id`, to keep to its own rows on a shared database."""
    started = time.monotonic()
    limit = settings.CASEDESK_REMINDER_SWEEP_LIMIT
    handled = services.send_due_reminders(limit=limit, case_id=case_id)
    logger.info(
        "task.send_due_reminders",
        extra={"handled": handled, "case_id": case_id, "ms": _ms_since(started)},
    )
    if handled >= limit:
        # A backlog: sweep again now rather than at the next beat (500 rows per 30 s
        # would be 17 a second). Each sweep stays bounded, so the worker still takes
        # other tasks in between and can shut down.
        publish_quietly(send_due_reminders, case_id)
    return handled
