"""Measure every main page of CaseDesk on a generated database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casedesk_gen \\
    .venv/bin/python bench/harness.py

Serves the app with gunicorn (2 workers, 127.0.0.1 only), signs in as staff, manager and
admin (users made by `generate_data`, password "casedesk-bench"), and for each page takes
p50/p95 over warm sequential requests, its query count (Django's test client in-process,
same database), and whether any of its queries scans cases or interactions sequentially.

The floor is a signed-in request for a page that does not exist: a 404 that runs all the
middleware, loads the session and user and renders the base template, and does nothing
else. Every page's p95 is also given as a multiple of the floor's. Insights are measured
twice: through the page (shared for a minute, so mostly the cache) and computed afresh
in-process with the cache bypassed (what the first request of each minute pays). Then a
bounded concurrent load on the case list, its clients signed in before the window opens.

Prints a table and writes `bench/results/pages-YYYY-MM-DD-HHMM.json` (with the date, the
machine, the calibration and the number of cases); `bench/readme_tables.py` turns the
committed files into the README's table. Every loop is bounded in count and time;
nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import bench_environment  # noqa: E402

bench_environment()
# Every sign-in is logged (axes, at INFO): a line each, in between the figures. Errors
# still show. Django's 404 warnings do not follow LOG_LEVEL (its loggers set their own
# level), so the floor's requests still print one each.
os.environ.setdefault("LOG_LEVEL", "ERROR")
from bench.common import calibration_ms, commit_of, percentiles, write_result  # noqa: E402

# What is measured lives in bench/pages.py. Scripts that measure other checkouts
# (bench/python_calls.py, insights_sections.py) import these names from bench.harness,
# where older checkouts have them too: keep them importable from here.
from bench.pages import (  # noqa: E402
    FLOOR_PAGE,
    FLOOR_PATH,
    INTERACTION_POST,
    decide_body,
    generated_users,
    pages_to_measure,
    top_up_pending_requests,
    typeahead_pages,
)
from bench.serving import Client, children, load, start_server, timed  # noqa: E402

SEQ_SCAN = re.compile(r"Seq Scan on (cases_case|cases_interaction)\b")


def queries_and_scans(user, method: str, path: str, body: dict[str, str] | None):
    """Query count of one request through Django's test client, and any sequential scan of
    cases or interactions in the plans of its SELECTs (EXPLAIN ANALYZE)."""
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    client = DjangoClient()
    client.force_login(user)
    client.get(path) if method == "GET" else None  # warm caches like the timed run
    with CaptureQueriesContext(connection) as ctx:
        if method == "GET":
            client.get(path)
        else:
            client.post(path, body or {})
    scans = set()
    with connection.cursor() as cursor:
        for query in ctx.captured_queries:
            sql = query["sql"]
            # A prepared statement's EXECUTE (cases/selectors/prepared.py) explains as the
            # plan it runs with.
            if not sql.lstrip("( ").upper().startswith(("SELECT", "EXECUTE")):
                continue
            cursor.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            scans.update(SEQ_SCAN.findall(plan))
    return len(ctx.captured_queries), sorted(scans)


def insights_afresh(manager, *, days: int, count: int) -> dict[str, object]:
    """The insights for `manager`'s teams over the last `days`, computed `count` times
    in-process as a cache miss computes them (on the replica when there is a fresh one),
    with the cache bypassed: p50 and the slowest in ms."""
    from cases import insights
    from cases.forms import InsightsForm
    from cases.insights.report import insights_from_replica

    form = InsightsForm({"period": str(days)}, teams=list(insights.teams_for(manager)))
    first, last = form.dates()
    period = insights.Period.from_dates(first, last, form.team_ids())
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        insights_from_replica(period)
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "page": f"insights {days} days, computed afresh (cache bypassed, in-process)",
        "key": f"insights_{days}_afresh",
        "p50_ms": round(statistics.median(samples), 1),
        "max_ms": round(max(samples), 1),
        "runs": count,
        "target_p95_ms": 300,  # issue 17: insights computed afresh
    }


def measure_pages(clients, pages, *, staff, count: int, warm: int) -> tuple[dict, list[dict]]:
    """The floor first (as staff, whichever pages `--only` kept), then every page with its
    p95 as a multiple of the floor's."""
    p50, p95, statuses = timed(clients[staff.pk], "GET", FLOOR_PATH, count=count, warm=warm)
    floor = {
        "key": "floor",
        "page": FLOOR_PAGE,
        "p50_ms": p50,
        "p95_ms": p95,
        "statuses": statuses,
    }
    print(f"{floor['page']:<50} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms", flush=True)
    results = []
    for key, name, user, path, target in pages:
        p50, p95, statuses = timed(clients[user.pk], "GET", path, count=count, warm=warm)
        queries, scans = queries_and_scans(user, "GET", path, None)
        times = round(p95 / floor["p95_ms"], 1) if floor["p95_ms"] else None
        results.append(
            {
                "key": key,
                "page": name,
                "p50_ms": p50,
                "p95_ms": p95,
                "p95_x_floor": times,
                "queries": queries,
                "seq_scans": scans,
                "statuses": statuses,
                "target_p95_ms": target,
            }
        )
        print(
            f"{name:<50} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  ×{times}  {queries:3d} queries",
            "seq scan: " + ", ".join(scans) if scans else "",
            flush=True,
        )
    return floor, results


def measure_posts(client, manager, team_id: int, typical_ref: str, *, count: int, warm: int):
    """Log an interaction on the typical case; decide pending exception requests."""
    from cases.models import ExceptionRequest

    url = f"/cases/{typical_ref}/interactions/"
    p50, p95, statuses = timed(
        client, "POST", url, lambda i: INTERACTION_POST, count=count, warm=warm
    )
    results = [
        {
            "key": "post_interaction",
            "page": "POST log interaction",
            "p50_ms": p50,
            "p95_ms": p95,
            "statuses": statuses,
            "target_p95_ms": None,
        }
    ]
    print(f"{'POST log interaction':<50} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms", flush=True)
    wanted = count + warm
    top_up_pending_requests(manager, team_id, wanted)
    pending = list(
        ExceptionRequest.objects.decidable_by(manager)
        .order_by("id")
        .values_list("id", flat=True)[:wanted]
    )
    if len(pending) < wanted:
        print(f"POST decide exception: {len(pending)} pending for the manager; skipped")
        return results
    samples = []
    for i, pk in enumerate(pending):
        body = decide_body(pk)
        started = time.perf_counter()
        client.request("POST", f"/requests/{pk}/decide/", body)
        if i >= warm:
            samples.append((time.perf_counter() - started) * 1000)
    p50, p95 = percentiles(samples)
    results.append(
        {
            "key": "post_decide",
            "page": "POST decide exception",
            "p50_ms": p50,
            "p95_ms": p95,
            "target_p95_ms": None,
        }
    )
    print(f"{'POST decide exception':<50} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms", flush=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description="Measure CaseDesk's pages.")
    parser.add_argument("--count", type=int, default=50, help="timed requests per page")
    parser.add_argument("--warm", type=int, default=5)
    parser.add_argument("--load-seconds", type=float, default=10.0)
    parser.add_argument("--insights-runs", type=int, default=5, help="afresh, per period")
    parser.add_argument("--json", help="default: bench/results/pages-YYYY-MM-DD-HHMM.json")
    parser.add_argument(
        "--only",
        help="comma-separated page keys (e.g. typeahead_name,home_manager), plus 'posts', "
        "'load' and 'afresh' for those parts: a quick before/after of a few pages (the "
        "floor is always measured). Default: everything",
    )
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    if only is not None and not args.json:
        # A partial run is a working comparison, not a result for the README's tables.
        args.json = os.path.join(tempfile.gettempdir(), f"pages-only-{os.getpid()}.json")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Set DATABASE_URL to the PostgreSQL database filled by generate_data.")
        return 2

    import django

    django.setup()
    from django.core.management import call_command

    from cases.models import Case

    call_command("collectstatic", "--noinput", verbosity=0)
    found = generated_users()
    if found is None:
        print("No generated users (or the manager has no team): run manage.py generate_data.")
        return 2
    staff, manager, admin, team_id = found
    # The approvals page is measured full (a page of requests, more waiting) in every
    # run: how many wait depends on the runs before, and it used to swing p95 15-60 ms.
    from cases.selectors import APPROVALS_SHOWN

    top_up_pending_requests(manager, team_id, APPROVALS_SHOWN + 5)
    pages = pages_to_measure(staff, manager, admin, team_id) + typeahead_pages(staff)
    typical_ref = pages[8][3].split("/")[2]
    if only is not None:
        pages = [page for page in pages if page[0] in only]

    calibration = calibration_ms()
    print(f"calibration: sum(range(10**6)) takes {calibration} ms on this machine now")
    server, port = start_server()
    try:
        clients = {}
        for user in (staff, manager, admin):
            clients[user.pk] = Client(port)
            clients[user.pk].sign_in(user.username)
        floor, results = measure_pages(
            clients, pages, staff=staff, count=args.count, warm=args.warm
        )
        if only is None or "posts" in only:
            results += measure_posts(
                clients[manager.pk], manager, team_id, typical_ref, count=args.count, warm=args.warm
            )
        rps = cpu_ms = None
        if only is None or "load" in only:
            rps, cpu_ms = load(
                port,
                manager.username,
                "/cases/",
                clients=4,
                seconds=args.load_seconds,
                server_pids=children(server.pid),
            )
            print(
                f"case list, 4 concurrent clients, {args.load_seconds:.0f} s: {rps} requests/s "
                f"({cpu_ms} ms of web workers' CPU per request)"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    afresh = []
    if only is None or "afresh" in only:
        afresh = [insights_afresh(manager, days=d, count=args.insights_runs) for d in (30, 90)]
    for row in afresh:
        print(f"{row['page']:<50} p50 {row['p50_ms']:7.1f} ms  max {row['max_ms']:7.1f} ms")

    report = {
        # Which code ran (short hash; "+" when the checkout had uncommitted changes).
        "commit": commit_of(),
        "cases": Case.objects.count(),
        "calibration_ms": calibration,
        "requests_per_page": args.count,
        "cache": os.environ.get("CACHE_URL", "locmem:").split("://")[0],
        "floor": floor,
        "pages": results,
        "insights_afresh": afresh,
        "load": {"clients": 4, "seconds": args.load_seconds, "page": "case list"},
        "case_list_rps_4_clients": rps,
        "case_list_worker_cpu_ms_per_request": cpu_ms,
    }
    print(f"wrote {write_result('pages', report, args.json)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
