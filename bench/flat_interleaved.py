"""Cost in N, in one run: this checkout served twice at once, one server on the 1M
database and one on the 3M, every page's requests alternating between them.

    DATABASE_URL=... bench/flat_interleaved.py \\
        --small postgres://postgres@127.0.0.1:5432/casedesk_gen \\
        --large postgres://postgres@127.0.0.1:5432/casedesk_gen3 --count 200

Why: issue 17 asks that the same pages at 3M cases be within 1.2x of their 1M p95. Two
harness runs back to back measured the order and the minute more than N on a shared
machine (the database measured second came out faster on nearly every page, pages whose
work does not grow with the data included). Here each pair of samples is taken within
milliseconds of each other, as bench/before_after.py --interleave does for two commits, so
the machine's drift falls on both sizes alike.

Each database's pages are found on that database (its own typical case, busiest case,
customers and pending requests), by this script run once per database with `--describe`.
Measured: every GET page of bench/harness.py and the floor; logging an interaction and
deciding a request (each side its own case and requests); the case list under 4 clients,
in alternating windows. Insights computed afresh are left to bench/harness.py: they read
every row of the period, which at 3M holds three times the cases (the README says so).

Given one database for both sides (`--small` and `--large` the same), it is a control
run: what the method itself puts between equals (its manifest is control.json, which the
README's table does not read).

Writes bench/results/flat-<date>/interleaved.json and a flat.json naming it, which
bench/readme_tables.py turns into the README's table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import RESULTS, bench_environment, calibration_ms, commit_of, machine  # noqa: E402

bench_environment()
SIDES = ("small", "large")


def describe(count: int, warm: int) -> dict[str, Any]:
    """This database's pages (as bench/harness.py picks them), users and pending requests."""
    import django

    django.setup()
    from bench.pages import every_get_page, generated_users, top_up_pending_requests
    from cases.models import Case, ExceptionRequest
    from cases.selectors import APPROVALS_SHOWN

    found = generated_users()
    if found is None:
        raise SystemExit("No generated users: run manage.py generate_data.")
    staff, manager, admin, team_id = found
    # The approvals page stays full after the decisions below, as in the harness. Twice
    # the requests a side decides: a control run with one database on both sides gives
    # each side its own half.
    top_up_pending_requests(manager, team_id, APPROVALS_SHOWN + 5 + 2 * (count + warm))
    pending = ExceptionRequest.objects.decidable_by(manager).order_by("id")
    roles = {staff.pk: "staff", manager.pk: "manager", admin.pk: "admin"}
    pages = every_get_page(staff, manager, admin, team_id)
    return {
        "cases": Case.objects.count(),
        "users": {"staff": staff.username, "manager": manager.username, "admin": admin.username},
        "pages": [[key, name, roles[user.pk], path] for key, name, user, path, _ in pages],
        "typical_ref": next(p[3] for p in pages if p[0] == "case_page").split("/")[2],
        "pending": list(pending.values_list("id", flat=True)[: 2 * (count + warm)]),
    }


def described(url: str, count: int, warm: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--describe", "--count", str(count), "--warm", str(warm)],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def ratio_row(key: str, names: dict[str, str], timings: dict[str, tuple]) -> dict[str, Any]:
    (s50, s95, s_statuses), (l50, l95, l_statuses) = timings["small"], timings["large"]
    page = names["small"] if names["small"] == names["large"] else " / ".join(names.values())
    row = {
        "key": key,
        "page": page,
        "small_p50_ms": s50,
        "small_p95_ms": s95,
        "large_p50_ms": l50,
        "large_p95_ms": l95,
        "ratio_p50": round(l50 / s50, 2),
        "ratio_p95": round(l95 / s95, 2),
        "statuses": {"small": s_statuses, "large": l_statuses},
    }
    print(f"{page:<50} p95 {s95:7.1f} → {l95:7.1f} ms  ×{row['ratio_p95']}", flush=True)
    return row


def measure(found: dict[str, dict], servers: dict[str, tuple], args) -> dict[str, Any]:
    from bench.serving import Client, alternating, children, load

    ports = {side: port for side, (_, port) in servers.items()}
    clients = {side: {role: Client(ports[side]) for role in found[side]["users"]} for side in SIDES}
    for side in SIDES:
        for role, client in clients[side].items():
            client.sign_in(found[side]["users"][role])
    pages = {side: {row[0]: row for row in found[side]["pages"]} for side in SIDES}
    rows = []
    for key, _, role, _ in found["small"]["pages"]:
        if key not in pages["large"]:
            continue
        timings = alternating(
            {side: clients[side][role] for side in SIDES},
            {side: pages[side][key][3] for side in SIDES},
            count=args.count,
            warm=args.warm,
        )
        rows.append(ratio_row(key, {s: pages[s][key][1] for s in SIDES}, timings))
    rows += posts(found, {side: clients[side]["manager"] for side in SIDES}, args)
    rates: dict[str, list[tuple[float, float | None]]] = {side: [] for side in SIDES}
    for n in range(args.load_rounds * 2):
        side = SIDES[(n + n // 2) % 2]  # small, large, large, small, ...
        rates[side].append(
            load(
                ports[side],
                found[side]["users"]["manager"],
                "/cases/",
                clients=4,
                seconds=args.load_seconds,
                server_pids=children(servers[side][0].pid),
            )
        )
    loads = {
        side: {
            "windows_rps": [rps for rps, _ in rates[side]],
            "rps": round(statistics.median(rps for rps, _ in rates[side]), 1),
            "cpu_ms_per_request": round(statistics.median(cpu or 0 for _, cpu in rates[side]), 2),
        }
        for side in SIDES
    }
    print(f"case list, 4 clients: {loads['small']['rps']} → {loads['large']['rps']} req/s")
    return {"rows": rows, "load": loads}


def posts(found: dict[str, dict], managers: dict, args) -> list[dict[str, Any]]:
    """Logging a call on each side's typical case, then deciding each side's own pending
    requests, alternating as the pages do."""
    from bench.pages import INTERACTION_POST, decide_body
    from bench.serving import alternating

    rows = []
    timings = alternating(
        managers,
        {side: f"/cases/{found[side]['typical_ref']}/interactions/" for side in SIDES},
        count=args.count,
        warm=args.warm,
        method="POST",
        bodies={side: lambda i: INTERACTION_POST for side in SIDES},
    )
    rows.append(
        ratio_row("post_interaction", dict.fromkeys(SIDES, "POST log interaction"), timings)
    )
    if not all(len(found[side]["pending"]) == args.count + args.warm for side in SIDES):
        print("POST decide: too few pending requests on one side; skipped")
        return rows

    def decide_path(side: str):
        return lambda i: f"/requests/{found[side]['pending'][i]}/decide/"

    def decide_bodies(side: str):
        return lambda i: decide_body(found[side]["pending"][i])

    timings = alternating(
        managers,
        {side: decide_path(side) for side in SIDES},
        count=args.count,
        warm=args.warm,
        method="POST",
        bodies={side: decide_bodies(side) for side in SIDES},
    )
    rows.append(ratio_row("post_decide", dict.fromkeys(SIDES, "POST decide exception"), timings))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", help="DATABASE_URL of the smaller database (1M)")
    parser.add_argument("--large", help="DATABASE_URL of the larger database (3M)")
    parser.add_argument("--count", type=int, default=100, help="timed requests per page a side")
    parser.add_argument("--warm", type=int, default=5)
    parser.add_argument("--load-rounds", type=int, default=2, help="ABBA: 2 windows a side each")
    parser.add_argument("--load-seconds", type=float, default=5.0)
    parser.add_argument("--note", default="", help="said under the README's table")
    parser.add_argument("--describe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.describe:
        print(json.dumps(describe(args.count, args.warm)))
        return 0
    if not (args.small and args.large):
        parser.error("--small and --large are both needed")
    from bench.serving import start_server

    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT,
                   check=True)  # fmt: skip
    found = {side: described(getattr(args, side), args.count, args.warm) for side in SIDES}
    wanted = args.count + args.warm
    found["small"]["pending"] = found["small"]["pending"][:wanted]
    # One database on both sides (a control run: how far apart the method puts equals).
    found["large"]["pending"] = found["large"]["pending"][
        wanted if args.small == args.large else 0 :
    ][:wanted]
    calibration = calibration_ms()
    servers = {side: start_server(env={"DATABASE_URL": getattr(args, side)}) for side in SIDES}
    try:
        measured = measure(found, servers, args)
    finally:
        for server, _ in servers.values():
            server.terminate()
            server.wait(timeout=30)
    stamp = datetime.now(UTC)
    folder = RESULTS / f"flat-{stamp:%Y-%m-%d-%H%M}"
    folder.mkdir(parents=True, exist_ok=True)
    report = {
        "kind": "flat_interleaved",
        "date": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "commit": commit_of(),
        "calibration_ms": [calibration, calibration_ms()],
        "cases": {side: found[side]["cases"] for side in SIDES},
        "requests_per_side": args.count,
        **measured,
    }
    (folder / "interleaved.json").write_text(json.dumps(report, indent=1) + "\n")
    manifest = {"interleaved": "interleaved.json", "note": args.note}
    # A control run is not a flatness result: bench/readme_tables.py reads flat.json only.
    name = "control.json" if args.small == args.large else "flat.json"
    (folder / name).write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {folder.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
