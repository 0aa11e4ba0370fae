"""Drain N due webhook deliveries through ONE Celery worker into a local HTTP receiver,
and report deliveries per second and how late the last one arrived.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casedesk_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/13 \\
    .venv/bin/python bench/webhook_drain.py --count 10000

Modelled on bench/reminder_drain.py, and as safe on a shared database (the generated one):
the bench writes and deletes only its own rows — one endpoint of its own (on 127.0.0.1)
and its deliveries — and the worker sweeps only that endpoint's rows. There is no
embedded beat; the bench publishes the sweep itself every second, as beat would.

The receiver is http.server on 127.0.0.1 (a thread per request), answering 200 at once;
it checks each signature with the same HMAC the spec defines (the `standardwebhooks`
library is a test tool, not a runtime dependency). The deliveries are inserted not yet
due and made due in one statement just before the worker starts, so lateness counts the
worker's start-up and the whole drain. Bounded by --timeout; everything on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casedesk.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "localhost")

from bench.common import write_result  # noqa: E402
from bench.reminder_drain import ensure_database, unapplied_migrations  # noqa: E402

BENCH_USERNAME = "webhook-drain-bench"
SWEEP_SECONDS = 1.0


class Receiver:
    """Counts distinct verified arrivals of the bench's own ids, and when they came."""

    def __init__(self, secret: str, expected: set[str]) -> None:
        self.key = base64.b64decode(secret.removeprefix("whsec_"))
        self.expected = expected
        self.lock = threading.Lock()
        self.arrivals: list[tuple[float, str]] = []
        self.ours: set[str] = set()
        self.bad = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as most receivers
            disable_nagle_algorithm = True

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                msg_id = self.headers.get("webhook-id", "")
                signed = f"{msg_id}.{self.headers.get('webhook-timestamp', '')}.".encode() + body
                digest = hmac.new(receiver.key, signed, hashlib.sha256).digest()
                good = "v1," + base64.b64encode(digest).decode()
                ok = good in self.headers.get("webhook-signature", "").split(" ")
                with receiver.lock:
                    receiver.arrivals.append((time.time(), msg_id))
                    if not ok:
                        receiver.bad += 1
                    elif msg_id in receiver.expected:
                        receiver.ours.add(msg_id)
                self.send_response(200 if ok else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler

    def received(self) -> int:
        with self.lock:
            return len(self.ours)


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
    parser.add_argument("--json", help="default: bench/results/webhook_drain-YYYY-MM-DD-HHMM.json")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL database (it is created if missing).")
        return 2
    created = ensure_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from casedesk.celery import app
    from cases.models import Role, User
    from webhooks import signing
    from webhooks.models import Delivery, Endpoint

    if created or args.migrate:
        call_command("migrate", verbosity=0)
    elif missing := unapplied_migrations():
        print(f"Unapplied migrations ({', '.join(missing)}): run with --migrate to apply them.")
        return 2

    user, made_user = User.objects.get_or_create(
        username=BENCH_USERNAME, defaults={"email": "bench-admin@example.com", "role": Role.ADMIN}
    )
    secret = signing.new_secret()
    receiver: Receiver | None = None
    worker = None
    endpoint = None
    try:
        # Left by an interrupted run: the bench's endpoints are the ones its user made.
        Endpoint.objects.filter(created_by=user).delete()
        # Inactive while it is prepared: no event of the database's own reaches it.
        endpoint = Endpoint.objects.create(
            url="http://127.0.0.1:1/", event_types=[], active=False, secret=secret, created_by=user
        )
        print(f"Preparing {args.count} deliveries …", flush=True)
        later = timezone.now() + timedelta(days=365)
        body = json.dumps(
            {"type": "case.assigned", "timestamp": later.isoformat(), "data": {"bench": True}}
        )
        Delivery.objects.bulk_create(
            (
                Delivery(
                    endpoint=endpoint,
                    event_id=f"msg_bench{i:08d}",
                    event_type="case.assigned",
                    body=body,
                    next_attempt_at=later,
                )
                for i in range(args.count)
            ),
            batch_size=2000,
        )
        expected = {f"msg_bench{i:08d}" for i in range(args.count)}
        receiver = Receiver(secret, expected)
        threading.Thread(target=receiver.server.serve_forever, daemon=True).start()
        port = receiver.server.server_address[1]
        Endpoint.objects.filter(pk=endpoint.pk).update(
            url=f"http://127.0.0.1:{port}/hooks", active=True
        )
        env = dict(os.environ)
        env.update(
            CASEDESK_WEBHOOK_ALLOW_PRIVATE="1",
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
        Delivery.objects.filter(endpoint=endpoint).update(next_attempt_at=due_at)
        connection.close()
        pool = "solo pool" if args.concurrency == 1 else f"{args.concurrency} processes"
        print(f"Starting one worker ({pool}, a sweep published every second) …", flush=True)
        started = time.time()
        worker = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
        deadline = time.monotonic() + args.timeout
        next_sweep = time.monotonic()
        while receiver.received() < args.count and time.monotonic() < deadline:
            if worker.poll() is not None:
                print(f"The worker exited with {worker.returncode}.")
                break
            if time.monotonic() >= next_sweep:
                app.send_task(
                    "webhooks.tasks.send_due_webhooks",
                    kwargs={"endpoint_id": endpoint.pk},
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
        if receiver is not None:
            receiver.server.shutdown()
        states: dict[str, int] = {}
        if endpoint is not None:
            rows = Delivery.objects.filter(endpoint=endpoint).values_list("state", flat=True)
            states = dict(Counter(rows))
            endpoint.delete()  # its deliveries go with it
        if made_user:
            user.delete()

    assert receiver is not None
    ours = [(at, mid) for at, mid in receiver.arrivals if mid in expected]
    if not ours:
        print("Nothing arrived.")
        return 1
    received = len({mid for _, mid in ours})
    first, last = min(at for at, _ in ours), max(at for at, _ in ours)
    result = {
        "count": args.count,
        "received_distinct": received,
        "received_total": len(ours),
        "bad_signatures": receiver.bad,
        "final_states": states,
        "worker_start_to_first_delivery_s": round(first - started, 2),
        "first_to_last_delivery_s": round(last - first, 2),
        "deliveries_per_second": round(received / max(last - first, 1e-9), 1),
        "due_to_last_delivery_per_second": round(
            received / max(last - due_at.timestamp(), 1e-9), 1
        ),
        "last_one_late_by_s": round(last - due_at.timestamp(), 2),
        "worker": pool,
        "database": f"PostgreSQL ({connection.settings_dict['NAME']})",
    }
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    print(f"wrote {write_result('webhook_drain', result, args.json)}")
    return 0 if received == args.count and receiver.bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
