"""The dbt models as Dagster assets: one `dbt build` (models + tests + unit tests) per run, streamed.

No `from __future__ import annotations` here: Dagster reads the config annotation at decoration time.
"""

import json

from dagster import AssetExecutionContext, Config
from dagster_dbt import DbtCliResource, dbt_assets
from pydantic import Field

from .project import DBT_PROJECT
from .translator import QTicketsDbtTranslator


class DbtBuildConfig(Config):
    """Run config of the dbt step. The sales facts are incremental (insert_overwrite by month): by default they
    rebuild the months touched by newly loaded orders; a date range rebuilds every month it overlaps."""

    sales_date_from: str = Field(default="", description="Backfill from this ISO date (inclusive), e.g. 2026-01-01.")
    sales_date_to: str = Field(default="", description="Backfill to this ISO date (inclusive).")
    full_refresh: bool = Field(default=False, description="Rebuild every incremental model from scratch.")


def dbt_build_args(config: DbtBuildConfig) -> list[str]:
    """The `dbt build` command line for a run config (pure; unit-tested)."""
    args = ["build"]
    dbt_vars = {
        k: v for k, v in (("sales_date_from", config.sales_date_from), ("sales_date_to", config.sales_date_to)) if v
    }
    for value in dbt_vars.values():
        _check_iso_date(value)
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars, sort_keys=True)]
    if config.full_refresh:
        args.append("--full-refresh")
    return args


def _check_iso_date(value: str) -> None:
    # The value is spliced into SQL by the model; only a plain ISO date may pass.
    from datetime import date

    date.fromisoformat(value)
    if len(value) != 10:
        raise ValueError(f"expected an ISO date YYYY-MM-DD, got {value!r}")


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=QTicketsDbtTranslator(),
    # Two overlapping builds would both recreate the shared staging views: one build at a time per instance
    # (the local dagster.yaml gives every pool one slot).
    pool="dbt",
)
def qtickets_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig):
    # Row counts of the tables and incremental models (count() of a MergeTree table reads only its metadata; views
    # are not counted), shown in the UI like the staging assets' row counts.
    yield from dbt.cli(dbt_build_args(config), context=context).stream().fetch_row_counts()
