"""Insights computed afresh, section by section: where a cache miss spends its time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casedesk_gen \\
    .venv/bin/python bench/insights_sections.py [--label after]
    cd /tmp/before && DATABASE_URL=… /path/to/main/.venv/bin/python \\
        /path/to/main/bench/insights_sections.py --code /tmp/before --label before

For the first generated manager (their teams) and the first admin (every team), over the
last 30 and 90 days: each section of `insights_for` run --runs times in-process, its p50
and slowest in ms, its number of queries and its slowest query. `--code` runs another
checkout's insights, on a database at its migrations (for a before and after). Writes
bench/results/insights-sections[-label]-YYYY-MM-DD-HHMM.json.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def section_times(period: Any, runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases import insights

    sections = {
        "exceptions": lambda: insights.exceptions(period),
        "follow_through": lambda: insights.follow_through(period),
        "satisfaction": lambda: insights.satisfaction(period),
        "complaints": lambda: insights.complaints(period),
        "surges": lambda: insights.surges(period.team_ids),
        "cost_to_serve": lambda: insights.cost_to_serve(period),
        "demeanour_outcomes": lambda: insights.demeanour_outcomes(period),
    }
    found: dict[str, Any] = {}
    for name, run in sections.items():
        samples = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                run()
                samples.append((time.perf_counter() - started) * 1000)
        slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]))
        found[name] = {
            "p50_ms": round(statistics.median(samples), 1),
            "max_ms": round(max(samples), 1),
            "queries": len(ctx.captured_queries),
            "slowest_query_ms": round(float(slowest["time"]) * 1000, 1),
            "slowest_query": slowest["sql"][:400],
        }
    found["total_p50_ms"] = round(sum(v["p50_ms"] for v in found.values()), 1)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--code", default=str(ROOT), help="checkout whose insights to time")
    parser.add_argument("--label", default="")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from bench.common import calibration_ms, write_result
    from bench.harness import generated_users  # this checkout's, whatever --code is

    if Path.cwd().resolve() != Path(args.code).resolve():
        # Celery's Django fix-up puts the working directory first on sys.path.
        raise SystemExit(f"Run from the checkout being timed: cd {args.code}")
    sys.path.insert(0, args.code)  # its `cases` shadows ours
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casedesk.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrst")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from cases import insights
    from cases.models import Case

    found = generated_users()
    if found is None:
        raise SystemExit("No generated users: run manage.py generate_data.")
    _staff, manager, admin, _team_id = found
    people = [manager, admin]
    calibration = calibration_ms()
    runs = []
    for person in people:
        team_ids = list(insights.teams_for(person).values_list("id", flat=True))
        for days in (30, 90):
            last = timezone.localdate()
            period = insights.Period.from_dates(last - timedelta(days=days - 1), last, team_ids)
            sections = section_times(period, args.runs)
            print(f"{person.role} ({len(team_ids)} teams), {days} days: "
                  f"{sections['total_p50_ms']} ms")  # fmt: skip
            runs.append({"role": person.role, "teams": len(team_ids), "days": days, **sections})
    report = {
        "code": str(Path(args.code).resolve()),
        "database": connection.settings_dict["NAME"],
        "cases": Case.objects.count(),
        "calibration_ms": calibration,
        "runs_per_section": args.runs,
        "periods": runs,
    }
    suffix = f"-{args.label}" if args.label else ""
    kind = f"insights-sections{suffix}"
    print(write_result(kind, report))


if __name__ == "__main__":
    main()
