from celery import shared_task

from .idempotency import purge_expired


@shared_task
def purge_idempotency_keys() -> int:
    """Hourly: forget Idempotency-Key responses older than CASEDESK_IDEMPOTENCY_HOURS."""
    return purge_expired()
