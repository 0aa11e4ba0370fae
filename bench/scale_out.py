"""Two web nodes behind HAProxy, two Celery workers and one beat, on one PostgreSQL and
Redis; one web node and one worker are killed with SIGKILL mid-load and started again.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casedesk_gen \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/12 \\
    .venv/bin/python bench/scale_out.py [--seconds 60] [--clients 6] [--reminders 300]

Needs `haproxy` (Debian package) and a database filled by `generate_data`. A bounded mixed
load (case list, case page, home, and interaction POSTs) runs through HAProxy for
`--seconds`; a third of the way in, web node A's process group and worker 1's are killed
and restarted. Meanwhile `--reminders` reminders come due, sent by whichever worker is
alive into a local SMTP server. Reports failed requests (GETs must be 0: HAProxy retries
them on the other node; a POST in flight may fail only if it carries no Idempotency-Key),
p95 overall and around the kill, and reminders lost (must be 0). Writes dated JSON under
bench/results/. Everything listens on 127.0.0.1 only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import calibration_ms  # noqa: E402
from bench.serving import Client, free_port  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casedesk.settings")

HAPROXY_CFG = """
global
    maxconn 500
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    # A request that found its node dead (refused, or cut off with no response) is sent
    # again, to the other node: safe for GETs, and for POSTs carrying an Idempotency-Key.
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response response-timeout 502 503 504
frontend web
    bind 127.0.0.1:{port}
    http-request disable-l7-retry if METH_POST !{{ req.hdr(Idempotency-Key) -m found }}
    default_backend app
backend app
    balance roundrobin
    option httpchk GET /accounts/login/
    http-check expect status 200
    default-server inter 500ms fall 2 rise 1
    server a 127.0.0.1:{a} check
    server b 127.0.0.1:{b} check
"""


@dataclass
class Sample:
    at: float
    method: str
    status: int  # 0: no response at all
    ms: float


@dataclass
class Fleet:
    """The processes of the scenario, each in its own process group."""

    env: dict[str, str]
    tmp: Path
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, argv: list[str]) -> None:
        log = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        self.procs[name] = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True
        )

    def kill(self, name: str) -> None:
        proc = self.procs[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.kill(name)


def gunicorn(port: int) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "casedesk.wsgi", "-b", f"127.0.0.1:{port}",
            "--workers", "2", "--log-level", "warning"]  # fmt: skip


def worker(name: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "casedesk", "worker", "-n", f"{name}@%h",
            "--concurrency", "1", "--loglevel", "WARNING"]  # fmt: skip


def wait_until(condition: Any, limit: float, what: str) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up after {limit:.0f} s waiting for {what}")
        time.sleep(0.2)


def answers(port: int) -> bool:
    try:
        return Client(port).request("GET", "/accounts/login/")[0] == 200
    except OSError:
        return False


def schedule_reminders(count: int, seconds: float) -> list[int]:
    """Follow-up tasks whose "due soon" reminders come due across the load window."""
    from django.conf import settings
    from django.utils import timezone

    from cases import services
    from cases.models import Case, ReminderKind, Role, User

    staff = User.objects.filter(role=Role.STAFF, username__startswith="gen-").order_by("id")[0]
    cases = list(Case.objects.filter(team__in=staff.teams.all()).order_by("-id")[:count])
    lead = timedelta(minutes=settings.CASEDESK_REMINDER_LEAD_MINUTES)
    now = timezone.now()
    ids = []
    for i, case in enumerate(cases):
        task = services.add_task(
            case, by=staff, title=f"Scale-out check {i}", kind="call_back", assignee=staff,
            due_at=now + lead + timedelta(seconds=5 + (seconds - 10) * i / max(count, 1)),
        )  # fmt: skip
        ids.append(task.reminders.get(kind=ReminderKind.DUE_SOON).pk)
    return ids


class Load:
    def __init__(self, port: int, users: list[str], case_path: str, seconds: float) -> None:
        self.port, self.users, self.case_path, self.seconds = port, users, case_path, seconds
        self.samples: list[Sample] = []
        self.lock = threading.Lock()

    def run(self, index: int, client: Client, started: float) -> None:
        rng = random.Random(index)
        body = {
            **{"channel": "phone", "direction": "inbound", "summary": "Scale-out call"},
            **{"demeanour": "calm", "minutes": "2", "promise": "", "promise_due_at": ""},
        }
        ops = [("GET", "/cases/")] * 8 + [("GET", self.case_path)] * 5 + [("GET", "/")] * 4
        ops += [("POST", f"{self.case_path}interactions/")] * 3
        for _ in range(100_000):  # bounded in count as well as time
            at = time.monotonic() - started
            if at > self.seconds:
                return
            method, path = rng.choice(ops)
            t0 = time.perf_counter()
            try:
                status, _ = client.request(method, path, body if method == "POST" else None)
            except OSError:
                status = 0
            with self.lock:
                self.samples.append(Sample(at, method, status, (time.perf_counter() - t0) * 1000))


def p95(values: list[float]) -> float:
    values = sorted(values)
    return round(values[max(int(round(0.95 * len(values))) - 1, 0)], 1) if values else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--reminders", type=int, default=300)
    parser.add_argument("--kill-at", type=float, default=None, help="default: a third in")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL database filled by generate_data.")
        return 2
    if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"):
        print(
            "Set CELERY_BROKER_URL to a Redis database of its own, e.g. redis://127.0.0.1:6379/12"
        )
        return 2
    if subprocess.run(["which", "haproxy"], capture_output=True).returncode:
        print("Needs haproxy: apt-get install haproxy")
        return 2

    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.core.management import call_command

    from cases.models import Case, Reminder, ReminderState, Role, User

    received: list[str] = []

    class Sink:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            for line in envelope.content.decode("utf-8", "replace").splitlines():
                if line.lower().startswith("message-id:"):
                    received.append(line.split(":", 1)[1].strip())
                    break
            return "250 OK"

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    smtp = Controller(Sink(), hostname="127.0.0.1", port=free_port())
    smtp.start()
    call_command("collectstatic", "--noinput", verbosity=0)
    staff = User.objects.filter(role=Role.STAFF, username__startswith="gen-").order_by("id")[0]
    case = Case.objects.filter(team__in=staff.teams.all()).order_by("-id")[0]
    reminder_ids = schedule_reminders(args.reminders, args.seconds)

    tmp = Path(tempfile.mkdtemp(prefix="casedesk-scale-"))
    env = {**os.environ, "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}", "DEBUG": "0",
           "CASEDESK_SWEEP_SECONDS": "2", "CASEDESK_REMINDER_CLAIM_TIMEOUT_SECONDS": "15",
           "CASEDESK_VAR_DIR": str(tmp)}  # fmt: skip
    fleet = Fleet(env, tmp)
    web_a, web_b, front = free_port(), free_port(), free_port()
    (tmp / "haproxy.cfg").write_text(HAPROXY_CFG.format(port=front, a=web_a, b=web_b))
    report: dict[str, Any] = {"calibration_ms": calibration_ms()}
    try:
        fleet.start("web-a", gunicorn(web_a))
        fleet.start("web-b", gunicorn(web_b))
        fleet.start("worker-1", worker("w1"))
        fleet.start("worker-2", worker("w2"))
        beat = [sys.executable, "-m", "celery", "-A", "casedesk", "beat", "--loglevel", "WARNING",
                "-s", str(tmp / "beat-schedule")]  # fmt: skip
        fleet.start("beat", beat)
        fleet.start("haproxy", ["haproxy", "-db", "-f", str(tmp / "haproxy.cfg")])
        for port in (web_a, web_b, front):
            wait_until(lambda p=port: answers(p), 60, f"127.0.0.1:{port}")

        clients = [Client(front) for _ in range(args.clients)]
        for client in clients:  # sign-ins happen before the timed window
            client.sign_in(staff.username)
        load = Load(front, [staff.username], f"/cases/{case.reference}/", args.seconds)
        kill_at = args.kill_at if args.kill_at is not None else args.seconds / 3
        started = time.monotonic()
        threads = [
            threading.Thread(target=load.run, args=(i, c, started)) for i, c in enumerate(clients)
        ]
        for thread in threads:
            thread.start()
        time.sleep(max(kill_at - (time.monotonic() - started), 0))
        killed_at = time.monotonic() - started
        fleet.kill("web-a")
        fleet.kill("worker-1")
        fleet.start("web-a", gunicorn(web_a))
        fleet.start("worker-1", worker("w1"))
        wait_until(lambda: answers(web_a), 60, "web node A to come back")
        back_at = time.monotonic() - started
        for thread in threads:
            thread.join(timeout=args.seconds + 60)

        def settled() -> bool:
            waiting = Reminder.objects.filter(
                pk__in=reminder_ids, state__in=[ReminderState.PENDING, ReminderState.SENDING]
            )
            return not waiting.exists()

        wait_until(settled, 180, "every scheduled reminder to be sent")
        rows = Reminder.objects.filter(pk__in=reminder_ids)
        expected = {r.message_id for r in rows}
        delivered = [m for m in received if m in expected]
        samples = load.samples
        window = [s.ms for s in samples if killed_at <= s.at <= back_at + 5]
        report.update(
            {
                "date": time.strftime("%Y-%m-%d %H:%M"),
                "seconds": args.seconds,
                "clients": args.clients,
                "killed_at_s": round(killed_at, 1),
                "node_back_after_s": round(back_at - killed_at, 1),
                "requests": len(samples),
                "requests_per_s": round(len(samples) / args.seconds, 1),
                "failed_get": sum(s.method == "GET" and not 200 <= s.status < 400 for s in samples),
                "failed_post": sum(
                    s.method == "POST" and not 200 <= s.status < 400 for s in samples
                ),
                "p95_ms": p95([s.ms for s in samples]),
                "p95_ms_during_kill": p95(window),
                "reminders_scheduled": len(reminder_ids),
                "reminders_sent": rows.filter(state=ReminderState.SENT).count(),
                "reminders_failed": rows.filter(state=ReminderState.FAILED).count(),
                "reminders_lost": len(expected - set(delivered)),
                "reminder_duplicates": len(delivered) - len(set(delivered)),
            }
        )
    finally:
        fleet.stop_all()
        smtp.stop()
    print(json.dumps(report, indent=2))
    out = ROOT / "bench" / "results" / f"scale-out-{time.strftime('%Y-%m-%d-%H%M')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {out.relative_to(ROOT)}")
    return 0 if report["failed_get"] == 0 and report["reminders_lost"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
