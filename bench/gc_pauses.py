"""Full garbage collections in a warm web worker, with and without casedesk/gc_freeze.py.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casedesk_gen \\
    .venv/bin/python bench/gc_pauses.py --seconds 90        # then --without-freeze

Serves the app with one gunicorn worker (bench/gc_wsgi.py logs each full collection's
duration), signs in as the first generated manager and, for `--seconds`, loads the
managers' home, the busiest case page and the 172-case profile in turn. Writes each full
collection's milliseconds and the home's request times (after the first 60 requests) to
`bench/results/gc-pauses-{freeze,no-freeze}-YYYY-MM-DD-HHMM.json`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import RESULTS, bench_environment, write_result  # noqa: E402

bench_environment()
from bench.serving import Client, free_port  # noqa: E402

WARM = 60


def serve(freeze: bool, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "BENCH_GC_FREEZE": "1" if freeze else "0", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "gunicorn", "bench.gc_wsgi:application"]
    command += ["-b", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=log.open("w"))
    time.sleep(3)
    return server, port


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=90)
    parser.add_argument("--without-freeze", action="store_true")
    args = parser.parse_args()
    import django

    django.setup()
    from django.db.models import Count

    from cases.models import Case, Customer, User

    manager = User.objects.filter(username__startswith="gen-", role="manager").order_by("id")[0]
    team = manager.team_ids()[0]
    cases = Case.objects.filter(team_id=team)
    busiest = cases.annotate(n=Count("interactions")).order_by("-n")[0]
    customer = Customer.objects.filter(team_id=team).order_by("id")[0]
    paths = ["/", busiest.get_absolute_url(), f"/customers/{customer.pk}/"]
    log = RESULTS / "gc-pauses-server.log"
    server, port = serve(not args.without_freeze, log)
    home: list[float] = []
    try:
        client = Client(port)
        client.sign_in(manager.username)
        stop = time.monotonic() + args.seconds
        while time.monotonic() < stop:
            for path in paths:
                started = time.perf_counter()
                status, _ = client.request("GET", path)
                assert status == 200, (path, status)
                if path == "/":
                    home.append((time.perf_counter() - started) * 1000)
    finally:
        server.terminate()
        server.wait(timeout=30)
    pauses = [
        float(line.split()[1]) for line in log.read_text().splitlines() if line.startswith("GEN2")
    ]
    log.unlink()
    timed = sorted(home[WARM // len(paths) :])
    report = {
        "freeze": not args.without_freeze,
        "seconds": args.seconds,
        "paths": paths,
        "full_collections_ms": pauses,
        "home_requests": len(timed),
        "home_p50_ms": round(timed[len(timed) // 2], 1),
        "home_p99_ms": round(timed[int(len(timed) * 0.99)], 1),
        "home_max_ms": round(timed[-1], 1),
    }
    kind = "gc-pauses-freeze" if report["freeze"] else "gc-pauses-no-freeze"
    print(write_result(kind, report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
