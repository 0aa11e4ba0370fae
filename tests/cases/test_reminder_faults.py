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
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from cases.models import Case, Reminder, ReminderState
from tests.factories import CaseFactory, add_due_tasks
from tests.threads import WAIT_LIMIT_SECONDS, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


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

    def wait_ready(self) -> None:
        """Until the worker says it is connected to its broker and taking tasks."""
        wait_for(lambda: b" ready." in self.log.read_bytes(), what="the worker to be ready")

    def kill(self) -> None:
        """SIGKILL, no goodbye: the whole group (worker and its beat)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=WAIT_LIMIT_SECONDS)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()


class PrivateRedis:
    """A redis-server of the test's own on a free port: an empty broker to start from,
    and one to stop and start again, without touching a Redis other runs share."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> PrivateRedis:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no"]
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        wait_for(self.answers, what=f"redis-server on port {self.port}")
        return self

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=1).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=WAIT_LIMIT_SECONDS)


@pytest.fixture
def private_redis():
    server = PrivateRedis().start()
    yield server
    server.stop()


@pytest.fixture
def fault_broker(private_redis):
    return private_redis.url


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


def wait_until_all_sent(message_ids: set[str]) -> None:
    """Until each of these reminders is recorded sent. A row is recorded after the mail
    server accepted it, and nothing is sent without a claim on an unsent row, so from
    then on the sink's list is final: no sleep "in case something else arrives"."""
    pks = [r.pk for r in Reminder.objects.all() if r.message_id in message_ids]
    assert len(pks) == len(message_ids)
    sent = Reminder.objects.filter(pk__in=pks, state=ReminderState.SENT)
    wait_for(lambda: sent.count() == len(pks), what=f"{len(pks)} reminders recorded sent")


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
    # After sixty emails the server holds the next one: the worker is then mid-batch,
    # mid-send, however fast or slow the machine, when it is killed.
    smtp_sink.hold_after = 60
    env = process_env(tmp_path, smtp_sink.port, fault_broker)
    first = workers(env)
    wait_for(lambda: smtp_sink.holding, what="the worker to be sending its 61st email")
    first.kill()
    assert smtp_sink.count() == 60
    smtp_sink.release()
    workers(env)
    wait_until_all_sent(expected)
    assert_each_once_at_most_one_duplicate(smtp_sink, expected)
    assert not Reminder.objects.filter(
        state__in=[ReminderState.PENDING, ReminderState.SENDING], due_at__lte=timezone.now()
    ).exists()


def test_resolving_works_while_redis_is_down_and_reminders_follow_when_it_is_back(
    smtp_sink, staff, customer, category, tmp_path, workers, what_happens_next, private_redis
):
    env = process_env(tmp_path, smtp_sink.port, private_redis.url)
    workers(env).wait_ready()
    cases = [
        CaseFactory(team=customer.team, customer=customer, category=category, created_by=staff)
        for _ in range(20)
    ]
    private_redis.stop()
    # Resolve in a separate process whose broker is the Redis that just died.
    ids = ",".join(str(c.pk) for c in cases)
    script = (
        "from cases import services; from cases.models import Case, User\n"
        f"by = User.objects.get(pk={staff.pk})\n"
        f"for case in Case.objects.filter(pk__in=[{ids}]):\n"
        "    services.resolve_case(case, by=by, outcome='compromise', summary='Credit',"
        " email_customer=True, next_step='We call you Friday')\n"
    )
    # (A resolve that hung on the dead broker would not finish within the limit.)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT_LIMIT_SECONDS,
    )
    assert result.returncode == 0, result.stderr
    assert Case.objects.filter(pk__in=[c.pk for c in cases], status="resolved").count() == 20
    assert smtp_sink.count() == 0
    expected = {
        r.message_id for r in Reminder.objects.filter(kind="customer_update", state="pending")
    }
    assert len(expected) == 20

    private_redis.start()
    wait_until_all_sent(expected)
    assert Counter(smtp_sink.message_ids()) == dict.fromkeys(expected, 1)


def test_a_mail_server_refusing_for_a_while_delays_but_loses_nothing(
    smtp_sink, staff, case, tmp_path, fault_broker, workers
):
    expected = due_task_reminders(case, staff, 20)
    # The first five messages are refused, whenever the worker gets to them.
    smtp_sink.refuse_next = 5
    workers(process_env(tmp_path, smtp_sink.port, fault_broker))
    wait_until_all_sent(expected)
    assert Counter(smtp_sink.message_ids()) == dict.fromkeys(expected, 1)
    assert smtp_sink.refused == 5
    retried = Reminder.objects.filter(state=ReminderState.SENT, attempts__gt=1).count()
    assert 1 <= retried <= 5


def test_two_sweeps_at_once_send_nothing_twice(smtp_sink, staff, case, tmp_path, fault_broker):
    expected = due_task_reminders(case, staff, 200)
    # Each sweep's first email waits until the other sweep has sent one too: both are
    # then at work at once, however late the second process starts on a busy machine.
    smtp_sink.hold_until_senders = 2
    env = process_env(tmp_path, smtp_sink.port, fault_broker)
    env["EMAIL_TIMEOUT"] = str(int(WAIT_LIMIT_SECONDS))  # a held send must not time out
    command = [sys.executable, "manage.py", "send_reminders", "--limit", "1000"]
    sweeps = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [sweep.communicate(timeout=2 * WAIT_LIMIT_SECONDS)[0] for sweep in sweeps]
    handled = [int(out.split()[0]) for out in outputs]
    assert sum(handled) == 200 and all(n > 0 for n in handled), outputs
    assert Counter(smtp_sink.message_ids()) == dict.fromkeys(expected, 1)
