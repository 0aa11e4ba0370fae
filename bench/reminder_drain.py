"""Drain N due reminders through ONE Celery worker into a local SMTP server, and report
reminders per second and how late the last one arrived.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casedesk_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/13 \\
    .venv/bin/python bench/reminder_drain.py --count 10000

Safe on a shared database (e.g. the generated one): the bench writes and deletes only its
own rows — a team, user and category of its own (made if missing, deleted again if it made
them), one customer and case on that team, and the case's tasks and reminders — and the
worker sweeps only that case's reminders. So the other rows are left as they were: no
other reminder is sent, recovered or cancelled. For the same reason there is no embedded
beat (its heartbeat and auto-close tasks write to the database); the bench publishes the
sweep itself, every second, with the same one-second expiry beat uses.

A database that does not exist yet is created and migrated; an existing one is migrated
only with --migrate (the bench refuses to run on one with unapplied migrations).

Lateness is honest: the reminders are inserted not yet due, and made due in one statement
just before the worker starts, so `last_one_late_by_s` counts the worker's start-up and
the whole drain, and nothing of the preparation. Everything runs on 127.0.0.1; the run is
bounded by --timeout.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cases.models import Team

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import calibration_ms, write_result  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casedesk.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "localhost")

BENCH_NAME = "Reminder drain bench"
BENCH_USERNAME = "reminder-drain-bench"
BENCH_SLUG = "reminder-drain-bench"
SWEEP_SECONDS = 1.0


class Sink:
    """Records the Message-ID of everything that arrives, and when; counts the bench's own."""

    def __init__(self, expected: set[str]) -> None:
        self.lock = threading.Lock()
        self.expected = expected
        self.arrivals: list[tuple[float, str]] = []
        self.ours: set[str] = set()

    async def handle_DATA(self, server, session, envelope):
        now = time.time()
        message_id = ""
        for line in envelope.content.split(b"\n"):
            if line.lower().startswith(b"message-id:"):
                message_id = line.split(b":", 1)[1].strip().decode()
                break
        with self.lock:
            self.arrivals.append((now, message_id))
            if message_id in self.expected:
                self.ours.add(message_id)
        return "250 OK"

    def received(self) -> int:
        # Polled ten times a second: constant time, so the poll never holds up the server.
        with self.lock:
            return len(self.ours)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_database(url: str) -> bool:
    """Create the database if missing; returns whether it was created."""
    import dj_database_url
    import psycopg2

    db = dj_database_url.parse(url)
    conn = psycopg2.connect(
        dbname="postgres",
        user=db["USER"],
        host=db["HOST"],
        port=db["PORT"] or 5432,
        password=db["PASSWORD"] or None,
    )
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
            if cur.fetchone():
                return False
            cur.execute(f'CREATE DATABASE "{db["NAME"]}"')
            return True
    finally:
        conn.close()


def unapplied_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def remove_bench_rows(team: Team) -> None:
    """Delete what earlier runs left on the bench team: reminders, tasks, cases, customers.
    Everything on that team is the bench's own."""
    from cases.models import Case, Customer, FollowUpTask, Reminder

    Reminder.objects.filter(case__team=team).delete()
    FollowUpTask.objects.filter(case__team=team).delete()
    Case.objects.filter(team=team).delete()
    Customer.objects.filter(team=team).delete()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=1,
        help="processes in the one worker: 1 is the solo pool, more is prefork",
    )
    parser.add_argument(
        "--migrate", action="store_true", help="apply migrations to an existing database"
    )
    parser.add_argument("--json", help="default: bench/results/reminder_drain-YYYY-MM-DD-HHMM.json")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL database (it is created if missing).")
        return 2
    created = ensure_database(url)
    calibration = calibration_ms()  # before the worker starts, which would skew it

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from casedesk.celery import app
    from cases.models import Case, Customer, FollowUpTask, Reminder, Role, Team, User
    from policies.models import Category

    if created or args.migrate:
        call_command("migrate", verbosity=0)
    elif missing := unapplied_migrations():
        print(f"Unapplied migrations ({', '.join(missing)}): run with --migrate to apply them.")
        return 2

    # The bench's own team, user and category; remembered if made here, to delete at the end.
    team, made_team = Team.objects.get_or_create(name=BENCH_NAME)
    user, made_user = User.objects.get_or_create(
        username=BENCH_USERNAME,
        defaults={"email": "bench-staff@example.com", "role": Role.STAFF},
    )
    user.teams.add(team)
    category, made_category = Category.objects.get_or_create(
        slug=BENCH_SLUG, defaults={"name": BENCH_NAME}
    )
    worker = None
    controller = None
    try:
        remove_bench_rows(team)  # left by a run that was interrupted
        print(f"Preparing {args.count} reminders …", flush=True)
        customer = Customer.objects.create(
            name="Bench Customer", email="customer@example.com", team=team, created_by=user
        )
        case = Case.objects.create(
            customer=customer,
            team=team,
            subject="Bench case",
            category=category,
            channel="phone",
            created_by=user,
            assignee=user,
        )
        # Not due yet: they become due in one statement just before the worker starts.
        later = timezone.now() + timedelta(days=365)
        tasks = FollowUpTask.objects.bulk_create(
            (
                FollowUpTask(
                    case=case,
                    team_id=case.team_id,
                    title=f"Call back {i}",
                    kind="call_back",
                    assignee=user,
                    due_at=later,
                    created_by=user,
                )
                for i in range(args.count)
            ),
            batch_size=2000,
        )
        Reminder.objects.bulk_create(
            (
                Reminder(kind="due_soon", case=case, team_id=case.team_id, task=task, due_at=later)
                for task in tasks
            ),
            batch_size=2000,
        )
        expected = {r.message_id for r in Reminder.objects.filter(case=case).only("generation")}
        assert len(expected) == args.count

        import logging

        from aiosmtpd.controller import Controller

        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command

        sink = Sink(expected)
        port = free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        env = dict(os.environ)
        env.update(
            EMAIL_URL=f"smtp://127.0.0.1:{port}",
            CASEDESK_VAR_DIR=tempfile.mkdtemp(prefix="casedesk-bench-"),
            LOG_LEVEL="WARNING",
        )
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "casedesk",
            "worker",
            *(
                ["--pool", "solo"]
                if args.concurrency == 1
                else ["--pool", "prefork", "--concurrency", str(args.concurrency)]
            ),
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
        ]
        due_at = timezone.now()
        Reminder.objects.filter(case=case).update(due_at=due_at)
        connection.close()
        pool = "solo pool" if args.concurrency == 1 else f"{args.concurrency} processes"
        print(f"Starting one worker ({pool}, a sweep published every second) …", flush=True)
        started = time.time()
        worker = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
        deadline = time.monotonic() + args.timeout
        next_sweep = time.monotonic()
        while sink.received() < args.count and time.monotonic() < deadline:
            if worker.poll() is not None:
                print(f"The worker exited with {worker.returncode}.")
                break
            if time.monotonic() >= next_sweep:
                # What beat would publish, but for the bench's case only.
                app.send_task(
                    "cases.tasks.send_due_reminders",
                    kwargs={"case_id": case.pk},
                    expires=SWEEP_SECONDS,
                )
                next_sweep += SWEEP_SECONDS
            time.sleep(0.1)
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)
        if controller is not None:
            controller.stop()
        states = dict(
            Counter(Reminder.objects.filter(case__team=team).values_list("state", flat=True))
        )
        remove_bench_rows(team)
        if made_user:
            user.delete()
        if made_category:
            category.delete()
        if made_team:
            team.delete()

    ours = [(at, mid) for at, mid in sink.arrivals if mid in expected]
    if not ours:
        print("Nothing arrived.")
        return 1
    received = len({mid for _, mid in ours})
    first, last = min(at for at, _ in ours), max(at for at, _ in ours)
    result = {
        "count": args.count,
        "received_distinct": received,
        "received_total": len(ours),
        "received_not_ours": len(sink.arrivals) - len(ours),
        "final_states": states,
        "worker_start_to_first_email_s": round(first - started, 2),
        "first_to_last_email_s": round(last - first, 2),
        "reminders_per_second": round(received / max(last - first, 1e-9), 1),
        "due_to_last_email_per_second": round(received / max(last - due_at.timestamp(), 1e-9), 1),
        "last_one_late_by_s": round(last - due_at.timestamp(), 2),
        "calibration_ms": calibration,
        "cases": Case.objects.count(),  # in the database, the bench's own removed
        "worker": pool,
        "database": f"PostgreSQL ({connection.settings_dict['NAME']})",
    }
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    print(f"wrote {write_result('reminder_drain', result, args.json)}")
    return 0 if received == args.count and len(ours) == args.count else 1


if __name__ == "__main__":
    sys.exit(main())
