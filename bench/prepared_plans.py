"""What keeping the hot queries prepared saves, query by query, in-process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casedesk_gen \\
    .venv/bin/python bench/prepared_plans.py [--count 60] [--json PATH]

For each page whose queries are kept prepared (cases/selectors/prepared.py: the managers'
home, the approvals queue topped up to a full page as bench/harness.py does, a typical and
the busiest case page, the case list, a typical and the busiest customer's profile, as the
harness picks them), loads the page once to capture its EXECUTEs, then runs each one's
query as plain SQL (planned afresh, as before) and as the prepared statement, `--count`
times each on one connection, and takes the medians. Also records which plan PostgreSQL
settled on (generic or custom, from pg_prepared_statements) and checks both ways return
the same rows. The join order setting the pages use is set for the session, as inside
their blocks. Writes `bench/results/prepared-plans-YYYY-MM-DD-HHMM.json`.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import bench_environment  # noqa: E402

bench_environment()


def pages() -> list[tuple[str, Any, str]]:
    from bench.pages import generated_users, pages_to_measure, top_up_pending_requests
    from cases.selectors import APPROVALS_SHOWN

    users = generated_users()
    if users is None:
        raise SystemExit("No generated data: run `manage.py generate_data` first.")
    _, manager, _, team_id = users
    top_up_pending_requests(manager, team_id, APPROVALS_SHOWN + 5)  # a full queue, as there
    wanted = {
        "home_manager",
        "approvals",
        "case_page",
        "case_page_busiest",
        "case_list",
        "customer",
        "customer_busiest",
    }
    return [
        (key, user, path) for key, _, user, path, _ in pages_to_measure(*users) if key in wanted
    ]


def captured(user: Any, path: str) -> list[tuple[str, Any]]:
    """The EXECUTEs of one load of the page, with their values."""
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(user)
    client.get(path)
    found: list[tuple[str, Any]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.startswith("EXECUTE"):
            found.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert client.get(path).status_code == 200, path
    return found


def median_ms(cursor: Any, sql: str, params: Any, count: int) -> tuple[float, list[Any]]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        samples.append(time.perf_counter() - started)
    return round(statistics.median(samples) * 1000, 3), rows


def compare(execute: str, params: Any, count: int) -> dict[str, Any]:
    from django.db import connection

    name = re.match(r"EXECUTE (\w+)", execute).group(1)  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name = %s", [name])
        prepared_sql = cursor.fetchone()[0]
    # The plain query: the statement's text with its $n written as %s, as Django sends it.
    query = re.sub(r"^PREPARE \w+ (\([^)]*\) )?AS ", "", prepared_sql).replace("%", "%%")
    query = re.sub(r"\$(\d+)", lambda m: f"%({int(m.group(1)) - 1})s", query)
    named = {str(i): value for i, value in enumerate(params)}
    plain, prepared = [], []
    with connection.cursor() as cursor:
        cursor.execute("SET join_collapse_limit = 1")
        for _ in range(2):  # a warm round, then the one kept
            plain_ms, plain_rows = median_ms(cursor, query, named, count)
            prepared_ms, prepared_rows = median_ms(cursor, execute, params, count)
        plain.append(plain_ms)
        prepared.append(prepared_ms)
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = %s",
            [name],
        )
        generic, custom = cursor.fetchone()
        cursor.execute("RESET join_collapse_limit")
    return {
        "query": re.sub(r"\s+", " ", query)[:120],
        "plain_ms": plain[0],
        "prepared_ms": prepared[0],
        "same_rows": sorted(map(repr, plain_rows)) == sorted(map(repr, prepared_rows)),
        "rows": len(plain_rows),
        "plans": "generic" if generic > custom else "custom",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--json")
    args = parser.parse_args()
    import django

    django.setup()
    from bench.common import write_result
    from cases.models import Case

    report: dict[str, Any] = {
        "count": args.count,
        "cases": Case.objects.order_by("-pk").values_list("pk", flat=True).first(),
        "pages": [],
    }
    for key, user, path in pages():
        queries = [compare(sql, params, args.count) for sql, params in captured(user, path)]
        page = {
            "key": key,
            "path": path,
            "queries": queries,
            "plain_ms": round(sum(q["plain_ms"] for q in queries), 2),
            "prepared_ms": round(sum(q["prepared_ms"] for q in queries), 2),
        }
        report["pages"].append(page)
        print(key, page["plain_ms"], "->", page["prepared_ms"], "ms")
    print(write_result("prepared-plans", report, args.json))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
