"""Drain N due reminders through ONE Celery worker into a local SMTP server, and report
reminders per second and how late the last one arrived.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casedesk_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/13 \\
    .venv/bin/python bench/reminder_drain.py --count 10000

The database is created if missing and migrated; its reminders and tasks are replaced.
Everything runs on 127.0.0.1; the run is bounded by --timeout.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casedesk.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "localhost")


class Sink:
    """Counts what arrives and when."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.arrivals: list[float] = []
        self.ids: set[str] = set()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        now = time.time()
        message_id = ""
        for line in envelope.content.split(b"\n"):
            if line.lower().startswith(b"message-id:"):
                message_id = line.split(b":", 1)[1].strip().decode()
                break
        with self.lock:
            self.arrivals.append(now)
            self.ids.add(message_id)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_database(url: str) -> None:
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
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{db["NAME"]}"')
    conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "reminder_drain.json"))
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL database (it is created if missing).")
        return 2
    ensure_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from cases.models import Case, Customer, FollowUpTask, Reminder, Role, Team, User
    from policies.models import Category

    call_command("migrate", verbosity=0)
    print(f"Preparing {args.count} due reminders …", flush=True)
    Reminder.objects.all().delete()
    FollowUpTask.objects.all().delete()
    team, _ = Team.objects.get_or_create(name="Bench team")
    user, _ = User.objects.get_or_create(
        username="bench-staff", defaults={"email": "bench-staff@example.com", "role": Role.STAFF}
    )
    user.teams.add(team)
    category, _ = Category.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
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
    due_at = timezone.now()
    tasks = FollowUpTask.objects.bulk_create(
        FollowUpTask(
            case=case,
            title=f"Call back {i}",
            kind="call_back",
            assignee=user,
            due_at=due_at + timedelta(minutes=30),
            created_by=user,
        )
        for i in range(args.count)
    )
    Reminder.objects.bulk_create(
        (Reminder(kind="due_soon", case=case, task=task, due_at=due_at) for task in tasks),
        batch_size=2000,
    )
    connection.close()

    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command

    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    env = dict(os.environ)
    env.update(
        EMAIL_URL=f"smtp://127.0.0.1:{port}",
        CASEDESK_SWEEP_SECONDS="1",
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
        "--beat",
        "--pool",
        "solo",
        "--loglevel",
        "WARNING",
        "--without-gossip",
        "--without-mingle",
    ]
    print("Starting one worker (solo pool, beat sweeping every second) …", flush=True)
    started = time.time()
    worker = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + args.timeout
        while len(sink.ids) < args.count and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        controller.stop()

    received = len(sink.ids)
    if not sink.arrivals:
        print("Nothing arrived.")
        return 1
    first, last = min(sink.arrivals), max(sink.arrivals)
    result = {
        "count": args.count,
        "received_distinct": received,
        "received_total": len(sink.arrivals),
        "worker_start_to_first_email_s": round(first - started, 2),
        "first_to_last_email_s": round(last - first, 2),
        "reminders_per_second": round(received / max(last - first, 1e-9), 1),
        "last_one_late_by_s": round(last - due_at.timestamp(), 2),
        "machine": f"{os.cpu_count()} cores, {sys.platform}",
        "database": "PostgreSQL",
    }
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=2))
    return 0 if received == args.count else 1


if __name__ == "__main__":
    sys.exit(main())
