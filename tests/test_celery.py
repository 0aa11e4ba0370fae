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
def test_a_real_worker_runs_the_heartbeat_and_health_reports_it(worker, client):
    from cases.tasks import heartbeat

    assert client.get(reverse("health")).json()["worker_heartbeat_age_seconds"] is None
    heartbeat.delay()
    wait_for(lambda: Heartbeat.objects.filter(name="worker").exists(), what="the heartbeat task")
    report = client.get(reverse("health")).json()
    assert report["ok"] is True
    assert 0 <= report["worker_heartbeat_age_seconds"] < WAIT_LIMIT_SECONDS
