"""Settings fail at start-up, naming the variable: each case starts a fresh Python process
with the environment an operator might set, as gunicorn or the worker would start."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from cases.models import Case, Status
from cases.services import InvalidTransition, timeline

ROOT = Path(__file__).resolve().parent.parent
# Variables the test run (or the machine) sets that a production start would not have.
NOT_PASSED = {
    "DJANGO_SETTINGS_MODULE",
    "HTTPS",
    "SECRET_KEY",
    "DEBUG",
    "EMAIL_URL",
    "EMAIL_TIMEOUT",
    "CACHE_URL",
    "LOG_LEVEL",
    "CASEDESK_HOURLY_COST",
    "TEST_REDIS_URL",
}


def start(code: str, *, settings: str = "casedesk.settings", flags: tuple[str, ...] = (), **env):
    """Run `code` after loading `settings` in a new process; its result."""
    environment = {k: v for k, v in os.environ.items() if k not in NOT_PASSED}
    environment.update(DJANGO_SETTINGS_MODULE=settings, SECRET_KEY=secrets.token_urlsafe(50), **env)
    program = f"import django\ndjango.setup()\nfrom django.conf import settings\n{code}"
    return subprocess.run(
        [sys.executable, *flags, "-c", program],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def value(setting: str, **env) -> str:
    result = start(f"print(repr(settings.{setting}))", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def refused(**env) -> str:
    """The error a process that must not start printed (it must not start)."""
    result = start("print('started')", **env)
    assert result.returncode != 0 and "started" not in result.stdout
    return result.stderr.strip().splitlines()[-1]


def test_the_hourly_cost_is_read_as_money_at_start_up():
    assert value("CASEDESK_HOURLY_COST") == "Decimal('30.00')"
    assert value("CASEDESK_HOURLY_COST", CASEDESK_HOURLY_COST="45.50") == "Decimal('45.50')"


@pytest.mark.parametrize("typed", ["thirty", "30,00", "-1", "NaN", ""])
def test_a_bad_hourly_cost_stops_the_process_naming_the_variable(typed):
    error = refused(CASEDESK_HOURLY_COST=typed)
    assert "ImproperlyConfigured" in error and "CASEDESK_HOURLY_COST" in error


def test_email_timeout_wins_over_the_email_url_timeout_which_wins_over_the_default():
    url = "smtp://mail.example.com:25"
    assert value("EMAIL_TIMEOUT", EMAIL_URL=url) == "10"
    assert value("EMAIL_TIMEOUT", EMAIL_URL=f"{url}?timeout=3") == "3"
    assert value("EMAIL_TIMEOUT", EMAIL_URL=f"{url}?timeout=3", EMAIL_TIMEOUT="7") == "7"


@pytest.mark.parametrize("timeout", ["soon", "0", "-5"])
def test_a_bad_email_url_timeout_stops_the_process(timeout):
    error = refused(EMAIL_URL=f"smtp://mail.example.com:25?timeout={timeout}")
    assert "EMAIL_URL" in error and "timeout" in error


def test_cache_url_chooses_a_shared_redis_cache_or_one_per_process():
    assert "LocMemCache" in value("CACHES['default']['BACKEND']")
    redis = "redis://cache.internal:6379/1"
    assert "RedisCache" in value("CACHES['default']['BACKEND']", CACHE_URL=redis)
    assert value("CACHES['default']['LOCATION']", CACHE_URL=redis) == repr(redis)
    error = refused(CACHE_URL="memcached://cache.internal:11211")
    assert "CACHE_URL" in error


def test_sessions_are_read_from_the_cache_only_when_every_process_shares_it():
    assert value("SESSION_ENGINE") == repr("django.contrib.sessions.backends.db")
    redis = "redis://cache.internal:6379/1"
    cached = "django.contrib.sessions.backends.cached_db"
    assert value("SESSION_ENGINE", CACHE_URL=redis) == repr(cached)


def test_log_level_is_checked_and_applied_at_start_up():
    level = "import logging; print(logging.getLevelName(logging.getLogger().level))"
    assert start(level).stdout.strip() == "INFO"
    assert start(level, LOG_LEVEL="debug").stdout.strip() == "DEBUG"
    assert "LOG_LEVEL" in refused(LOG_LEVEL="loud")


def test_the_test_settings_open_no_socket_at_import():
    """Loading the test settings must not touch the network: the broker comes from the
    environment (TEST_REDIS_URL) or is kombu's in-memory transport."""
    forbid = (
        "import socket\n"
        "def refuse(*args, **kwargs):\n"
        "    raise AssertionError('a socket was opened at import')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
    )
    code = "print(settings.CELERY_BROKER_URL)"
    test_settings = "casedesk.test_settings"
    program = forbid + "import django\ndjango.setup()\nfrom django.conf import settings\n" + code
    for env, broker in (({}, "memory://"), ({"TEST_REDIS_URL": "redis://x:6379/9"}, None)):
        environment = {k: v for k, v in os.environ.items() if k not in NOT_PASSED}
        environment.update(DJANGO_SETTINGS_MODULE=test_settings, **env)
        result = subprocess.run(
            [sys.executable, "-c", program],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == (broker or env["TEST_REDIS_URL"])


def test_a_status_move_the_map_does_not_list_is_refused():
    case = Case(pk=1, status=Status.CLOSED)
    with pytest.raises(InvalidTransition):
        timeline.move_status(case, from_=Status.CLOSED, to=Status.OPEN, now=None)  # type: ignore[arg-type]


def test_the_state_machine_guard_holds_under_python_optimise():
    """`python -O` strips asserts: the guard is an explicit check, so it still refuses."""
    code = (
        "from cases.models import Case, Status\n"
        "from cases.services import InvalidTransition, timeline\n"
        "try:\n"
        "    timeline.move_status(Case(pk=1), from_=Status.CLOSED, to=Status.OPEN, now=None)\n"
        "except InvalidTransition as refusal:\n"
        "    print('refused:', refusal)\n"
    )
    result = start(code, flags=("-O",), DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("refused: A case cannot move from closed to open")
