"""Measure the API on a generated database: the case list (first page and a deep cursor)
and logging an interaction, each as a till would call it, with a personal API token.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casedesk_gen \\
    .venv/bin/python bench/api.py [--count 50]

Serves the app with gunicorn (2 workers, 127.0.0.1 only) and takes p50/p95 over warm
sequential keep-alive requests. Tokens are made for generated users (`gen-…`) and revoked
at the end; the POSTs add interactions to one case (each with its own Idempotency-Key,
as a till sends them). Throttles are opened wide for the run. Every loop is bounded in
count and time; nothing leaves 127.0.0.1. Writes bench/results/api.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import bench_environment  # noqa: E402

bench_environment()
# The bench is one address and one token sending thousands of requests.
os.environ.setdefault("CASEDESK_API_RATE_TOKEN", "1000000/min")
os.environ.setdefault("CASEDESK_API_RATE_ADDRESS", "1000000/min")
DEEP = 10_000  # rows before the deep cursor


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(port: int, token: str, method: str, path: str, body_for, *, count: int, warm: int):
    """(p50 ms, p95 ms, statuses) over `count` requests after `warm` unmeasured ones."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Host": "127.0.0.1"}
    times, statuses = [], set()
    for i in range(warm + count):
        extra, data = {}, None
        if body_for is not None:
            data = json.dumps(body_for(i))
            extra = {"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex}
        started = time.perf_counter()
        conn.request(method, path, body=data, headers={**headers, **extra})
        response = conn.getresponse()
        response.read()
        elapsed = (time.perf_counter() - started) * 1000
        statuses.add(response.status)
        if i >= warm:
            times.append(elapsed)
    conn.close()
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return round(statistics.median(times), 1), round(p95, 1), sorted(statuses)


def main() -> int:
    parser = argparse.ArgumentParser(description="Measure CaseDesk's API.")
    parser.add_argument("--count", type=int, default=50, help="timed requests per endpoint")
    parser.add_argument("--warm", type=int, default=5)
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "api.json"))
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Set DATABASE_URL to the PostgreSQL database filled by generate_data.")
        return 2

    import django

    django.setup()
    from api import tokens
    from api.pagination import KeysetPagination
    from cases.models import Case, Role, User

    staff = User.objects.filter(role=Role.STAFF, username__startswith="gen-").order_by("id").first()
    manager = (
        User.objects.filter(role=Role.MANAGER, username__startswith="gen-").order_by("id").first()
    )
    if not (staff and manager):
        print("No generated users: run manage.py generate_data first.")
        return 2
    visible = Case.objects.visible_to(manager).order_by("-created_at", "-id")
    deep = visible.values_list("created_at", "id")[DEEP : DEEP + 1].first()
    case = Case.objects.visible_to(staff).filter(status="open").order_by("-id").first()
    if deep is None or case is None:
        print(f"Needs more than {DEEP} cases visible to {manager} and an open case.")
        return 2
    cursor = KeysetPagination._encode(*deep)
    made = [tokens.create_token(user=user, name="bench/api.py") for user in (staff, manager)]
    staff_token, manager_token = (new.secret for new in made)

    from bench.harness import calibration_ms

    calibration = calibration_ms()
    print(f"calibration: sum(range(10**6)) takes {calibration} ms on this machine now")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "casedesk.wsgi", "-b", f"127.0.0.1:{port}"]
        + ["--workers", "2", "--log-level", "warning"],
        cwd=ROOT,
        env=dict(os.environ),
    )
    interaction = {
        "channel": "phone",
        "direction": "inbound",
        "demeanour": "calm",
        "minutes": 3,
    }
    runs = [
        ("GET /api/v1/cases/ (staff, first page)", staff_token, "GET", "/api/v1/cases/", None),
        ("GET /api/v1/cases/ (manager, first page)", manager_token, "GET", "/api/v1/cases/", None),
        (
            f"GET /api/v1/cases/ (manager, cursor after {DEEP:,} rows)",
            manager_token,
            "GET",
            f"/api/v1/cases/?cursor={cursor}",
            None,
        ),
        (
            "GET /api/v1/cases/?o=-priority (manager)",
            manager_token,
            "GET",
            "/api/v1/cases/?o=-priority",
            None,
        ),
        (
            "POST interaction (with Idempotency-Key)",
            staff_token,
            "POST",
            f"/api/v1/cases/{case.reference}/interactions/",
            lambda i: {**interaction, "summary": f"bench call {i}"},
        ),
    ]
    results = []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        for label, token, method, path, body in runs:
            p50, p95, statuses = timed(
                port, token, method, path, body, count=args.count, warm=args.warm
            )
            results.append({"endpoint": label, "p50_ms": p50, "p95_ms": p95, "status": statuses})
            print(f"{label:60} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   {statuses}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        for new in made:
            tokens.revoke_token(user=new.token.user, token_id=new.token.pk)
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"calibration_ms": calibration, "results": results}, indent=2))
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
