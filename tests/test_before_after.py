"""bench/before_after.py's summary: per page, the median over runs of each side's p95 and
after ÷ before, so one bad run cannot decide; pages over the bound are named."""

from __future__ import annotations

from bench.before_after import summarise


def _run(list_p95: float, home_p95: float | None = None, rps: float = 80.0) -> dict:
    pages = [{"key": "case_list", "page": "case list", "p95_ms": list_p95}]
    if home_p95 is not None:
        pages.append({"key": "home", "page": "home", "p95_ms": home_p95})
    return {
        "floor": {"key": "floor", "page": "floor", "p95_ms": 5.0},
        "pages": pages,
        "insights_afresh": [{"key": "afresh", "page": "afresh", "p50_ms": 90, "max_ms": 100}],
        "case_list_rps_4_clients": rps,
    }


def test_the_median_run_decides_not_the_worst():
    before = [_run(20), _run(21), _run(22)]
    after = [_run(20), _run(21), _run(90)]  # one run beside a noisy neighbour
    rows, table = summarise(before, after, bound=0.10)
    ratio = {row["key"]: row["ratio"] for row in rows}
    assert ratio["case_list"] == 1.0
    assert "more than 10%: none" in table


def test_a_page_slower_beyond_the_bound_is_named():
    rows, table = summarise([_run(20), _run(20)], [_run(24), _run(23)], bound=0.10)
    assert {row["key"]: row["ratio"] for row in rows}["case_list"] == 1.18
    assert "case list (1.18×)" in table


def test_fewer_requests_per_second_counts_as_slower():
    rows, _ = summarise([_run(20, rps=100)], [_run(20, rps=80)], bound=0.10)
    assert {row["key"]: row["ratio"] for row in rows}["load"] == 1.25


def test_pages_the_earlier_code_lacks_are_left_out():
    rows, _ = summarise([_run(20)], [_run(20, home_p95=30)], bound=0.10)
    assert "home" not in {row["key"] for row in rows}


def test_interleaved_pages_over_the_bound_are_named_by_their_p95():
    from bench.before_after import interleaved_table

    def row(page, before, after):
        return {
            "page": page,
            "before_p50_ms": before,
            "before_p95_ms": before,
            "after_p50_ms": after,
            "after_p95_ms": after,
            "ratio_p50": round(after / before, 2),
            "ratio_p95": round(after / before, 2),
        }

    table = interleaved_table([row("case list", 20, 21), row("policies", 20, 25)], 0.10)
    assert "more than 10%: policies (1.25×)" in table
    assert "| case list | 20 / 20 | 21 / 21 | 1.05, 1.05 |" in table
