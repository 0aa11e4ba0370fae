"""How much of each signed-in page is Django making SQL, in-process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casedesk_gen \\
    .venv/bin/python bench/compile_share.py [--count 60] [--json PATH]

For each main page (as bench/harness.py picks them: the generated manager of the first
team, that team's first staff member, a case of that team and its customer), signs in,
warms up, then times `--count` GETs through Django's test client, adding up the time
spent in SQLCompiler.as_sql (the outermost call: making a query's SQL, subqueries and
union branches included) and the time spent executing queries (the database's work and
the round trip). What is left is Python: middleware, the ORM making objects, templates.
Writes `bench/results/compile-share-YYYY-MM-DD-HHMM.json`. Run it from the checkout to
measure (copy it into an older checkout to measure that one).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import bench_environment  # noqa: E402

bench_environment()


class Clock:
    """Time inside SQLCompiler.as_sql (outermost calls only) and inside query execution."""

    def __init__(self) -> None:
        from django.db.models.sql.compiler import SQLCompiler

        self.compile = 0.0
        self.execute = 0.0
        self._depth = 0
        original = SQLCompiler.as_sql
        clock = self

        def as_sql(compiler: Any, *args: Any, **kwargs: Any) -> Any:
            clock._depth += 1
            started = time.perf_counter()
            try:
                return original(compiler, *args, **kwargs)
            finally:
                clock._depth -= 1
                if clock._depth == 0:
                    clock.compile += time.perf_counter() - started

        SQLCompiler.as_sql = as_sql  # type: ignore[method-assign,assignment]

    def wrapper(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.execute += time.perf_counter() - started


def pages() -> list[tuple[str, Any, str]]:
    from cases.models import Case, Role, User

    manager = User.objects.filter(role=Role.MANAGER, username__startswith="gen-").order_by("pk")[0]
    team = manager.team_ids()[0]
    staff = User.objects.filter(role=Role.STAFF, teams=team).order_by("pk").first()
    case = Case.objects.filter(team_id=team).order_by("-pk")[100]
    return [
        ("home_staff", staff, "/"),
        ("home_manager", manager, "/"),
        ("approvals", manager, "/approvals/"),
        ("case_list", staff, "/cases/"),
        ("case_page", manager, f"/cases/{case.reference}/"),
        ("customer_typical", manager, f"/customers/{case.customer_id}/"),
        ("my_tasks", staff, "/tasks/"),
        ("policies", staff, "/policies/"),
    ]


def measure(count: int) -> list[dict[str, Any]]:
    from django.db import connection
    from django.test import Client

    clock = Clock()
    rows = []
    for key, user, path in pages():
        client = Client()
        client.force_login(user)
        for _ in range(5):
            client.get(path)
        clock.compile = clock.execute = 0.0
        samples = []
        with connection.execute_wrapper(clock.wrapper):
            for _ in range(count):
                started = time.perf_counter()
                status = client.get(path).status_code
                samples.append(time.perf_counter() - started)
        rows.append(
            {
                "key": key,
                "path": path,
                "status": status,
                "p50_ms": round(statistics.median(samples) * 1000, 2),
                "compile_ms": round(clock.compile / count * 1000, 2),
                "execute_ms": round(clock.execute / count * 1000, 2),
            }
        )
        print(rows[-1])
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--json")
    parser.add_argument("--label", default="", help="what is measured, e.g. a commit")
    args = parser.parse_args()
    import django

    django.setup()
    from bench.common import write_result
    from cases.models import Case

    report = {
        "label": args.label,
        "count": args.count,
        "cases": Case.objects.order_by("-pk").values_list("pk", flat=True).first(),
        "pages": measure(args.count),
    }
    print(write_result("compile-share", report, args.json))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
