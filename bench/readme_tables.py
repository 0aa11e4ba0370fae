"""Regenerate the README's benchmark tables from committed results.

    .venv/bin/python bench/readme_tables.py                     # latest 3 runs of each kind
    .venv/bin/python bench/readme_tables.py --latest 1 --check  # fail if README is stale
    .venv/bin/python bench/readme_tables.py --pages bench/results/pages-2026-12-01-*.json

Each table sits between marker comments in the README, `<!-- bench:pages -->` …
`<!-- /bench:pages -->` and `<!-- bench:drain -->` … `<!-- /bench:drain -->`; only the
text between a pair is replaced. A cell is the lowest–highest over the runs chosen (one
figure when they agree), and the line above each table names the runs' dates, machine,
number of cases and calibration, so that every figure in the table can be traced to a
file under bench/results/. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

Run = dict[str, Any]


def load_runs(paths: Iterable[Path], *, kind: str, latest: int) -> list[Run]:
    """The `latest` runs of `kind` among `paths`, oldest first (by their recorded date)."""
    runs = []
    for path in paths:
        run = json.loads(path.read_text())
        if run.get("kind") == kind:
            runs.append({**run, "_file": path.name})
    runs.sort(key=lambda run: run["date"])
    return runs[-latest:] if latest else runs


def span(values: Iterable[float | int | None], unit: str = "") -> str:
    """ "lowest–highest" (one figure when all agree; "–" when there are none)."""
    present = [v for v in values if v is not None]
    if not present:
        return "–"
    low, high = min(present), max(present)
    text = _number(low) if low == high else f"{_number(low)}–{_number(high)}"
    return text + unit


def _number(value: float | int) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}" if value < 100 else f"{value:.0f}"
    return str(int(value))


def _provenance(runs: list[Run]) -> str:
    dates = sorted({run["date"][:16].replace("T", " ") for run in runs})
    when = dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]}"
    machines = sorted({run.get("machine", "?") for run in runs})
    cases = span(run.get("cases") for run in runs)
    files = ", ".join(f"`{run['_file']}`" for run in runs)
    return (
        f"{len(runs)} run{'s' if len(runs) > 1 else ''}, {when} UTC, "
        f"calibration {span((run.get('calibration_ms') for run in runs), ' ms')}, "
        f"{cases} cases, {'; '.join(machines)} ({files}):"
    )


def _rows_by_key(runs: list[Run], section: Callable[[Run], list[dict[str, Any]]]) -> dict:
    """Each key's rows across the runs, in the order the latest run lists them."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for run in reversed(runs):
        for row in section(run):
            rows.setdefault(row.get("key", row["page"]), []).append(row)
    order = [row.get("key", row["page"]) for row in section(runs[-1])]
    return {key: rows[key] for key in order} | rows


def pages_table(runs: list[Run]) -> str:
    """The pages table: the floor, every page with its p95 over the floor's, insights
    computed afresh, and the case list under concurrent load."""
    lines = [
        _provenance(runs),
        "",
        "| page | p50 ms | p95 ms | p95 ÷ floor | queries | target p95 ms |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    floor = [run["floor"] for run in runs]
    lines.append(
        f"| {floor[-1]['page']} | {span(r['p50_ms'] for r in floor)} | "
        f"{span(r['p95_ms'] for r in floor)} | 1 | – | – |"
    )
    for rows in _rows_by_key(runs, lambda run: run["pages"]).values():
        queries = span(row.get("queries") for row in rows)
        target = rows[0].get("target_p95_ms")
        lines.append(
            f"| {rows[0]['page']} | {span(r['p50_ms'] for r in rows)} | "
            f"{span(r['p95_ms'] for r in rows)} | {span(r.get('p95_x_floor') for r in rows)} | "
            f"{queries} | {target if target is not None else '–'} |"
        )
    afresh = _rows_by_key(runs, lambda run: run.get("insights_afresh", []))
    for rows in afresh.values():
        lines.append(
            f"| {rows[0]['page']}, p50 / slowest of {rows[0]['runs']} | "
            f"{span(r['p50_ms'] for r in rows)} | {span(r['max_ms'] for r in rows)} (slowest) "
            "| – | – | – |"
        )
    load = runs[-1].get("load", {})
    cpu = [run.get("case_list_worker_cpu_ms_per_request") for run in runs]
    cpu_cell = f"web workers' CPU {span(cpu, ' ms')} a request" if any(cpu) else ""
    lines.append(
        f"| **{load.get('page', 'case list')}, {load.get('clients', 4)} concurrent clients** | "
        f"**{span((run['case_list_rps_4_clients'] for run in runs), ' requests/s')}** "
        f"| {cpu_cell} | | | |"
    )
    return "\n".join(lines)


def drain_table(runs: list[Run]) -> str:
    """One row per drain run: the worker, its calibration and the drain's figures."""
    lines = [
        _provenance(runs),
        "",
        "| date (UTC) | worker | calibration | reminders | per second | first → last email "
        "| last one late by |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for run in runs:
        lines.append(
            f"| {run['date'][:16].replace('T', ' ')} | {run['worker']} | "
            f"{_number(run['calibration_ms'])} ms | {run['received_distinct']} of {run['count']} | "
            f"{run['reminders_per_second']} | {run['first_to_last_email_s']} s | "
            f"{run['last_one_late_by_s']} s |"
        )
    return "\n".join(lines)


def load_pair(manifest: Path) -> tuple[Run, Run, Run]:
    """A before-and-after pair: its manifest (`pair.json`, naming the two harness runs
    relative to itself and the commits they ran), the before run and the after run."""
    pair = json.loads(manifest.read_text())
    runs = []
    for side in ("before", "after"):
        path = (manifest.parent / pair[side]).resolve()
        runs.append({**json.loads(path.read_text()), "_file": path.relative_to(RESULTS).as_posix()})
    return pair, runs[0], runs[1]


def before_after_table(pair: Run, before: Run, after: Run) -> str:
    """One harness run each side, back to back: p95 (insights afresh: p50) and the ratio."""
    when = {side: run["date"][:16].replace("T", " ") for side, run in (("b", before), ("a", after))}
    lines = [
        f"Before: {pair['before_commit']} (`{before['_file']}`, {when['b']} UTC, "
        f"calibration {_number(before['calibration_ms'])} ms). After: {pair['after_commit']} "
        f"(`{after['_file']}`, {when['a']} UTC, calibration "
        f"{_number(after['calibration_ms'])} ms). {pair['note']}",
        "",
        "| page | before p95 ms | after p95 ms | after ÷ before |",
        "| --- | --- | --- | --- |",
    ]

    def rows(run: Run) -> dict[str, tuple[str, float]]:
        found = {"floor": (run["floor"]["page"], run["floor"]["p95_ms"])}
        found |= {row["key"]: (row["page"], row["p95_ms"]) for row in run["pages"]}
        for row in run.get("insights_afresh", []):
            found[row["key"]] = (f"{row['page']} (p50)", row["p50_ms"])
        return found

    earlier, later = rows(before), rows(after)
    for key, (page, value) in later.items():
        if key in earlier:
            old = earlier[key][1]
            ratio = f"{value / old:.2f}" if old else "–"
            lines.append(f"| {page} | {_number(old)} | {_number(value)} | {ratio} |")
    slow, fast = before.get("case_list_rps_4_clients"), after.get("case_list_rps_4_clients")
    if slow and fast:
        lines.append(
            f"| case list, 4 concurrent clients (requests/s) | {_number(slow)} | "
            f"{_number(fast)} | {fast / slow:.2f} |"
        )
    return "\n".join(lines)


FLAT_WITHIN = 1.2  # issue 17: the same pages at 3M cases within 1.2x of their 1M p95


def load_flat(manifest: Path) -> tuple[Run, Run, Run]:
    """Cost in N: a manifest (`flat.json`, naming a run at each size relative to itself),
    the smaller run and the larger."""
    flat = json.loads(manifest.read_text())
    runs = []
    for side in ("small", "large"):
        path = (manifest.parent / flat[side]).resolve()
        runs.append({**json.loads(path.read_text()), "_file": path.relative_to(RESULTS).as_posix()})
    return flat, runs[0], runs[1]


def flat_table(flat: Run, small: Run, large: Run) -> str:
    """Each page's p95 at both sizes, back to back, and whether the larger is within
    FLAT_WITHIN of the smaller (insights afresh: p50; the load: requests/s)."""
    names = [f"{run['cases']:,} cases" for run in (small, large)]
    lines = [
        f"{names[0]}: `{small['_file']}` ({small['date'][:16].replace('T', ' ')} UTC, "
        f"calibration {_number(small['calibration_ms'])} ms). {names[1]}: `{large['_file']}` "
        f"({large['date'][:16].replace('T', ' ')} UTC, calibration "
        f"{_number(large['calibration_ms'])} ms). {flat['note']}",
        "",
        f"| page | {names[0]} p95 ms | {names[1]} p95 ms | ratio | within {FLAT_WITHIN}× |",
        "| --- | --- | --- | --- | --- |",
    ]

    def rows(run: Run) -> dict[str, tuple[str, float]]:
        found = {"floor": (run["floor"]["page"], run["floor"]["p95_ms"])}
        found |= {row["key"]: (row["page"], row["p95_ms"]) for row in run["pages"]}
        for row in run.get("insights_afresh", []):
            found[row["key"]] = (f"{row['page']} (p50)", row["p50_ms"])
        return found

    smaller = rows(small)
    for key, (page, value) in rows(large).items():
        if key in smaller and smaller[key][1]:
            ratio = value / smaller[key][1]
            verdict = "yes" if ratio <= FLAT_WITHIN else "**no**"
            lines.append(
                f"| {page} | {_number(smaller[key][1])} | {_number(value)} | {ratio:.2f} | "
                f"{verdict} |"
            )
    few, many = small.get("case_list_rps_4_clients"), large.get("case_list_rps_4_clients")
    if few and many:
        verdict = "yes" if few / many <= FLAT_WITHIN else "**no**"
        lines.append(
            f"| case list, 4 concurrent clients (requests/s) | {_number(few)} | {_number(many)} "
            f"| {many / few:.2f} | {verdict} |"
        )
    return "\n".join(lines)


def interleaved_flat_table(manifest: Path) -> str:
    """Cost in N from one bench/flat_interleaved.py run: each page's p50 and p95 at both
    sizes, their requests alternated, and whether the larger p95 is within FLAT_WITHIN of
    the smaller (the load: requests/s, fewer being the slower side)."""
    flat = json.loads(manifest.read_text())
    path = (manifest.parent / flat["interleaved"]).resolve()
    run = json.loads(path.read_text())
    small, large = (f"{run['cases'][side]:,} cases" for side in ("small", "large"))
    lines = [
        f"`{path.relative_to(RESULTS).as_posix()}` ({run['date'][:16].replace('T', ' ')} UTC, "
        f"{run['machine']}, commit {run['commit']}, calibration "
        f"{'–'.join(_number(c) for c in run['calibration_ms'])} ms): both sizes served at "
        f"once, each page's {run['requests_per_side']} requests a side alternated between "
        f"them. {flat['note']}".rstrip(),
        "",
        f"| page | {small} p50 / p95 ms | {large} p50 / p95 ms | ratio p50, p95 "
        f"| p95 within {FLAT_WITHIN}× |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in run["rows"]:
        verdict = "yes" if row["ratio_p95"] <= FLAT_WITHIN else "**no**"
        lines.append(
            f"| {row['page']} | {_number(row['small_p50_ms'])} / {_number(row['small_p95_ms'])} "
            f"| {_number(row['large_p50_ms'])} / {_number(row['large_p95_ms'])} "
            f"| {row['ratio_p50']:.2f}, {row['ratio_p95']:.2f} | {verdict} |"
        )
    few, many = run["load"]["small"]["rps"], run["load"]["large"]["rps"]
    verdict = "yes" if few / many <= FLAT_WITHIN else "**no**"
    lines.append(
        f"| case list, 4 concurrent clients (requests/s, median of "
        f"{len(run['load']['small']['windows_rps'])} windows a side) | {_number(few)} "
        f"| {_number(many)} | {many / few:.2f} | {verdict} |"
    )
    return "\n".join(lines)


def flat_section(manifest: Path) -> str:
    """The README's cost-in-N table from the latest manifest, of either kind."""
    if "interleaved" in json.loads(manifest.read_text()):
        return interleaved_flat_table(manifest)
    return flat_table(*load_flat(manifest))


def replace_between(text: str, name: str, body: str) -> str:
    """`text` with what lies between `<!-- bench:name -->` and its closing marker replaced."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    if text.count(start) != 1 or text.count(end) != 1:
        raise SystemExit(f"The README needs exactly one {start} … {end} pair.")
    head, rest = text.split(start)
    _, tail = rest.split(end)
    return f"{head}{start}\n{body}\n{end}{tail}"


TABLES = {"pages": pages_table, "drain": drain_table}
KINDS = {"pages": "pages", "drain": "reminder_drain"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    parser.add_argument("--latest", type=int, default=3, help="runs per table (0: all)")
    parser.add_argument("--pages", nargs="*", type=Path, help="pages-*.json files")
    parser.add_argument("--drain", nargs="*", type=Path, help="reminder_drain-*.json files")
    parser.add_argument("--check", action="store_true", help="fail if the README would change")
    args = parser.parse_args(argv)
    text = original = args.readme.read_text()
    for name, build in TABLES.items():
        kind = KINDS[name]
        chosen = getattr(args, name)
        paths = chosen if chosen is not None else sorted(RESULTS.glob(f"{kind}-*.json"))
        runs = load_runs(paths, kind=kind, latest=args.latest)
        if not runs:
            print(f"No {kind} results; the {name} table is left as it is.", file=sys.stderr)
            continue
        text = replace_between(text, name, build(runs))
    pairs = sorted(RESULTS.glob("*/pair.json"))
    if pairs and "<!-- bench:before-after -->" in text:
        # Only where the README asks for it: the latest pair of back-to-back runs.
        text = replace_between(text, "before-after", before_after_table(*load_pair(pairs[-1])))
    flats = sorted(RESULTS.glob("*/flat.json"))
    if flats and "<!-- bench:flat -->" in text:
        text = replace_between(text, "flat", flat_section(flats[-1]))
    if args.check:
        if text != original:
            print(f"{args.readme} is stale: run bench/readme_tables.py.", file=sys.stderr)
            return 1
        return 0
    args.readme.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
