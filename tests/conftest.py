"""Shared fixtures: role fixtures, a real Celery worker, service checks.

Tests marked `postgres`, `redis` or `browser` need those services. Locally they skip with
the reason; under `.ci/run` (CASEDESK_REQUIRE_SERVICES=1) a missing service fails them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from django.db import connection

# Playwright's sync API runs an event loop in the test thread; Django would refuse ORM
# calls from it under live_server without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = (
    "celery.contrib.pytest",
    "tests.exception_fixtures",
    "tests.smtp_sink",
    "tests.attachment_fixtures",
)

REQUIRE_SERVICES = os.environ.get("CASEDESK_REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# The same choice as casedesk/test_settings.py makes for the broker and the cache.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


def _missing(service: str, reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{service} is required under CI but {reason}", pytrace=False)
    pytest.skip(f"needs {service}: {reason}")


def _redis_available() -> bool:
    import redis

    if not TEST_REDIS_URL:
        return False
    try:
        return bool(redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=5).ping())
    except redis.RedisError:
        return False


def pytest_configure(config: pytest.Config) -> None:
    """Compile the translation catalogues the tests read (only those changed since), in
    pure Python, as `dev.py run` does before serving: a run needs no GNU gettext."""
    from casedesk.catalogues import compile_catalogues

    compile_catalogues()


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _missing("PostgreSQL", "DATABASE_URL does not point at PostgreSQL")
    if item.get_closest_marker("redis") and not _redis_available():
        _missing("Redis", f"nothing answers at TEST_REDIS_URL={TEST_REDIS_URL!r}")
    if item.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        _missing("Chromium", f"{CHROMIUM} is not installed (apt-get install chromium)")


def clear_cache() -> None:
    """Empty this run's cache. On Redis only this run's keys go (by prefix): the database
    is shared with the Celery broker, whose queues a FLUSHDB would wipe."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        cache.clear()
        return
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (the database under it is fresh too)."""
    clear_cache()
    yield
    clear_cache()


# Roles ---------------------------------------------------------------------------------


@pytest.fixture
def team(db):
    from tests.factories import TeamFactory

    return TeamFactory(name="Downtown store")


@pytest.fixture
def other_team(db):
    from tests.factories import TeamFactory

    return TeamFactory(name="Airport kiosk")


@pytest.fixture
def staff(team):
    from tests.factories import UserFactory

    return UserFactory(username="staff", first_name="Sam", last_name="Staff", teams=[team])


@pytest.fixture
def colleague(team):
    from tests.factories import UserFactory

    return UserFactory(username="colleague", first_name="Cleo", last_name="Colleague", teams=[team])


@pytest.fixture
def manager(team):
    from cases.models import Role
    from tests.factories import UserFactory

    return UserFactory(
        username="manager", first_name="Mo", last_name="Manager", role=Role.MANAGER, teams=[team]
    )


@pytest.fixture
def admin_user(team):
    from cases.models import Role
    from tests.factories import UserFactory

    return UserFactory(
        username="admin",
        first_name="Ada",
        last_name="Admin",
        role=Role.ADMIN,
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def other_team_staff(other_team):
    from tests.factories import UserFactory

    return UserFactory(username="outsider", first_name="Otto", last_name="Side", teams=[other_team])


@pytest.fixture
def other_team_manager(other_team):
    from cases.models import Role
    from tests.factories import UserFactory

    return UserFactory(
        username="othermanager", role=Role.MANAGER, first_name="Oona", teams=[other_team]
    )


@pytest.fixture
def category(db):
    from tests.factories import CategoryFactory

    return CategoryFactory(name="Refund dispute", slug="refund-dispute")


@pytest.fixture
def customer(team, staff):
    from tests.factories import CustomerFactory

    return CustomerFactory(
        name="Dana Whitfield",
        email="dana@example.com",
        phone="+44 7700 900101",
        team=team,
        created_by=staff,
    )


@pytest.fixture
def case(staff, customer, category):
    """A new case of `team`, opened by `staff` through the service (so it has its event)."""
    from cases import services

    return services.open_case(
        by=staff,
        customer=customer,
        team=customer.team,
        subject="Fridge too big for the kitchen",
        category=category,
        channel="in_person",
        assignee=staff,
    )


@pytest.fixture
def guidance(db):
    """Guidance cards as a fresh install has them (transactional tests flush migrations' rows)."""
    from policies.defaults import DEMEANOUR_GUIDANCE
    from policies.models import DemeanourGuidance

    for demeanour, card in DEMEANOUR_GUIDANCE.items():
        DemeanourGuidance.objects.get_or_create(demeanour=demeanour, defaults=card)
    return DemeanourGuidance.objects.all()


# Celery --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def celery_config() -> dict[str, object]:
    return {
        "broker_url": TEST_REDIS_URL,
        "result_backend": TEST_REDIS_URL,
        "task_always_eager": False,
        "broker_transport_options": {},
    }


@pytest.fixture(scope="session")
def celery_app(request):
    """The project's own Celery app, pointed at the test Redis database."""
    from casedesk.celery import app

    config = request.getfixturevalue("celery_config")
    app.conf.update(config)
    app.conf.task_ignore_result = False
    return app


@pytest.fixture(scope="session")
def celery_worker_parameters() -> dict[str, object]:
    # The in-test worker thread gets as long to stop as any wait (celery's default is
    # 10 s, which a busy machine can overrun while the worker finishes a sweep).
    from tests.threads import WAIT_LIMIT_SECONDS

    return {
        "perform_ping_check": False,
        "queues": ("celery",),
        "shutdown_timeout": WAIT_LIMIT_SECONDS,
    }


@pytest.fixture
def worker(celery_app, request):
    """A real Celery worker on the test Redis, starting from an empty queue (tasks queued
    by earlier tests would otherwise be run against this test's database)."""
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_purge("celery")
    return request.getfixturevalue("celery_worker")


# Browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def signed_in(client) -> Iterator:
    """client.login() fails under django-axes (it needs a request); force_login does not."""

    def _sign_in(user):
        client.force_login(user)
        return client

    yield _sign_in


@pytest.fixture
def what_happens_next(db):
    """The customer email template as a fresh install has it (flushed by transactional tests)."""
    import importlib

    from policies.models import MessageTemplate

    seed = importlib.import_module("policies.migrations.0005_default_templates")
    template, _ = MessageTemplate.objects.get_or_create(
        key="what-happens-next",
        language="",  # the default version (migrations also add Polish and Spanish ones)
        defaults={"subject": "Your case {reference}: what happens next", "body": seed.BODY},
    )
    return template
