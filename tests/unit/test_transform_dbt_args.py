"""The dbt command lines of the two dbt steps, and the months a partition window rebuilds."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from qtickets_assets.transform.assets import DbtBuildConfig, dbt_build_args
from qtickets_assets.transform.partitions import SALES_MONTHS, contiguous_ranges, dbt_vars_for_window


def test_default_run_is_a_plain_build():
    assert dbt_build_args(DbtBuildConfig()) == ["build"]
    assert dbt_build_args(DbtBuildConfig(full_refresh=True)) == ["build", "--full-refresh"]


def test_a_partition_window_goes_to_dbt_vars_as_its_first_and_last_day():
    moscow = ZoneInfo("Europe/Moscow")
    window = dbt_vars_for_window(datetime(2026, 1, 1, tzinfo=moscow), datetime(2026, 4, 1, tzinfo=moscow))
    assert window == {"sales_date_from": "2026-01-01", "sales_date_to": "2026-03-31"}
    args = dbt_build_args(dbt_vars=window)
    assert args[:2] == ["build", "--vars"] and json.loads(args[2]) == window


def test_partition_windows_are_local_months():
    window = SALES_MONTHS.time_window_for_partition_key("2026-02-01")
    assert dbt_vars_for_window(window.start, window.end) == {
        "sales_date_from": "2026-02-01",
        "sales_date_to": "2026-02-28",
    }
    assert str(window.start.tzinfo) == "Europe/Moscow"


@pytest.mark.parametrize("bad", ["2026-13-01", "yesterday", "2026-01-01' or 1=1 --", "20260101"])
def test_only_iso_dates_reach_the_sql(bad):
    with pytest.raises(ValueError):
        dbt_build_args(dbt_vars={"sales_date_to": bad})


def test_months_are_grouped_into_ranges_of_consecutive_partitions():
    known = ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01"]
    assert contiguous_ranges({"2026-02-01", "2026-03-01"}, known) == [("2026-02-01", "2026-03-01")]
    assert contiguous_ranges({"2026-01-01", "2026-03-01", "2026-04-01"}, known) == [
        ("2026-01-01", "2026-01-01"),
        ("2026-03-01", "2026-04-01"),
    ]
    assert contiguous_ranges({"2014-12-01", "2026-05-01"}, known) == [("2026-05-01", "2026-05-01")]
    assert contiguous_ranges(set(), known) == []
