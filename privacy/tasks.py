"""Celery tasks: a thin interface, each one service call."""

from celery import shared_task

from casedesk.celery import publish_quietly

from . import export, retention, services


@shared_task(ignore_result=True)
def build_export(export_id: int) -> bool:
    """Queued by a request for an export; the export sweep re-queues any that was lost."""
    return export.build(export_id)


@shared_task(ignore_result=True)
def sweep_exports() -> int:
    """Beat, every minute: expire, delete spent files, rebuild what a dead worker left."""
    queued = services.sweep_exports()
    for export_id in queued:
        publish_quietly(build_export, export_id)
    return len(queued)


@shared_task(ignore_result=True)
def apply_retention() -> int:
    """Beat, hourly: a pass runs once a day, in bounded batches; a run that stops at its
    time limit queues the next at once, so the worker takes other tasks in between."""
    cases, customers, more = retention.run_retention()
    if more:
        publish_quietly(apply_retention)
    return cases + customers
