"""The health report: database, broker, worker heartbeat and reminder backlog."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from casedesk.celery import app

from ..models import Heartbeat
from ..services.reminders import oldest_due_age


def health_report() -> dict[str, Any]:
    """Database and broker reachable; the worker beating; reminders not piling up.

    Unhealthy (503) when the database or broker is down, when no worker has beaten for
    CASEDESK_HEALTH_WORKER_SECONDS (judged on the heartbeat itself: with nothing due, a
    dead worker would otherwise go unnoticed until the first reminder is late), or when a
    due reminder has waited longer than CASEDESK_HEALTH_STALE_SECONDS.
    """
    report: dict[str, Any] = {"ok": True}
    try:
        beat = Heartbeat.objects.filter(name="worker").values_list("beat_at", flat=True).first()
        report["database"] = "ok"
        beat_age = (timezone.now() - beat).total_seconds() if beat else None
        report["worker_heartbeat_age_seconds"] = beat_age
        if beat_age is None or beat_age > settings.CASEDESK_HEALTH_WORKER_SECONDS:
            report["ok"] = False
            report["worker"] = "never seen" if beat_age is None else "stale"
        else:
            report["worker"] = "ok"
        age = oldest_due_age()
        report["oldest_due_reminder_age_seconds"] = age
        if age is not None and age > settings.CASEDESK_HEALTH_STALE_SECONDS:
            report["ok"] = False
            report["reminders"] = "stale"
    except Exception as error:  # any database failure makes the service unhealthy
        return {"ok": False, "database": f"error: {type(error).__name__}"}
    report["broker"] = broker_status()
    if report["broker"] != "ok":
        report["ok"] = False
    return report


def broker_status() -> str:
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:  # unreachable broker, bad URL, refused connection
        return f"error: {type(error).__name__}"
    return "ok"
