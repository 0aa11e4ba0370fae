"""Page timings before and after a change, in one run: bench/harness.py from two checkouts
against the same database, alternated (before, after, after, before, ...).

    git worktree add /tmp/before <commit>          # the code to compare against
    ln -s "$PWD/.venv" /tmp/before/.venv
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casedesk_gen SECRET_KEY=... \\
    .venv/bin/python bench/before_after.py --before /tmp/before --rounds 2

Why alternate and take medians: on this shared virtual machine one run against the next
moves by a third (CPU speed, and the host reclaiming the page cache, so whichever run
comes first after a pause reads from disk). Alternating in ABBA order gives each side
the same share of first places; the median over runs of each page's p95 keeps one bad
run from deciding. The after runs are complete harness runs of this checkout, so they
are written where the README's tables read them (bench/results/pages-*.json); the before
runs and the summary go to bench/results/before-after-<date>/.

Runs of a minute or two still drift apart: the machine's speed changes within a run, and
the harness measures its pages in a fixed order, so a page late in the list can land in a
slow minute on one side only. `--interleave` serves both checkouts at once and alternates
every page's requests between them (before, after, after, before, ...): each pair of
samples is taken within milliseconds of each other, so drift falls on both sides alike.
That is the comparison issue 16 asks for ("before and after, in one run").
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# As bench/harness.py: both servers (and --interleave's own lookups) run with these.
from bench.common import RESULTS, bench_environment, calibration_ms, commit_of  # noqa: E402

bench_environment()


def run_harness(checkout: Path, json_path: Path, extra: list[str]) -> dict[str, Any]:
    command = [sys.executable, "bench/harness.py", "--json", str(json_path), *extra]
    subprocess.run(command, cwd=checkout, check=True, stdout=subprocess.DEVNULL)
    return json.loads(json_path.read_text())


def by_key(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    rows = {"floor": run["floor"], **{page["key"]: page for page in run["pages"]}}
    for row in run.get("insights_afresh", []):
        rows[row["key"]] = {**row, "p95_ms": row["max_ms"]}
    if run.get("case_list_rps_4_clients"):
        rows["load"] = {
            "page": "case list, 4 clients (req/s)",
            "rps": run["case_list_rps_4_clients"],
        }
    return rows


def summarise(before: list[dict], after: list[dict], bound: float) -> tuple[list[dict], str]:
    """Per page: the median over runs of its p50 and p95 on each side, and after ÷ before."""
    before_rows, after_rows = [by_key(r) for r in before], [by_key(r) for r in after]
    rows = []
    for key, first in after_rows[0].items():
        if not all(key in r for r in before_rows):
            continue  # a page the earlier code does not have
        if key == "load":
            b = statistics.median(r[key]["rps"] for r in before_rows)
            a = statistics.median(r[key]["rps"] for r in after_rows)
            rows.append(
                {
                    "key": key,
                    "page": first["page"],
                    "before": b,
                    "after": a,
                    "ratio": round(b / a, 2),
                }
            )  # fewer requests/s is worse
            continue
        # The median of an even count is a mean: rounded as the harness rounds.
        b = round(statistics.median(r[key]["p95_ms"] for r in before_rows), 1)
        a = round(statistics.median(r[key]["p95_ms"] for r in after_rows), 1)
        rows.append(
            {"key": key, "page": first["page"], "before": b, "after": a, "ratio": round(a / b, 2)}
        )
    worse = [row for row in rows if row["ratio"] > 1 + bound]
    lines = [
        "| page | before p95 ms | after p95 ms | after ÷ before |",
        "| --- | --- | --- | --- |",
        *(f"| {r['page']} | {r['before']} | {r['after']} | {r['ratio']} |" for r in rows),
        "",
        f"Pages worse by more than {bound:.0%}: "
        + (", ".join(f"{r['page']} ({r['ratio']}×)" for r in worse) or "none")
        + f". Median ratio {statistics.median(r['ratio'] for r in rows)}.",
    ]
    return rows, "\n".join(lines)


def interleaved(before: Path, *, count: int, warm: int) -> list[dict[str, Any]]:
    """Every GET page of the harness, both checkouts served at once, each page's requests
    alternating between them; p50 and p95 per side."""
    import django

    django.setup()
    from bench.pages import every_get_page, generated_users, top_up_pending_requests
    from bench.serving import Client, alternating, start_server
    from cases.selectors import APPROVALS_SHOWN

    found = generated_users()
    if found is None:
        raise SystemExit("No generated users: run manage.py generate_data.")
    staff, manager, admin, team_id = found
    # The approvals page full, as the harness measures it (a harness run before may have
    # decided every request waiting: the page was then measured empty).
    top_up_pending_requests(manager, team_id, APPROVALS_SHOWN + 5)
    pages = every_get_page(staff, manager, admin, team_id)
    checkouts = {"before": before, "after": ROOT}
    for cwd in checkouts.values():  # each serves its own hashed static files
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=cwd, check=True
        )
    servers = {side: start_server(cwd) for side, cwd in checkouts.items()}
    rows = []
    try:
        clients: dict[str, dict[int, Client]] = {side: {} for side in servers}
        for side, (_, port) in servers.items():
            for user in (staff, manager, admin):
                clients[side][user.pk] = Client(port)
                clients[side][user.pk].sign_in(user.username)
        for key, name, user, path, _ in pages:
            timings = alternating(
                {side: clients[side][user.pk] for side in ("before", "after")},
                {"before": path, "after": path},
                count=count,
                warm=warm,
            )
            (b50, b95, b_statuses), (a50, a95, a_statuses) = timings["before"], timings["after"]
            row = {
                "key": key,
                "page": name,
                "before_p50_ms": b50,
                "before_p95_ms": b95,
                "after_p50_ms": a50,
                "after_p95_ms": a95,
                "ratio_p95": round(a95 / b95, 2),
                "ratio_p50": round(a50 / b50, 2),
                "statuses": {"before": b_statuses, "after": a_statuses},
            }
            rows.append(row)
            print(f"{name:<50} p95 {b95:7.1f} → {a95:7.1f} ms  ×{row['ratio_p95']}", flush=True)
    finally:
        for server, _ in servers.values():
            server.terminate()
            server.wait(timeout=30)
    return rows


def interleaved_table(rows: list[dict[str, Any]], bound: float) -> str:
    worse = [r for r in rows if r["ratio_p95"] > 1 + bound]
    return "\n".join(
        [
            "| page | before p50 / p95 ms | after p50 / p95 ms | after ÷ before (p50, p95) |",
            "| --- | --- | --- | --- |",
            *(
                f"| {r['page']} | {r['before_p50_ms']} / {r['before_p95_ms']} | "
                f"{r['after_p50_ms']} / {r['after_p95_ms']} | {r['ratio_p50']}, {r['ratio_p95']} |"
                for r in rows
            ),
            "",
            f"Pages whose p95 is worse by more than {bound:.0%}: "
            + (", ".join(f"{r['page']} ({r['ratio_p95']}×)" for r in worse) or "none")
            + f". Median p95 ratio {round(statistics.median(r['ratio_p95'] for r in rows), 2)}, "
            f"median p50 ratio {round(statistics.median(r['ratio_p50'] for r in rows), 2)}.",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="checkout of the earlier code")
    parser.add_argument("--rounds", type=int, default=2, help="ABBA rounds (4 runs each)")
    parser.add_argument("--bound", type=float, default=0.10, help="allowed slowdown")
    parser.add_argument(
        "--interleave",
        action="store_true",
        help="both served at once, requests alternating (see above)",
    )
    parser.add_argument("--count", type=int, default=100, help="with --interleave: per side")
    parser.add_argument("harness_args", nargs="*", help="passed to bench/harness.py (after --)")
    args = parser.parse_args()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d-%H%M")
    folder = RESULTS / f"before-after-{stamp}"
    folder.mkdir(parents=True, exist_ok=True)
    if args.interleave:
        commit = commit_of(args.before)
        calibration = calibration_ms()
        rows = interleaved(args.before.resolve(), count=args.count, warm=5)
        report = {
            "before_commit": commit,
            "after_commit": commit_of(ROOT),
            "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "calibration_ms": [calibration, calibration_ms()],
            "requests_per_side": args.count,
            "rows": rows,
        }
        (folder / "interleaved.json").write_text(json.dumps(report, indent=1))
        table = interleaved_table(rows, args.bound)
        (folder / "interleaved.md").write_text(table + "\n")
        print(table)
        return 0
    before: list[dict] = []
    after: list[dict] = []
    after_files: list[str] = []
    for n in range(args.rounds * 2):
        order = ("before", "after") if n % 2 == 0 else ("after", "before")
        for side in order:
            now = datetime.now(UTC).strftime("%Y-%m-%d-%H%M")
            if side == "before":
                path = folder / f"pages-before-{n}.json"
                before.append(run_harness(args.before.resolve(), path, args.harness_args))
            else:
                path = RESULTS / f"pages-{now}.json"
                if path.exists():  # two runs in one minute
                    path = path.with_name(f"pages-{now}{len(after)}.json")
                after_files.append(path.name)
                after.append(run_harness(ROOT, path, args.harness_args))
            print(f"{side}: {path.relative_to(ROOT)}", flush=True)
    commit = commit_of(args.before)
    rows, table = summarise(before, after, args.bound)
    (folder / "summary.json").write_text(
        json.dumps(
            {
                "before_commit": commit,
                "before_runs": len(before),
                "after_runs": len(after),
                "calibrations_ms": {
                    "before": [r["calibration_ms"] for r in before],
                    "after": [r["calibration_ms"] for r in after],
                },
                "after_files": after_files,
                "rows": rows,
            },
            indent=1,
        )
    )
    (folder / "summary.md").write_text(table + "\n")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
