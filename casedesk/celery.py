"""The Celery app, configured from Django settings (CELERY_* names)."""

import logging
import os
from pathlib import Path

from celery import Celery, Task
from celery.signals import after_setup_logger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casedesk.settings")

logger = logging.getLogger(__name__)

app = Celery("casedesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_broker_folders() -> None:
    """The filesystem broker needs its folders before the first message is sent."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder", "processed_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


@after_setup_logger.connect
def _prepare(**_: object) -> None:
    ensure_broker_folders()


# Web processes send to the filesystem broker too: make sure its folders exist.
ensure_broker_folders()


def publish_quietly(task: str | Task, *args: object) -> bool:
    """Queue `task` (a task or its name) if the broker answers within a couple of seconds;
    otherwise log why and give up.

    For nudges whose work is already safe in the database (a sweep will find the rows):
    a web request must never hang on a broker that is down. Returns whether it was queued.
    """
    name = task if isinstance(task, str) else task.name
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=2)
            app.send_task(name, args=args, connection=connection, retry=False)
    except Exception:  # broker down or unreachable: the caller's rows wait for the sweep
        logger.warning("task.publish_failed", exc_info=True, extra={"task": name})
        return False
    logger.debug("task.published", extra={"task": name})
    return True
