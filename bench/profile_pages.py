"""Where a page's time goes, in-process: a CPU profile and its queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casedesk_gen \\
    CACHE_URL=redis://127.0.0.1:6379/N \\
    .venv/bin/python bench/profile_pages.py --role manager / /search/?q=refund

Wall-clock timings on a shared machine are noisy; a profile of many requests in one
process is not (the share of each part stays put when the machine is busy). For each path:
signs in as the first generated user of the role (a real session row, read each request
as in production), warms up, then runs `--count` GETs under pyinstrument and writes the
text profile and every query of one request (with its time) to
`bench/results/profile-<label>-YYYY-MM-DD-HHMM.txt`. Read-only: GETs only.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import RESULTS, bench_environment, calibration_ms  # noqa: E402

bench_environment()


def label_for(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


def profile(user, path: str, *, count: int, label: str | None) -> Path:
    from django.db import connection
    from django.test import Client
    from pyinstrument import Profiler

    client = Client()
    client.force_login(user)
    for _ in range(3):
        client.get(path)
    captured: list[dict[str, str]] = []

    def record(execute, sql, params, many, context):
        # An execute wrapper, not CaptureQueriesContext: the request_started signal resets
        # the query log in the middle of the capture.
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            captured.append({"sql": sql, "time": f"{time.perf_counter() - started:.4f}"})

    with connection.execute_wrapper(record):
        status = client.get(path).status_code
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(count):
        client.get(path)
    profiler.stop()
    now = datetime.now(UTC)
    out = RESULTS / f"profile-{label or label_for(path)}-{now:%Y-%m-%d-%H%M}.txt"
    lines = [
        f"GET {path} as {user.username} ({user.role}), status {status}",
        f"{count} requests in one process, {now:%Y-%m-%dT%H:%M:%SZ}, "
        f"calibration {calibration_ms()} ms, CACHE_URL={os.environ.get('CACHE_URL', '')}",
        f"queries per request: {len(captured)}",
    ]
    for query in captured:
        lines.append(f"  {query['time']}s  {query['sql'][:300]}")
    lines.append("")
    lines.append(profiler.output_text(unicode=False, color=False, show_all=False))
    out.write_text("\n".join(lines))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description="Profile CaseDesk pages in-process.")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--role", default="manager", choices=["staff", "manager", "admin"])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--label", help="file label (one path only)")
    args = parser.parse_args()
    import django

    django.setup()
    from django.core.management import call_command

    from cases.models import User

    call_command("collectstatic", "--noinput", verbosity=0)

    user = User.objects.filter(username__startswith="gen-", role=args.role).order_by("id").first()
    if user is None:
        print("No generated users: run manage.py generate_data.")
        return 2
    for path in args.paths:
        print(profile(user, path, count=max(1, min(args.count, 5000)), label=args.label))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
