"""No reminder is lost, whatever fails — with real processes on PostgreSQL.

Each test runs the real thing beside the test: a Celery worker (solo pool, with beat
sweeping every second) or the `send_reminders` command as separate processes, on the
test database, sending into the in-test SMTP server.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from cases.models import Case, Reminder, ReminderState
from tests.factories import CaseFactory, add_due_tasks
from tests.threads import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
# Flushed before and after each test: set FAULT_REDIS_URL to a database of your own when
# other test runs share this Redis.
FAULT_REDIS_DB = os.environ.get("FAULT_REDIS_URL", "redis://127.0.0.1:6379/14")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_env(tmp_path: Path, smtp_port: int, broker: str) -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="casedesk.settings",
        DATABASE_URL=url,
        DB_CONN_MAX_AGE="0",
        CELERY_BROKER_URL=broker,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        SECRET_KEY=settings.SECRET_KEY,
        DEBUG="0",
        ALLOWED_HOSTS="localhost",
        CASEDESK_VAR_DIR=str(tmp_path),
        CASEDESK_SWEEP_SECONDS="1",
        CASEDESK_REMINDER_CLAIM_TIMEOUT_SECONDS="3",
        CASEDESK_REMINDER_BACKOFF_SECONDS="1",
        LOG_LEVEL="WARNING",
    )
    return env


class Worker:
    """A Celery worker with embedded beat, as its own process group."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "casedesk",
            "worker",
            "--beat",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ]
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def kill(self) -> None:
        """SIGKILL, no goodbye: the whole group (worker and its beat)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def fault_broker():
    import redis

    client = redis.Redis.from_url(FAULT_REDIS_DB)
    client.flushdb()
    yield FAULT_REDIS_DB
    client.flushdb()


@pytest.fixture
def workers(tmp_path):
    started: list[Worker] = []

    def make(env: dict[str, str]) -> Worker:
        worker = Worker(env, tmp_path / f"worker-{len(started)}.log").start()
        started.append(worker)
        return worker

    yield make
    for worker in started:
        worker.stop()


def due_task_reminders(case, staff, n: int) -> set[str]:
    """n tasks whose due-soon reminders are due now; returns their Message-IDs."""
    add_due_tasks(case, staff, n)
    due = Reminder.objects.filter(state=ReminderState.PENDING, due_at__lte=timezone.now())
    ids = {r.message_id for r in due}
    assert len(ids) == n
    return ids


def assert_each_once_at_most_one_duplicate(sink, expected: set[str]) -> None:
    counts = Counter(sink.message_ids())
    assert set(counts) == expected, "a reminder was lost or an unknown one was sent"
    duplicates = {mid: n for mid, n in counts.items() if n > 1}
    # The only possible duplicate is the message in flight when the sender died, and it
    # carries the same Message-ID as its first copy (which is how it is counted here).
    assert len(duplicates) <= 1 and all(n == 2 for n in duplicates.values()), duplicates


def test_worker_killed_mid_batch_loses_nothing(
    smtp_sink, staff, case, tmp_path, fault_broker, workers
):
    expected = due_task_reminders(case, staff, 300)
    smtp_sink.delay = 0.01  # a slow server, so the kill lands mid-batch
    env = process_env(tmp_path, smtp_sink.port, fault_broker)
    first = workers(env)
    wait_for(lambda: smtp_sink.count() >= 60, timeout=60, what="the first sixty emails")
    first.kill()
    received_before_restart = smtp_sink.count()
    assert received_before_restart < 300, "the batch finished before the kill"
    workers(env)
    wait_for(lambda: len(set(smtp_sink.message_ids())) >= 300, timeout=90, what="every email")
    time.sleep(2)  # anything sent twice would have arrived by now
    assert_each_once_at_most_one_duplicate(smtp_sink, expected)
    assert not Reminder.objects.filter(
        state__in=[ReminderState.PENDING, ReminderState.SENDING], due_at__lte=timezone.now()
    ).exists()


def test_resolving_works_while_redis_is_down_and_reminders_follow_when_it_is_back(
    smtp_sink, staff, customer, category, tmp_path, workers, what_happens_next
):
    port = free_port()
    redis_cmd = [
        "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]
    redis_proc = subprocess.Popen(redis_cmd, stdout=subprocess.DEVNULL)
    broker = f"redis://127.0.0.1:{port}/0"
    try:
        env = process_env(tmp_path, smtp_sink.port, broker)
        workers(env)
        cases = [
            CaseFactory(team=customer.team, customer=customer, category=category, created_by=staff)
            for _ in range(20)
        ]
        time.sleep(3)  # the worker is up and connected
        redis_proc.terminate()
        redis_proc.wait(timeout=10)

        # Resolve in a separate process whose broker is the Redis that just died.
        ids = ",".join(str(c.pk) for c in cases)
        script = (
            "from cases import services; from cases.models import Case, User\n"
            f"by = User.objects.get(pk={staff.pk})\n"
            f"for case in Case.objects.filter(pk__in=[{ids}]):\n"
            "    services.resolve_case(case, by=by, outcome='compromise', summary='Credit',"
            " email_customer=True, next_step='We call you Friday')\n"
        )
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert time.monotonic() - started < 60
        assert Case.objects.filter(pk__in=[c.pk for c in cases], status="resolved").count() == 20
        assert smtp_sink.count() == 0
        expected = {
            r.message_id for r in Reminder.objects.filter(kind="customer_update", state="pending")
        }
        assert len(expected) == 20

        redis_proc = subprocess.Popen(redis_cmd, stdout=subprocess.DEVNULL)
        wait_for(lambda: len(set(smtp_sink.message_ids())) >= 20, timeout=120, what="20 emails")
        time.sleep(2)
        assert Counter(smtp_sink.message_ids()) == dict.fromkeys(expected, 1)
    finally:
        redis_proc.terminate()
        redis_proc.wait(timeout=10)


def test_a_mail_server_refusing_for_a_while_delays_but_loses_nothing(
    smtp_sink, staff, case, tmp_path, fault_broker, workers
):
    expected = due_task_reminders(case, staff, 20)
    smtp_sink.refuse_until = time.monotonic() + 4
    workers(process_env(tmp_path, smtp_sink.port, fault_broker))
    wait_for(lambda: len(set(smtp_sink.message_ids())) >= 20, timeout=90, what="20 emails")
    time.sleep(1)
    assert Counter(smtp_sink.message_ids()) == dict.fromkeys(expected, 1)
    assert smtp_sink.refused > 0
    retried = Reminder.objects.filter(state=ReminderState.SENT, attempts__gt=1).count()
    assert retried > 0


def test_two_sweeps_at_once_send_nothing_twice(smtp_sink, staff, case, tmp_path, fault_broker):
    expected = due_task_reminders(case, staff, 200)
    smtp_sink.delay = 0.002
    env = process_env(tmp_path, smtp_sink.port, fault_broker)
    command = [sys.executable, "manage.py", "send_reminders", "--limit", "1000"]
    sweeps = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [sweep.communicate(timeout=120)[0] for sweep in sweeps]
    handled = [int(out.split()[0]) for out in outputs]
    assert sum(handled) == 200 and all(n > 0 for n in handled), outputs
    assert Counter(smtp_sink.message_ids()) == dict.fromkeys(expected, 1)
