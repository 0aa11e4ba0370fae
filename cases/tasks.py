"""Celery tasks: a thin interface, each one service call."""

from celery import shared_task
from django.utils import timezone

from . import services
from .models import Heartbeat


@shared_task
def heartbeat() -> str:
    """Proves the worker (and beat) run: /health/ reports the age of this row."""
    now = timezone.now()
    Heartbeat.objects.update_or_create(name="worker", defaults={"beat_at": now})
    return now.isoformat()


@shared_task
def close_quiet_cases() -> int:
    return services.close_quiet_cases()


@shared_task(ignore_result=True)
def send_due_reminders() -> int:
    """Beat calls this every CASEDESK_SWEEP_SECONDS; services do the work."""
    return services.send_due_reminders()
