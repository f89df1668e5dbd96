"""The dbt command line built from the Dagster run config of the transform step."""

import json

import pytest

from qtickets_assets.transform.assets import DbtBuildConfig, dbt_build_args


def test_default_run_is_a_plain_build():
    assert dbt_build_args(DbtBuildConfig()) == ["build"]


def test_backfill_range_goes_to_dbt_vars():
    args = dbt_build_args(DbtBuildConfig(sales_date_from="2026-01-01", sales_date_to="2026-03-31"))
    assert args[:2] == ["build", "--vars"]
    assert json.loads(args[2]) == {"sales_date_from": "2026-01-01", "sales_date_to": "2026-03-31"}
    assert "--full-refresh" not in args


def test_open_ended_range_and_full_refresh():
    args = dbt_build_args(DbtBuildConfig(sales_date_from="2026-02-01", full_refresh=True))
    assert json.loads(args[2]) == {"sales_date_from": "2026-02-01"}
    assert args[-1] == "--full-refresh"


@pytest.mark.parametrize("bad", ["2026-13-01", "yesterday", "2026-01-01' or 1=1 --", "20260101"])
def test_only_iso_dates_reach_the_sql(bad):
    with pytest.raises(ValueError):
        dbt_build_args(DbtBuildConfig(sales_date_to=bad))
