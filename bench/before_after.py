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
from bench.common import RESULTS  # noqa: E402


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
        b = statistics.median(r[key]["p95_ms"] for r in before_rows)
        a = statistics.median(r[key]["p95_ms"] for r in after_rows)
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="checkout of the earlier code")
    parser.add_argument("--rounds", type=int, default=2, help="ABBA rounds (4 runs each)")
    parser.add_argument("--bound", type=float, default=0.10, help="allowed slowdown")
    parser.add_argument("harness_args", nargs="*", help="passed to bench/harness.py (after --)")
    args = parser.parse_args()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d-%H%M")
    folder = RESULTS / f"before-after-{stamp}"
    folder.mkdir(parents=True, exist_ok=True)
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
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=args.before, capture_output=True, text=True
    ).stdout.strip()
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
