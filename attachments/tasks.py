"""Celery tasks: a thin interface, each one service call."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from casedesk.celery import publish_quietly

from . import services


@shared_task(ignore_result=True)
def purge_expired_attachments() -> int:
    """Beat runs this hourly: files of cases closed longer than the retention period."""
    limit = settings.CASEDESK_ATTACHMENT_PURGE_BATCH
    removed = services.purge_expired(now=timezone.now(), limit=limit)
    if removed >= limit:
        # More waiting: the next batch now, each one bounded.
        publish_quietly(purge_expired_attachments)
    return removed
