"""Measure every main page of CaseDesk on a generated database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casedesk_gen \\
    .venv/bin/python bench/harness.py

Serves the app with gunicorn (2 workers, 127.0.0.1 only), signs in as staff, manager and
admin (users made by `generate_data`, password "casedesk-bench"), and for each page takes
p50/p95 over warm sequential requests, its query count (Django's test client in-process,
same database), and whether any of its queries scans cases or interactions sequentially.
Then a bounded concurrent load on the case list. Prints a table and writes JSON.
Every loop is bounded in count and time; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casedesk.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("HTTPS", "0")
PASSWORD = "casedesk-bench"
SEQ_SCAN = re.compile(r"Seq Scan on (cases_case|cases_interaction)\b")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """A keep-alive HTTP client with a session cookie, for one user."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def _headers(self) -> dict[str, str]:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {"Cookie": cookie, "Host": "127.0.0.1"} if cookie else {"Host": "127.0.0.1"}

    def request(
        self, method: str, path: str, body: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        headers = self._headers()
        data = None
        if body is not None:
            body = {**body, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
        payload = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, payload

    def sign_in(self, username: str) -> None:
        self.request("GET", "/accounts/login/")
        status, _ = self.request(
            "POST", "/accounts/login/", {"username": username, "password": PASSWORD}
        )
        if status != 302:
            raise SystemExit(f"Could not sign in as {username} (status {status}).")


def timed(client: Client, method: str, path: str, body_for=None, *, count: int, warm: int):
    """p50 and p95 in ms over `count` sequential requests after `warm` warm-ups."""
    samples = []
    statuses = set()
    for i in range(warm + count):
        body = body_for(i) if body_for else None
        started = time.perf_counter()
        status, _ = client.request(method, path, body)
        elapsed = (time.perf_counter() - started) * 1000
        statuses.add(status)
        if i >= warm:
            samples.append(elapsed)
    samples.sort()
    p95 = samples[max(int(round(0.95 * len(samples))) - 1, 0)]
    return round(statistics.median(samples), 1), round(p95, 1), sorted(statuses)


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
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            scans.update(SEQ_SCAN.findall(plan))
    return len(ctx.captured_queries), sorted(scans)


def load(port: int, username: str, path: str, *, clients: int, seconds: float) -> float:
    """Requests per second with `clients` concurrent keep-alive clients for `seconds`."""
    done = [0] * clients
    stop = time.monotonic() + seconds

    def run(index: int) -> None:
        client = Client(port)
        client.sign_in(username)
        while time.monotonic() < stop:
            status, _ = client.request("GET", path)
            if status == 200:
                done[index] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    return round(sum(done) / (time.monotonic() - started), 1)


def top_up_pending_requests(manager, team_id: int, wanted: int) -> None:
    """The generator leaves few requests pending per manager: ask for more, off-policy and
    above staff's discretion, on the team's open cases, through the service."""
    from decimal import Decimal

    from cases import services
    from cases.models import Case, ExceptionRequest, Role, User

    have = ExceptionRequest.objects.decidable_by(manager).count()
    if have >= wanted:
        return
    asker = User.objects.filter(role=Role.STAFF, teams=team_id).order_by("id").first()
    if asker is None:
        return
    cases = Case.objects.filter(team_id=team_id, status="open").order_by("-id")[: wanted - have]
    for case in cases:
        services.request_exception(  # off-policy: always a manager's decision
            case,
            by=asker,
            allowed=None,
            value=Decimal("75.00"),
            customer_ask="Benchmark: a goodwill credit",
            justification="Benchmark request",
        )


def calibration_ms() -> float:
    """Milliseconds for a fixed pure-Python loop, best of five: this machine's speed at the
    time of the run. Shared virtual machines vary by half from hour to hour; read a run's
    figures against this one."""
    import timeit

    return round(min(timeit.repeat("sum(range(10**6))", number=5, repeat=5)) / 5 * 1000, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description="Measure CaseDesk's pages.")
    parser.add_argument("--count", type=int, default=50, help="timed requests per page")
    parser.add_argument("--warm", type=int, default=5)
    parser.add_argument("--load-seconds", type=float, default=10.0)
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "pages.json"))
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Set DATABASE_URL to the PostgreSQL database filled by generate_data.")
        return 2

    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count

    from cases.models import Case, Customer, ExceptionRequest, Role, User

    call_command("collectstatic", "--noinput", verbosity=0)
    staff = User.objects.filter(role=Role.STAFF, username__startswith="gen-").order_by("id").first()
    manager = (
        User.objects.filter(role=Role.MANAGER, username__startswith="gen-").order_by("id").first()
    )
    admin = User.objects.filter(role=Role.ADMIN, username__startswith="gen-").order_by("id").first()
    if not (staff and manager and admin):
        print("No generated users: run manage.py generate_data first.")
        return 2
    team_id = manager.teams.values_list("id", flat=True).first()
    if team_id is None:
        print("The generated manager has no team: run manage.py generate_data again.")
        return 2
    typical = Case.objects.filter(team_id=team_id).order_by("-id").values_list("id", flat=True)[100]
    busiest = (
        Case.objects.filter(team_id=team_id)
        .annotate(n=Count("interactions"))
        .order_by("-n")
        .values_list("id", "n")
        .first()
    )
    customer = Customer.objects.filter(team_id=team_id).order_by("id").first()
    # A typical customer too (three or so cases), besides the team's first, a demanding one.
    typical_customer = (
        Customer.objects.filter(team_id=team_id)
        .annotate(n=Count("cases"))
        .filter(n=3)
        .order_by("id")
        .first()
    )
    if busiest is None or customer is None or typical_customer is None:
        print("Too few generated cases or customers on the manager's team.")
        return 2
    ref = lambda pk: f"CD-{pk:06d}"  # noqa: E731
    pages = [
        ("home (staff)", staff, "GET", "/"),
        ("home (manager: three case tables, tasks, surges)", manager, "GET", "/"),
        ("case list", staff, "GET", "/cases/"),
        ("case list: open", manager, "GET", "/cases/?status=open"),
        ("case list: team", manager, "GET", f"/cases/?team={team_id}"),
        ("case list: by priority", manager, "GET", "/cases/?o=-priority"),
        ("case list: deep page", manager, "GET", "/cases/?page=400"),
        ("case list: admin", admin, "GET", "/cases/"),
        ("case page (typical)", manager, "GET", f"/cases/{ref(typical)}/"),
        (f"case page ({busiest[1]} interactions)", manager, "GET", f"/cases/{ref(busiest[0])}/"),
        ("customer profile (typical)", manager, "GET", f"/customers/{typical_customer.pk}/"),
        (
            f"customer profile ({customer.cases.count()} cases)",
            manager,
            "GET",
            f"/customers/{customer.pk}/",
        ),
        ("search: common word", manager, "GET", "/search/?q=refund"),
        ("search: rare word", manager, "GET", "/search/?q=zeppelin"),
        ("search: reference", manager, "GET", f"/search/?q={ref(typical)}"),
        ("search: email", manager, "GET", f"/search/?q={customer.email}"),
        ("search: phone", manager, "GET", f"/search/?q={urllib.parse.quote(customer.phone)}"),
        ("approvals", manager, "GET", "/approvals/"),
        ("my tasks", staff, "GET", "/tasks/"),
        ("policy library", staff, "GET", "/policies/"),
        ("insights 30 days", manager, "GET", "/insights/?period=30"),
        ("insights 90 days", manager, "GET", "/insights/?period=90"),
    ]

    calibration = calibration_ms()
    print(f"calibration: sum(range(10**6)) takes {calibration} ms on this machine now")
    port = free_port()
    env = dict(os.environ)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "casedesk.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        clients = {}
        for user in (staff, manager, admin):
            clients[user.pk] = Client(port)
            clients[user.pk].sign_in(user.username)

        results = []
        for name, user, method, path in pages:
            p50, p95, statuses = timed(
                clients[user.pk], method, path, count=args.count, warm=args.warm
            )
            queries, scans = queries_and_scans(user, method, path, None)
            results.append(
                {
                    "page": name,
                    "p50_ms": p50,
                    "p95_ms": p95,
                    "queries": queries,
                    "seq_scans": scans,
                    "statuses": statuses,
                }
            )
            print(
                f"{name:<50} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {queries:3d} queries",
                "seq scan: " + ", ".join(scans) if scans else "",
                flush=True,
            )

        # POSTs: log an interaction on the typical case; decide pending requests.
        interaction = {
            "channel": "phone",
            "direction": "inbound",
            "summary": "Benchmark call",
            "demeanour": "calm",
            "minutes": "3",
            "promise": "",
            "promise_due_at": "",
        }
        p50, p95, statuses = timed(
            clients[manager.pk],
            "POST",
            f"/cases/{ref(typical)}/interactions/",
            lambda i: interaction,
            count=args.count,
            warm=args.warm,
        )
        results.append(
            {"page": "POST log interaction", "p50_ms": p50, "p95_ms": p95, "statuses": statuses}
        )
        print(f"{'POST log interaction':<36} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms", flush=True)
        wanted = args.count + args.warm
        top_up_pending_requests(manager, team_id, wanted)
        pending = list(
            ExceptionRequest.objects.decidable_by(manager)
            .order_by("id")
            .values_list("id", flat=True)[:wanted]
        )
        if len(pending) == wanted:
            samples = []
            for i, pk in enumerate(pending):
                body = {
                    f"r{pk}-decision": "approve",
                    f"r{pk}-reason": "Benchmark",
                    "next": "approvals",
                }
                started = time.perf_counter()
                clients[manager.pk].request("POST", f"/requests/{pk}/decide/", body)
                if i >= args.warm:
                    samples.append((time.perf_counter() - started) * 1000)
            samples.sort()
            p50 = round(statistics.median(samples), 1)
            p95 = round(samples[max(int(round(0.95 * len(samples))) - 1, 0)], 1)
            results.append({"page": "POST decide exception", "p50_ms": p50, "p95_ms": p95})
            print(f"{'POST decide exception':<36} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms", flush=True)
        else:
            print(f"POST decide exception: {len(pending)} pending for the manager; skipped")

        rps = load(port, manager.username, "/cases/", clients=4, seconds=args.load_seconds)
        print(f"case list, 4 concurrent clients, {args.load_seconds:.0f} s: {rps} requests/s")
    finally:
        server.terminate()
        server.wait(timeout=30)

    report = {
        "cases": Case.objects.count(),
        "machine": f"{os.cpu_count()} cores",
        "calibration_sum_range_1e6_ms": calibration,
        "pages": results,
        "case_list_rps_4_clients": rps,
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
