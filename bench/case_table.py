"""The case table: one template with a loop against rows written in Python.

    .venv/bin/python bench/case_table.py [--count 300] [--rows 25 60]

Renders the table (as on the case list, customer column shown) for 25 and 60 cases,
`--count` times each after a warm-up, in-process and without the database: the cases are
model instances built in memory with their customer, category, team and assignee
attached, so only rendering is timed. "python" is the `case_table` tag as the pages use
it (cases/templatetags/casedesk.py); "template" is the same table from one template with
a loop and no include per row (bench/case_table.html, same markup). Writes p50/p95 of
wall-clock and CPU time per renderer and size, and the p95 ratios, with a CPU
calibration figure, to bench/results/case_table-<date>.json. The rule (issue 10): keep
Python only if it is more than twice as fast at p95; CPU time decides, because on this
shared machine the wall clock also counts the waits for a core.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import timeit
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casedesk.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/casedesk_bench")

import django  # noqa: E402

django.setup()

from django.template import engines  # noqa: E402

from cases.models import Case, Customer, Priority, Status, Team, User  # noqa: E402
from policies.models import Category  # noqa: E402

PYTHON = engines["django"].from_string("{% load casedesk %}{% case_table cases %}")
LOOP = engines["django"].from_string((ROOT / "bench" / "case_table.html").read_text())


def sample_cases(n: int) -> list[Case]:
    """`n` cases as a page lists them, related rows attached, nothing saved."""
    teams = [Team(pk=i, name=f"Store {i}") for i in range(1, 4)]
    categories = [Category(pk=i, name=f"Category {i}", slug=f"c{i}") for i in range(1, 6)]
    people = [User(pk=i, username=f"u{i}", first_name=f"Pat{i}", last_name="Lee") for i in (1, 2)]
    statuses, priorities = Status.values, Priority.values
    start = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    cases = []
    for i in range(n):
        flags = [["vip"], ["two_staff"], []][i % 3]
        customer = Customer(pk=i + 1, name=f"Customer {i} <&>", flags=flags, team=teams[i % 3])
        case = Case(
            pk=1000 + i,
            subject=f"Case subject number {i} " + "x" * (i % 90),
            status=statuses[i % len(statuses)],
            priority=priorities[i % len(priorities)],
            created_at=start + timedelta(hours=7 * i),
            last_activity_at=start + timedelta(hours=9 * i),
        )
        case.customer, case.team, case.category = customer, teams[i % 3], categories[i % 5]
        case.assignee = people[i % 2] if i % 4 else None
        cases.append(case)
    return cases


def python_table(cases: list[Case]) -> str:
    """The `case_table` tag as the pages use it (rows written in Python)."""
    return PYTHON.render({"cases": cases})


def template_table(cases: list[Case]) -> str:
    """The same table from one template with a loop (bench/case_table.html)."""
    return LOOP.render(
        {
            "cases": cases,
            "hide_customer": False,
            "activity": False,
            "date_label": "Created",
            "empty": "No cases.",
            "columns": 7,
        }
    )


def timings_ms(
    render: Any, cases: list[Case], *, count: int, warm: int
) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU (this thread's) milliseconds per render. On a shared machine
    the wall clock includes waiting for a core; the CPU time is the render's own cost."""
    for _ in range(warm):
        render(cases)
    wall, cpu = [], []
    for _ in range(count):
        began, began_cpu = time.perf_counter(), time.thread_time()
        render(cases)
        wall.append((time.perf_counter() - began) * 1000)
        cpu.append((time.thread_time() - began_cpu) * 1000)
    return wall, cpu


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "p50_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 3),
        "mean_ms": round(statistics.fmean(ordered), 3),
    }


def calibration_ms() -> float:
    """Milliseconds for sum(range(10**6)), best of five: this machine's speed right now."""
    return round(min(timeit.repeat("sum(range(10**6))", number=5, repeat=5)) / 5 * 1000, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description="Case table: template loop vs Python rows.")
    parser.add_argument("--count", type=int, default=300, help="timed renders per size")
    parser.add_argument("--warm", type=int, default=20)
    parser.add_argument("--rows", type=int, nargs="+", default=[25, 60])
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = parser.parse_args()
    count = max(20, min(args.count, 5000))  # bounded
    calibration = calibration_ms()
    sizes = []
    for rows in args.rows:
        cases = sample_cases(rows)
        # Alternate the two so a slower moment of the shared machine hits both alike.
        times: dict[str, dict[str, list[float]]] = {
            name: {"wall": [], "cpu": []} for name in ("python", "template")
        }
        for _ in range(5):
            for name, render in (("python", python_table), ("template", template_table)):
                wall, cpu = timings_ms(render, cases, count=count // 5, warm=args.warm)
                times[name]["wall"] += wall
                times[name]["cpu"] += cpu
        size: dict[str, Any] = {"rows": rows}
        for clock in ("wall", "cpu"):
            python, template = summary(times["python"][clock]), summary(times["template"][clock])
            ratio = round(template["p95_ms"] / python["p95_ms"], 2)
            size[clock] = {"python": python, "template": template, "p95_ratio": ratio}
            print(
                f"{rows} rows, {clock}: python p50 {python['p50_ms']} p95 {python['p95_ms']} ms;"
                f" template p50 {template['p50_ms']} p95 {template['p95_ms']} ms;"
                f" template/python at p95 {ratio}"
            )
        sizes.append(size)
    keep_python = all(size["cpu"]["p95_ratio"] > 2 for size in sizes)
    print(f"calibration {calibration} ms; python more than twice as fast at CPU p95: {keep_python}")
    now = datetime.now(UTC)
    report = {
        "benchmark": "case_table",
        "at": now.isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "django": django.get_version(),
        "calibration_sum_range_1e6_ms": calibration,
        "renders_per_size": count,
        "sizes": sizes,
        "python_more_than_twice_as_fast_at_cpu_p95": keep_python,
    }
    out = Path(args.out) / f"case_table-{now:%Y-%m-%dT%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
