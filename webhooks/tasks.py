"""Celery tasks: a thin interface, each one service call."""

from celery import shared_task
from django.conf import settings

from casedesk.celery import publish_quietly

from . import delivery


@shared_task(ignore_result=True)
def send_due_webhooks(endpoint_id: int | None = None) -> int:
    """Beat calls this every CASEDESK_SWEEP_SECONDS, as it calls the reminder sweep; a
    commit that wrote deliveries nudges it at once. Only the drain benchmark passes
    `endpoint_id`, to keep to its own rows on a shared database."""
    limit = settings.CASEDESK_REMINDER_SWEEP_LIMIT
    handled = delivery.send_due_webhooks(limit=limit, endpoint_id=endpoint_id)
    if handled >= limit:
        # A backlog: sweep again now rather than at the next beat.
        publish_quietly(send_due_webhooks, endpoint_id)
    return handled
