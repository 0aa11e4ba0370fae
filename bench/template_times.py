"""Where a page's template time goes, in-process: milliseconds per request in each
template, on its own (without the templates it includes) and with them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casedesk_gen \\
    .venv/bin/python bench/template_times.py --role manager --label case-busiest /cases/CD-466972/

Each template's render is timed by wrapping Django's `Template._render` (so a template
that includes others is charged for its own nodes only in "own"), over `--count` GETs
after a warm-up, signed in as the first generated user of the role. A template tag that
writes rows in Python counts towards the template that calls it. Timing adds a little to
every render, so read templates against each other and against the same run's total,
and compare checkouts by running this file in each (it uses the code around it).
Writes `bench/results/template-times-<label>-YYYY-MM-DD-HHMM.json`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import RESULTS, bench_environment, calibration_ms, machine  # noqa: E402

bench_environment()


def measure(user, path: str, count: int) -> dict[str, object]:
    from django.template import base
    from django.test import Client

    own: dict[str, float] = defaultdict(float)
    whole: dict[str, float] = defaultdict(float)
    renders: dict[str, int] = defaultdict(int)
    stack: list[float] = []
    original = base.Template._render  # type: ignore[attr-defined]  # not in the stubs

    def timed(self, context):
        name = self.origin.template_name if self.origin else "(from a string)"
        started = time.perf_counter()
        stack.append(0.0)
        try:
            return original(self, context)
        finally:
            spent, children = time.perf_counter() - started, stack.pop()
            own[name] += spent - children
            whole[name] += spent
            renders[name] += 1
            if stack:
                stack[-1] += spent

    client = Client()
    client.force_login(user)
    for _ in range(3):
        client.get(path)
    base.Template._render = timed  # type: ignore[attr-defined]
    try:
        for table in (own, whole, renders):
            table.clear()
        started = time.perf_counter()
        for _ in range(count):
            assert client.get(path).status_code == 200, path
        total = (time.perf_counter() - started) / count * 1000
    finally:
        base.Template._render = original  # type: ignore[attr-defined]
    top = sorted(own, key=lambda name: -own[name])[:15]
    return {
        "request_ms": round(total, 2),
        "templates": [
            {
                "template": name,
                "own_ms": round(own[name] / count * 1000, 2),
                "with_includes_ms": round(whole[name] / count * 1000, 2),
                "renders": renders[name] // count,
            }
            for name in top
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description="Template time per page, in-process.")
    parser.add_argument("path")
    parser.add_argument("--role", default="manager", choices=["staff", "manager", "admin"])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--label", required=True)
    args = parser.parse_args()
    import django

    django.setup()
    from cases.models import User

    user = User.objects.filter(username__startswith="gen-", role=args.role).order_by("id").first()
    if user is None:
        print("No generated users: run manage.py generate_data.")
        return 2
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    now = datetime.now(UTC)
    result = {
        "path": args.path,
        "user": f"{user.username} ({user.role})",
        "requests": args.count,
        "at": f"{now:%Y-%m-%dT%H:%M:%SZ}",
        "commit": commit,
        "machine": machine(),
        "calibration_ms": calibration_ms(),
        **measure(user, args.path, max(1, args.count)),
    }
    out = RESULTS / f"template-times-{args.label}-{now:%Y-%m-%d-%H%M}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
