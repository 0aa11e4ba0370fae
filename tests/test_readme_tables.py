"""bench/readme_tables.py rebuilds the README's benchmark tables from result files: the
figures between the markers come from the files, ranges span the runs chosen, and
nothing outside the markers changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import readme_tables

README = """# Title

Prose before.

<!-- bench:pages -->
| old | table |
<!-- /bench:pages -->

Prose between.

<!-- bench:drain -->
old drain figures
<!-- /bench:drain -->

Prose after.
"""


def _pages_run(date: str, *, floor_p95: float, list_p95: float, rps: float, calib: float):
    return {
        "kind": "pages",
        "date": date,
        "machine": "2 cores, Test CPU, 8 GB",
        "calibration_ms": calib,
        "cases": 2000,
        "floor": {
            "key": "floor",
            "page": "floor: signed-in 404",
            "p50_ms": 5.0,
            "p95_ms": floor_p95,
        },
        "pages": [
            {
                "key": "case_list",
                "page": "case list",
                "p50_ms": 9.5,
                "p95_ms": list_p95,
                "p95_x_floor": round(list_p95 / floor_p95, 1),
                "queries": 4,
                "target_p95_ms": 50,
            }
        ],
        "insights_afresh": [
            {
                "key": "insights_30_afresh",
                "page": "insights 30 days, computed afresh",
                "p50_ms": 120.0,
                "max_ms": 150.0,
                "runs": 5,
            }
        ],
        "load": {"clients": 4, "seconds": 10, "page": "case list"},
        "case_list_rps_4_clients": rps,
    }


@pytest.fixture
def results(tmp_path: Path) -> Path:
    folder = tmp_path / "results"
    folder.mkdir()
    runs = {
        "pages-2026-12-01-0900.json": _pages_run(
            "2026-12-01T09:00:00Z", floor_p95=8.0, list_p95=20.0, rps=60.0, calib=18.0
        ),
        "pages-2026-12-01-1000.json": _pages_run(
            "2026-12-01T10:00:00Z", floor_p95=10.0, list_p95=30.0, rps=75.5, calib=21.5
        ),
        # Older than the two above: left out when only the latest two are asked for.
        "pages-2026-11-01-0900.json": _pages_run(
            "2026-11-01T09:00:00Z", floor_p95=1.0, list_p95=999.0, rps=1.0, calib=50.0
        ),
        "reminder_drain-2026-12-01-1100.json": {
            "kind": "reminder_drain",
            "date": "2026-12-01T11:00:00Z",
            "machine": "2 cores, Test CPU, 8 GB",
            "calibration_ms": 19.0,
            "cases": 2001,
            "count": 500,
            "received_distinct": 500,
            "reminders_per_second": 183.2,
            "first_to_last_email_s": 2.7,
            "last_one_late_by_s": 4.1,
            "worker": "solo pool",
        },
    }
    for name, run in runs.items():
        (folder / name).write_text(json.dumps(run))
    return folder


def _run(tmp_path: Path, results: Path, *extra: str) -> int:
    return readme_tables.main(
        [
            "--readme",
            str(tmp_path / "README.md"),
            "--latest",
            "2",
            "--pages",
            *map(str, sorted(results.glob("pages-*.json"))),
            "--drain",
            *map(str, sorted(results.glob("reminder_drain-*.json"))),
            *extra,
        ]
    )


def test_the_tables_are_rebuilt_from_the_latest_runs(tmp_path, results):
    (tmp_path / "README.md").write_text(README)

    assert _run(tmp_path, results) == 0

    text = (tmp_path / "README.md").read_text()
    pages = text.split("<!-- bench:pages -->")[1].split("<!-- /bench:pages -->")[0]
    # Where the figures came from: both runs' dates, calibrations, machine and files.
    assert "2 runs, 2026-12-01 09:00 to 2026-12-01 10:00 UTC" in pages
    assert "calibration 18–21.5 ms" in pages
    assert "2000 cases, 2 cores, Test CPU, 8 GB" in pages
    assert "`pages-2026-12-01-0900.json`, `pages-2026-12-01-1000.json`" in pages
    # Lowest–highest over the two runs; the older third run is not among them.
    assert "| floor: signed-in 404 | 5 | 8–10 | 1 | – | – |" in pages
    assert "| case list | 9.5 | 20–30 | 2.5–3 | 4 | 50 |" in pages
    assert "| insights 30 days, computed afresh, p50 / slowest of 5 | 120 | 150 (slowest)" in pages
    assert "**60–75.5 requests/s**" in pages
    assert "999" not in pages and "| old | table |" not in text
    drain = text.split("<!-- bench:drain -->")[1].split("<!-- /bench:drain -->")[0]
    assert "| 2026-12-01 11:00 | solo pool | 19 ms | 500 of 500 | 183.2 | 2.7 s | 4.1 s |" in (
        drain
    )
    # Nothing outside the markers moved.
    for prose in ("# Title\n\nProse before.\n\n", "\n\nProse between.\n\n", "\n\nProse after.\n"):
        assert prose in text


def test_check_fails_on_a_stale_readme_and_passes_once_rebuilt(tmp_path, results):
    (tmp_path / "README.md").write_text(README)

    assert _run(tmp_path, results, "--check") == 1
    assert (tmp_path / "README.md").read_text() == README  # --check writes nothing

    assert _run(tmp_path, results) == 0
    assert _run(tmp_path, results, "--check") == 0


def test_a_readme_without_the_markers_is_refused(tmp_path, results):
    (tmp_path / "README.md").write_text("# No markers here\n")

    with pytest.raises(SystemExit, match="bench:pages"):
        _run(tmp_path, results)


def test_the_committed_results_and_readme_agree():
    """The README's tables are what the committed files produce (no figure typed by hand)."""
    assert readme_tables.main(["--check"]) == 0


def test_the_before_and_after_table_puts_each_page_of_two_runs_side_by_side(results, monkeypatch):
    monkeypatch.setattr(readme_tables, "RESULTS", results)
    pair_dir = results / "before-after-2026-12-01-1000"
    pair_dir.mkdir()
    before = _pages_run("2026-12-01T09:50:00Z", floor_p95=8.0, list_p95=40.0, rps=50.0, calib=17)
    before["insights_afresh"][0]["p50_ms"] = 1200.0
    (pair_dir / "before.json").write_text(json.dumps(before))
    (pair_dir / "pair.json").write_text(
        json.dumps(
            {
                "before": "before.json",
                "after": "../pages-2026-12-01-1000.json",
                "before_commit": "abc1234",
                "after_commit": "def5678",
                "note": "Same data.",
            }
        )
    )

    table = readme_tables.before_after_table(*readme_tables.load_pair(pair_dir / "pair.json"))

    assert "Before: abc1234 (`before-after-2026-12-01-1000/before.json`" in table
    assert "calibration 17 ms). After: def5678 (`pages-2026-12-01-1000.json`" in table
    assert "| floor: signed-in 404 | 8 | 10 | 1.25 |" in table
    assert "| case list | 40 | 30 | 0.75 |" in table
    assert "| insights 30 days, computed afresh (p50) | 1200 | 120 | 0.10 |" in table
    assert "| case list, 4 concurrent clients (requests/s) | 50 | 75.5 | 1.51 |" in table


def test_the_flatness_table_sets_each_page_at_two_sizes_against_the_limit(results, monkeypatch):
    monkeypatch.setattr(readme_tables, "RESULTS", results)
    flat_dir = results / "flat-2026-12-01-1000"
    flat_dir.mkdir()
    large = _pages_run("2026-12-01T10:05:00Z", floor_p95=10.5, list_p95=40.0, rps=70.0, calib=18)
    large["cases"] = 6000
    (flat_dir / "large.json").write_text(json.dumps(large))
    (flat_dir / "flat.json").write_text(
        json.dumps({"small": "../pages-2026-12-01-1000.json", "large": "large.json", "note": "."})
    )

    table = readme_tables.flat_table(*readme_tables.load_flat(flat_dir / "flat.json"))

    assert "2,000 cases: `pages-2026-12-01-1000.json`" in table
    assert "6,000 cases: `flat-2026-12-01-1000/large.json`" in table
    assert "| floor: signed-in 404 | 10 | 10.5 | 1.05 | yes |" in table
    assert "| case list | 30 | 40 | 1.33 | **no** |" in table
    # Fewer requests a second at the larger size is the slower side: 75.5 / 70 = 1.08.
    assert "| case list, 4 concurrent clients (requests/s) | 75.5 | 70 | 0.93 | yes |" in table


def test_an_interleaved_flatness_run_gives_both_sizes_per_page_and_the_verdict(
    results, monkeypatch
):
    monkeypatch.setattr(readme_tables, "RESULTS", results)
    flat_dir = results / "flat-2026-12-02-1000"
    flat_dir.mkdir()
    rows = [
        {"key": "floor", "page": "floor: signed-in 404", "small_p50_ms": 4.0,
         "small_p95_ms": 6.0, "large_p50_ms": 4.1, "large_p95_ms": 6.6, "ratio_p50": 1.02,
         "ratio_p95": 1.1},
        {"key": "case_list", "page": "case list", "small_p50_ms": 10.0, "small_p95_ms": 20.0,
         "large_p50_ms": 11.0, "large_p95_ms": 25.0, "ratio_p50": 1.1, "ratio_p95": 1.25},
    ]  # fmt: skip
    run = {
        "kind": "flat_interleaved",
        "date": "2026-12-02T10:00:00Z",
        "machine": "2 cores, Some CPU, 24 GB",
        "commit": "abc1234",
        "calibration_ms": [12.0, 12.5],
        "cases": {"small": 1000000, "large": 3000000},
        "requests_per_side": 200,
        "rows": rows,
        "load": {
            "small": {"windows_rps": [200.0, 210.0], "rps": 205.0},
            "large": {"windows_rps": [150.0, 160.0], "rps": 155.0},
        },
    }
    (flat_dir / "interleaved.json").write_text(json.dumps(run))
    (flat_dir / "flat.json").write_text(
        json.dumps({"interleaved": "interleaved.json", "note": "Quiet hour."})
    )

    table = readme_tables.flat_section(flat_dir / "flat.json")

    assert table.startswith("`flat-2026-12-02-1000/interleaved.json` (2026-12-02 10:00 UTC")
    assert "commit abc1234, calibration 12–12.5 ms" in table
    assert "each page's 200 requests a side alternated between them. Quiet hour." in table
    assert "| floor: signed-in 404 | 4 / 6 | 4.1 / 6.6 | 1.02, 1.10 | yes |" in table
    assert "| case list | 10 / 20 | 11 / 25 | 1.10, 1.25 | **no** |" in table
    # 205 / 155 = 1.32 times fewer requests a second at 3M: over the limit.
    assert "| 205 | 155 | 0.76 | **no** |" in table
