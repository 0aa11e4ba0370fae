"""/health/: judged on the worker's heartbeat itself; details only for admins and the
monitoring token (issue 11, item 8)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Heartbeat

pytestmark = pytest.mark.django_db

TOKEN = "monitor-7f3a9c1e"


def beat(seconds_ago: float) -> None:
    Heartbeat.objects.update_or_create(
        name="worker", defaults={"beat_at": timezone.now() - timedelta(seconds=seconds_ago)}
    )


@pytest.fixture
def token(settings):
    settings.CASEDESK_HEALTH_TOKEN = TOKEN
    return TOKEN


def test_a_beating_worker_with_nothing_due_is_ok_and_anonymous_sees_only_the_status(client):
    beat(5)
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_no_worker_ever_seen_is_503_even_with_nothing_due(client):
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


def test_a_silent_worker_is_503_after_the_configured_time(client, settings):
    settings.CASEDESK_HEALTH_WORKER_SECONDS = 120
    beat(100)
    assert client.get("/health/").status_code == 200
    beat(130)
    assert client.get("/health/").status_code == 503


def test_a_signed_in_admin_gets_the_details(signed_in, admin_user):
    beat(200)  # the default limit is 180 s
    report = signed_in(admin_user).get("/health/").json()
    assert report["status"] == "unavailable"
    assert report["worker"] == "stale" and report["worker_heartbeat_age_seconds"] >= 200
    assert report["database"] == "ok"


def test_staff_get_only_the_status(signed_in, staff):
    beat(5)
    assert signed_in(staff).get("/health/").json() == {"status": "ok"}


def test_the_monitoring_token_gets_the_details(client, token):
    beat(5)
    auth = {"Authorization": f"Bearer {token}"}
    report = client.get("/health/", headers=auth).json()
    assert report["status"] == "ok" and report["worker"] == "ok"
    assert "oldest_due_reminder_age_seconds" in report


@pytest.mark.parametrize(
    "header", ["Bearer wrong", f"Bearer {TOKEN}x", "Bearer ", TOKEN, f"Basic {TOKEN}"]
)
def test_a_wrong_or_malformed_token_gets_only_the_status(client, token, header):
    beat(5)
    assert client.get("/health/", headers={"Authorization": header}).json() == {"status": "ok"}


def test_with_no_token_configured_an_empty_bearer_gets_nothing_more(client, settings):
    settings.CASEDESK_HEALTH_TOKEN = ""
    beat(5)
    response = client.get("/health/", headers={"Authorization": "Bearer "})
    assert response.json() == {"status": "ok"}
