"""Insights read from a real streaming replica, and fall back to the primary when it is
down or behind.

`.ci/run` starts the replica (`.ci/start-replica`: a second cluster on port 5433 made with
pg_basebackup) and sets TEST_REPLICA_URL. The test database created on the primary
streams to it like any other, so the `replica` alias added here reads the same rows a
moment later. Transactional tests: rows must be committed to reach the replica.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casedesk import db_router
from cases import insights

REPLICA_URL = os.environ.get("TEST_REPLICA_URL", "")
pytestmark = [
    pytest.mark.postgres,
    # Committed rows (they must stream to the replica); the replica alias is allowed here.
    pytest.mark.django_db(
        transaction=True, databases=["default", "replica"] if REPLICA_URL else ["default"]
    ),
]


@dataclass
class World:
    replica: Any
    team: Any
    staff: Any
    manager: Any
    case: Any


@pytest.fixture
def world(settings: Any) -> Iterator[World]:
    """The `replica` alias on the replica's copy of the test database, and a case."""
    if not REPLICA_URL:
        if os.environ.get("CASEDESK_REQUIRE_SERVICES") == "1":
            pytest.fail("a streaming replica is required under CI but TEST_REPLICA_URL is unset")
        pytest.skip("needs a streaming replica: set TEST_REPLICA_URL (see .ci/start-replica)")
    where = urlparse(REPLICA_URL)
    replica = connections[db_router.REPLICA]
    mirror = replica.settings_dict
    replica.close()
    replica.settings_dict = {
        **connections["default"].settings_dict,
        "HOST": where.hostname,
        "PORT": str(where.port or 5432),
        "OPTIONS": {"connect_timeout": 2},
    }
    settings.CASEDESK_REPLICA_CHECK_SECONDS = 0
    db_router.forget_replica_health()
    try:
        yield _world(replica)
    finally:
        replica.close()
        replica.settings_dict = mirror
        db_router.forget_replica_health()


def _world(replica: Any) -> World:
    from cases import services
    from cases.models import Role
    from tests.factories import CategoryFactory, CustomerFactory, TeamFactory, UserFactory

    team = TeamFactory.create(name="Downtown store")
    staff = UserFactory.create(username="staff", teams=[team])
    manager = UserFactory(username="manager", role=Role.MANAGER, teams=[team])
    customer = CustomerFactory.create(team=team, created_by=staff)
    case = services.open_case(
        by=staff,
        customer=customer,
        team=team,
        subject="Fridge too big for the kitchen",
        category=CategoryFactory.create(name="Refund dispute", slug="refund-dispute"),
        channel="in_person",
        assignee=staff,
    )
    return World(replica=replica, team=team, staff=staff, manager=manager, case=case)


def wait_for(condition: Callable[[], bool], what: str, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {limit:.0f} s waiting for {what}")
        time.sleep(0.1)


def replayed(replica: Any, case_id: int) -> bool:
    with replica.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case WHERE id = %s", [case_id])
        return bool(cursor.fetchone()[0])


def period_for(team: Any) -> insights.Period:
    today = timezone.localdate()
    return insights.Period.from_dates(today - timedelta(days=6), today, [team.id])


def test_the_replica_is_a_standby(world: World) -> None:
    with world.replica.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True


def test_insights_are_read_from_the_replica_with_the_same_figures(world: World) -> None:
    wait_for(lambda: replayed(world.replica, world.case.id), "the case to reach the replica")
    on_primary = insights.insights_for(period_for(world.team))
    with CaptureQueriesContext(world.replica) as on_replica, db_router.replica_reads() as alias:
        from_replica = insights.insights_for(period_for(world.team))
    assert alias == db_router.REPLICA
    assert len(on_replica.captured_queries) > 1
    assert from_replica.top_categories == on_primary.top_categories
    assert from_replica.top_categories, "the case opened in the period is counted"


def test_the_insights_page_reads_the_replica(world: World, client: Any) -> None:
    wait_for(lambda: replayed(world.replica, world.case.id), "the case to reach the replica")
    client.force_login(world.manager)
    with CaptureQueriesContext(world.replica) as on_replica:
        response = client.get(reverse("insights"))
    assert response.status_code == 200
    assert on_replica.captured_queries, "the page's aggregates ran on the replica"


def test_pages_that_read_their_own_writes_stay_on_the_primary(world: World, client: Any) -> None:
    client.force_login(world.staff)
    with CaptureQueriesContext(world.replica) as on_replica:
        page = client.get(reverse("case_detail", args=[world.case.reference]))
        assert page.status_code == 200
        assert client.get(reverse("home")).status_code == 200
    assert on_replica.captured_queries == []


def test_a_replica_that_is_down_falls_back_to_the_primary(world: World, client: Any) -> None:
    world.replica.close()
    world.replica.settings_dict["PORT"] = "9"  # discard: nothing listens, refused at once
    client.force_login(world.manager)
    response = client.get(reverse("insights"))
    assert response.status_code == 200
    with db_router.replica_reads() as alias:
        assert alias == db_router.PRIMARY


def test_a_lagging_replica_is_skipped_until_it_catches_up(world: World, settings: Any) -> None:
    from cases import services

    replica, case, team = world.replica, world.case, world.team
    settings.CASEDESK_REPLICA_MAX_LAG_SECONDS = 1
    wait_for(lambda: replayed(replica, case.id), "the case to reach the replica")
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        later = services.open_case(
            by=world.staff,
            customer=case.customer,
            team=team,
            subject="Second visit",
            category=case.category,
            channel="phone",
        )
        # Behind by more than a second: the write has reached it but is not replayed.
        wait_for(lambda: db_router.replica_lag_seconds() > 1, "the replica to fall behind")
        assert not replayed(replica, later.id)
        with db_router.replica_reads() as alias:
            assert alias == db_router.PRIMARY
            figures = insights.insights_for(period_for(team))
        assert sum(row["cases"] for row in figures.top_categories) == 2
    finally:
        with replica.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
    wait_for(lambda: replayed(replica, later.id), "the replica to replay the new case")
    wait_for(lambda: db_router.replica_lag_seconds() <= 1, "the replica to catch up")
    db_router.forget_replica_health()
    with db_router.replica_reads() as alias:
        assert alias == db_router.REPLICA
