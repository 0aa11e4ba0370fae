"""Writing deliveries: one row per subscribed, active endpoint, in the caller's transaction.

Called from the one place every timeline event is written (cases/services) and from the
reminder sweep's overdue escalation. Costs nothing when no endpoint listens: the list of
active endpoints and their types is cached briefly, so an event with no subscriber runs
no query; with subscribers it is the payload's reads and one bulk insert.
"""

from __future__ import annotations

import base64
import threading
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from casedesk import cache_keys
from casedesk.celery import publish_quietly
from cases.models import CaseEvent, Reminder

from . import events
from .models import Delivery, Endpoint, EventType

SEND_DUE_WEBHOOKS = "webhooks.tasks.send_due_webhooks"


def subscribers() -> list[tuple[int, frozenset[str]]]:
    """(endpoint id, event types) of every active endpoint, cached for
    CASEDESK_WEBHOOK_ENDPOINT_CACHE_SECONDS; a change clears it (for every process when the
    cache is shared, CACHE_URL; otherwise others see it when their copy expires)."""
    cached: list[tuple[int, frozenset[str]]] | None = cache.get(cache_keys.webhook_subscribers())
    if cached is None:
        rows = Endpoint.objects.filter(active=True).values_list("id", "event_types")
        cached = [(pk, frozenset(types)) for pk, types in rows]
        cache.set(
            cache_keys.webhook_subscribers(),
            cached,
            settings.CASEDESK_WEBHOOK_ENDPOINT_CACHE_SECONDS,
        )
    return cached


def forget_subscribers() -> None:
    """After an endpoint changes: the next event reads the list afresh (after the commit,
    so a concurrent event cannot cache the old list again)."""
    key = cache_keys.webhook_subscribers()
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def event_id(source: str) -> str:
    """`msg_` + an opaque id derived from what raised the event: the same source always
    gets the same id (so writing it twice is a no-op), and ids reveal no row counts."""
    digest = salted_hmac("casedesk.webhooks.event-id", source).digest()[:15]
    return "msg_" + base64.b32encode(digest).decode().lower()


def _write(*, source: str, case_id: int, types: tuple[str, ...], data: Any, timestamp: Any) -> int:
    endpoints = subscribers()
    rows: list[Delivery] = []
    now = timezone.now()
    for event_type in types:
        listening = [pk for pk, wanted in endpoints if event_type in wanted]
        if not listening:
            continue
        if callable(data):
            data = data()  # built only when someone listens, and once per event
        text = events.body(event_type=event_type, timestamp=timestamp, data=data)
        msg_id = event_id(f"{source}:{event_type}")
        rows += [
            Delivery(
                endpoint_id=pk,
                event_id=msg_id,
                event_type=event_type,
                case_id=case_id,
                body=text,
                next_attempt_at=now,
            )
            for pk in listening
        ]
    if rows:
        # ignore_conflicts: an event written twice (an overdue escalation retried) is one.
        Delivery.objects.bulk_create(rows, ignore_conflicts=True)
        kick_sweep()
    return len(rows)


def on_case_event(event: CaseEvent) -> int:
    """The hook in cases/services' timeline helper: deliveries for this event, if any type
    it raises has a subscriber. Returns how many rows were written."""
    types = events.TYPES_BY_KIND.get(event.kind)
    if not types:
        return 0
    return _write(
        source=f"case-event:{event.pk}",
        case_id=event.case_id,
        types=types,
        data=lambda: events.event_data(event),
        timestamp=event.created_at,
    )


def on_task_overdue(reminder: Reminder) -> int:
    """The hook in the reminder sweep's overdue escalation. Idempotent per task and
    reminder generation: a retried escalation writes nothing new."""
    task = reminder.task
    if task is None:
        return 0
    return _write(
        source=f"task-overdue:{task.pk}:{reminder.generation}",
        case_id=task.case_id,
        types=(EventType.TASK_OVERDUE,),
        data=lambda: events.overdue_data(task),
        timestamp=reminder.due_at,
    )


_last_kick = 0.0
_kick_lock = threading.Lock()


def kick_sweep() -> None:
    """After commit, ask a worker to sweep webhooks now rather than at the next beat; at
    most once a second per process (a sweep drains everything due, and a broker that is
    down would cost every write its connect timeout). Lost kicks cost nothing: beat sweeps."""
    global _last_kick
    with _kick_lock:
        if time.monotonic() - _last_kick < 1.0:
            return
        _last_kick = time.monotonic()

    # By name: webhooks.tasks imports the sweep, which imports this module.
    transaction.on_commit(lambda: publish_quietly(SEND_DUE_WEBHOOKS))
