"""Pure helpers of the benchmark: medians over repeats, ratios and their display."""

from qtickets_bench.report import cell_ratios
from qtickets_bench.stats import fmt_rate, fmt_ratio, fmt_seconds, median, median_fields, ratio


def test_median_ignores_failed_runs_and_handles_even_counts():
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([4, 1, 3, 2]) == 2.5
    assert median([5.0, None, 1.0, float("nan"), 3.0]) == 3.0
    assert median([None, None]) is None
    assert median([]) is None


def test_median_fields_per_figure():
    runs = [{"seconds": 3.0, "rows": 10}, {"seconds": 1.0, "rows": 10}, {"seconds": 2.0}]
    assert median_fields(runs, ["seconds", "rows", "absent"]) == {"seconds": 2.0, "rows": 10.0, "absent": None}


def test_ratio_and_its_display():
    assert ratio(30.0, 10.0) == 3.0
    assert ratio(None, 1.0) is None and ratio(1.0, 0.0) is None
    assert fmt_ratio(3.0) == "3.00x"
    assert fmt_ratio(2.345) == "2.35x"
    assert fmt_ratio(12.34) == "12.3x"
    assert fmt_ratio(None) == "—"


def test_seconds_and_rate_display():
    assert fmt_seconds(1.234) == "1.23 s"
    assert fmt_seconds(123.4) == "123 s"
    assert fmt_rate(200000, 10.0) == "20,000"
    assert fmt_rate(0, 1.0) == "—" and fmt_rate(10, None) == "—"


def test_cell_ratios_compare_the_platform_with_each_peer_and_with_the_overlap_bound():
    cell = {
        v: {"median": {"seconds": s}}
        for v, s in (("platform", 10.0), ("platform_default", 16.0), ("dlt_rest_api", 35.0), ("dlt_parallel", 20.0))
    }
    # the limit's two parts: fetch 3 s and insert 5 s; overlapping work is bounded by the larger, 5 s
    cell["limit"] = {"median": {"seconds": 8.0, "overlap_bound_seconds": 5.0}}
    r = cell_ratios(cell)
    assert r == {"b1_over_a": 3.5, "b2_over_a": 2.0, "a_over_c": 2.0, "a_over_c_sum": 1.25, "a_default_over_c": 3.2}
    cell["limit"] = {"median": {"seconds": None}}
    assert cell_ratios(cell)["a_over_c"] is None


def test_an_old_results_file_is_compared_with_max_fetch_insert_not_the_sum():
    from qtickets_bench.__main__ import with_overlap_bound

    variants = {
        "platform": {"median": {"seconds": 1.75}},
        "limit": {"median": {"seconds": 1.26, "fetch_seconds": 0.22, "insert_seconds": 1.02}},
    }
    r = cell_ratios(with_overlap_bound(variants))
    assert abs(r["a_over_c"] - 1.75 / 1.02) < 0.01  # against max(0.22, 1.02), not the sum 1.26
    assert abs(r["a_over_c_sum"] - 1.75 / 1.26) < 0.01
