"""Celery is wired: a real worker on Redis runs the project's tasks; beat names real tasks."""

import pytest
from django.urls import reverse

from casedesk.celery import app
from cases.models import Heartbeat
from tests.threads import WAIT_LIMIT_SECONDS, wait_for


def test_every_scheduled_task_exists():
    app.loader.import_default_modules()
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks, entry


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_heartbeat_and_health_reports_it(worker, client, settings):
    from cases.tasks import heartbeat

    settings.CASEDESK_HEALTH_TOKEN = "monitor"
    auth = {"Authorization": "Bearer monitor"}
    health = client.get(reverse("health"), headers=auth)
    assert health.status_code == 503 and health.json()["worker"] == "never seen"
    heartbeat.delay()
    wait_for(lambda: Heartbeat.objects.filter(name="worker").exists(), what="the heartbeat task")
    report = client.get(reverse("health"), headers=auth).json()
    assert report["status"] == "ok"
    assert 0 <= report["worker_heartbeat_age_seconds"] < WAIT_LIMIT_SECONDS
