"""Planning against running: what PostgreSQL spends on each query of a page, and what the
pages that keep their joins in written order (cases/selectors/planning.py) gain by it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casedesk_gen CACHE_URL=redis://… \\
    .venv/bin/python bench/planning.py [--requests 150] [--explains 7] [--survey]

For the first generated staff and manager (as bench/harness.py), per page: every SELECT it
runs, with the median planning and execution time of --explains `EXPLAIN ANALYZE`, once
as PostgreSQL plans it by default and once with `join_collapse_limit = 1`. Then the pages
that use `joins_as_written` are served in-process --requests times each way, alternating
(with the block, without it), and their p50/p90 compared: the wall clock on a shared
machine moves, but it moves for both sides alike. Writes
bench/results/planning-YYYY-MM-DD-HHMM.json.

With --survey, only the first part, for every page bench/harness.py measures: where
planning outweighs running, and whether written order would plan it cheaper. Writes
bench/results/planning-survey-YYYY-MM-DD-HHMM.json.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import bench_environment  # noqa: E402

bench_environment()


def timings(sql: str, explains: int, *, written_order: bool) -> tuple[float, float]:
    """Median planning and execution ms of `sql`."""
    from django.db import connection

    planning, execution = [], []
    with connection.cursor() as cursor:
        if written_order:
            cursor.execute("SET join_collapse_limit = 1")
        for _ in range(explains):
            cursor.execute("EXPLAIN (ANALYZE, SUMMARY) " + sql)
            lines = [row[0] for row in cursor.fetchall()]
            planning.append(float(next(x for x in lines if x.startswith("Planning")).split()[2]))
            execution.append(float(next(x for x in lines if x.startswith("Execution")).split()[2]))
        cursor.execute("RESET join_collapse_limit")
    return round(statistics.median(planning), 2), round(statistics.median(execution), 2)


def queries_of(client: Any, path: str, explains: int) -> list[dict[str, Any]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm: the session and badge come from the cache after this
    with CaptureQueriesContext(connection) as ctx:
        # A reference found by search redirects to its case: its queries are the search's.
        assert client.get(path).status_code in (200, 302), path
    found = []
    for query in ctx.captured_queries:
        sql = query["sql"]
        if not sql.lstrip("( ").upper().startswith("SELECT"):
            continue
        default = timings(sql, explains, written_order=False)
        written = timings(sql, explains, written_order=True)
        found.append(
            {
                "sql": sql[:160],
                "default_planning_ms": default[0],
                "default_execution_ms": default[1],
                "written_order_planning_ms": written[0],
                "written_order_execution_ms": written[1],
            }
        )
    return found


def served_both_ways(client: Any, path: str, requests: int) -> dict[str, Any]:
    """p50/p90 ms of `path` with joins_as_written as shipped and with it a no-op."""
    from cases.selectors import approvals, home, planning

    samples: dict[str, list[float]] = {"written_order": [], "default": []}
    for _ in range(requests):
        for side in ("written_order", "default"):
            block = planning.joins_as_written if side == "written_order" else contextlib.nullcontext
            for module in (home, approvals):  # the pages' own reference to the block
                vars(module)["joins_as_written"] = block
            started = time.perf_counter()
            client.get(path)
            samples[side].append((time.perf_counter() - started) * 1000)
    for module in (home, approvals):
        vars(module)["joins_as_written"] = planning.joins_as_written
    return {
        side: {
            "p50_ms": round(statistics.median(s), 2),
            "p90_ms": round(sorted(s)[int(0.9 * len(s))], 2),
        }
        for side, s in samples.items()
    }


def survey(pages: list[tuple[Any, ...]], explains: int) -> None:
    """Planning and running per query of every page, with the page's totals."""
    from django.test import Client

    from bench.common import write_result
    from cases.models import Case

    report: dict[str, Any] = {"cases": Case.objects.count(), "pages": []}
    for key, _label, user, path, _target in pages:
        client = Client()
        client.force_login(user)
        queries = queries_of(client, path, explains)
        report["pages"].append({"key": key, "path": path, "queries": queries})
        total = {
            name: round(sum(q[name] for q in queries), 2)
            for name in (
                "default_planning_ms",
                "default_execution_ms",
                "written_order_planning_ms",
                "written_order_execution_ms",
            )
        }
        print(
            f"{key:20} planning {total['default_planning_ms']:6.2f} "
            f"(written order {total['written_order_planning_ms']:6.2f}), "
            f"running {total['default_execution_ms']:6.2f} "
            f"(written order {total['written_order_execution_ms']:6.2f}) ms, {len(queries)} selects"
        )
    print(f"wrote {write_result('planning-survey', report)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=150)
    parser.add_argument("--explains", type=int, default=7)
    parser.add_argument("--survey", action="store_true", help="every harness page, no serving")
    args = parser.parse_args()
    import django

    django.setup()
    from django.test import Client

    from bench.common import write_result
    from bench.pages import generated_users, pages_to_measure, top_up_pending_requests
    from cases.models import Case
    from cases.selectors import APPROVALS_SHOWN

    found = generated_users()
    if found is None:
        raise SystemExit("No generated users: run manage.py generate_data first.")
    staff, manager, _admin, team_id = found
    top_up_pending_requests(manager, team_id, APPROVALS_SHOWN + 5)  # a full page, as measured
    if args.survey:
        survey(pages_to_measure(staff, manager, found[2], team_id), args.explains)
        return
    pages = [(staff, "/"), (manager, "/"), (manager, "/approvals/")]
    report: dict[str, Any] = {"cases": Case.objects.count(), "pages": []}
    for user, path in pages:
        client = Client()
        client.force_login(user)
        row = {"user": user.role, "path": path, "queries": queries_of(client, path, args.explains)}
        row["served"] = served_both_ways(client, path, args.requests)
        report["pages"].append(row)
        planned = sum(q["default_planning_ms"] for q in row["queries"])
        ran = sum(q["default_execution_ms"] for q in row["queries"])
        print(f"{user.role:8} {path:12} planning {planned:6.2f} ms, running {ran:6.2f} ms")
        for side, figures in row["served"].items():
            print(
                f"    served, {side:14} p50 {figures['p50_ms']:6.2f}  p90 {figures['p90_ms']:6.2f}"
            )
    print(f"wrote {write_result('planning', report)}")


if __name__ == "__main__":
    main()
