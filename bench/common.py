"""What every benchmark records beside its figures: when, on what machine, at what speed.

A run's JSON goes to `bench/results/<kind>-YYYY-MM-DD-HHMM.json` (UTC) and is committed;
`bench/readme_tables.py` builds the README's tables from those files.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import timeit
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"

# What a benchmark runs CaseDesk with unless the environment says otherwise: its own
# settings, a throwaway key, the test client's host allowed, plain HTTP on loopback, and
# the cache on the local Redis, as the README's deployment has it whenever more than one
# process serves (sessions and the shared figures read from it; a database of its own, so
# a benchmark's keys never meet the tests' or a developer's).
ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "casedesk.settings",
    "CACHE_URL": "redis://127.0.0.1:6379/12",
    "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "HTTPS": "0",
}


def bench_environment() -> None:
    """Set ENVIRONMENT's defaults, before anything imports Django (servers started from
    the script inherit them)."""
    for name, value in ENVIRONMENT.items():
        os.environ.setdefault(name, value)


def calibration_ms() -> float:
    """Milliseconds for a fixed pure-Python loop, best of five: this machine's speed at the
    time of the run. Shared virtual machines vary by half from hour to hour; read a run's
    figures against this one."""
    return round(min(timeit.repeat("sum(range(10**6))", number=5, repeat=5)) / 5 * 1000, 1)


def machine() -> str:
    """Cores, CPU model and memory, e.g. "2 cores, AMD EPYC 7B13, 24 GB"."""
    model = platform.processor() or platform.machine()
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {round(int(line.split()[1]) / 1024**2)} GB"
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}{memory}"


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 (nearest rank) in the samples' unit, rounded to 0.1."""
    ordered = sorted(samples)
    p95 = ordered[max(int(round(0.95 * len(ordered))) - 1, 0)]
    return round(statistics.median(ordered), 1), round(p95, 1)


def write_result(kind: str, report: dict[str, Any], path: str | None = None) -> Path:
    """Write `report` with its date, machine and calibration (if not already in it) to
    `path`, by default the dated file for `kind` under bench/results/."""
    now = datetime.now(UTC)
    report = {
        "kind": kind,
        "date": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        **report,
    }
    report.setdefault("calibration_ms", calibration_ms())
    target = Path(path) if path else RESULTS / f"{kind}-{now:%Y-%m-%d-%H%M}.json"
    if not path:
        # Two runs in one minute (a quick machine): the second gets its own file, not the
        # first one's (which it overwrote once, losing a run).
        n = 1
        while target.exists():
            target = RESULTS / f"{kind}-{now:%Y-%m-%d-%H%M}-{n}.json"
            n += 1
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report, indent=2) + "\n")
    return target


def commit_of(checkout: Path | None = None) -> str:
    """The short hash of the code a run measured, with "+" when the checkout had
    uncommitted changes to tracked files (a run of work in progress says so)."""
    cwd = checkout or RESULTS.parent.parent

    def git(*args: str) -> str:
        found = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
        return found.stdout.strip()

    dirty = git("status", "--porcelain", "--untracked-files=no")
    return git("rev-parse", "--short", "HEAD") + ("+" if dirty else "")
