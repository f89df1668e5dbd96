"""The dbt models as Dagster assets, in two definitions read from the same manifest:

* `qtickets_sales_facts`: fact_qtickets_sales_daily and fact_qtickets_sales_utm_daily, partitioned by month
  (transform/partitions.py). A run of one partition or of a range is ONE `dbt build` whose vars name the window's
  months; the models rebuild exactly those months (insert_overwrite replaces whole month partitions), so a
  24-month backfill is one dbt invocation that swaps 24 ClickHouse partitions (BackfillPolicy.single_run).
* `qtickets_dbt_assets`: everything else (staging tables, int_, inventory, dimensions), unpartitioned.

dbt used alone (`cd dbt_project && dbt build`) still works as before: without vars the facts rebuild the months
touched since their last build.

No `from __future__ import annotations` here: Dagster reads the config annotation at decoration time.
"""

import contextlib
import json
import os

from dagster import AssetExecutionContext, BackfillPolicy, Config
from dagster_dbt import DbtCliResource, dbt_assets
from pydantic import Field

from .partitions import SALES_FACTS, SALES_MONTHS, dbt_vars_for_window
from .project import DBT_PROJECT
from .translator import QTicketsDbtTranslator

FACTS_SELECTION = " ".join(SALES_FACTS)
# The facts AND everything hanging off them (their tests, the relationships tests to the dimensions included):
# a plain exclude of the two models would still run those tests in the unpartitioned build, which selects every
# node of the project (`fqn:*`) and fails them on a database where the facts do not exist yet.
FACTS_AND_THEIR_TESTS = " ".join(f"{name}+" for name in SALES_FACTS)


class DbtBuildConfig(Config):
    """Run config of the unpartitioned dbt step."""

    full_refresh: bool = Field(default=False, description="Rebuild every incremental model from scratch.")


def dbt_build_args(config: DbtBuildConfig | None = None, dbt_vars: dict[str, str] | None = None) -> list[str]:
    """The `dbt build` command line (pure; unit-tested)."""
    args = ["build"]
    if dbt_vars:
        for value in dbt_vars.values():
            _check_iso_date(value)
        args += ["--vars", json.dumps(dbt_vars, sort_keys=True)]
    if config is not None and config.full_refresh:
        args.append("--full-refresh")
    return args


def _check_iso_date(value: str) -> None:
    # The value is spliced into SQL by the model; only a plain ISO date may pass.
    from datetime import date

    date.fromisoformat(value)
    if len(value) != 10:
        raise ValueError(f"expected an ISO date YYYY-MM-DD, got {value!r}")


@contextlib.contextmanager
def indirect_selection(mode: str):
    """DBT_INDIRECT_SELECTION for the dbt process started inside the block (dagster-dbt reads the environment when
    `cli()` starts dbt; the steps of a run share one process, so the value is restored right after)."""
    saved = os.environ.get("DBT_INDIRECT_SELECTION")
    os.environ["DBT_INDIRECT_SELECTION"] = mode
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("DBT_INDIRECT_SELECTION", None)
        else:
            os.environ["DBT_INDIRECT_SELECTION"] = saved


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    select=FACTS_SELECTION,
    partitions_def=SALES_MONTHS,
    backfill_policy=BackfillPolicy.single_run(),
    dagster_dbt_translator=QTicketsDbtTranslator(),
    # Two overlapping builds would both swap partitions of the same tables: one build at a time per instance.
    pool="dbt",
)
def qtickets_sales_facts(context: AssetExecutionContext, dbt: DbtCliResource):
    window = context.partition_time_window  # the whole range of a multi-month run
    dbt_vars = dbt_vars_for_window(window.start, window.end)
    context.log.info(f"rebuilding the sales months {dbt_vars['sales_date_from']} .. {dbt_vars['sales_date_to']}")
    # "eager": the facts' tests run, their relationships tests to the dimensions included.
    with indirect_selection("eager"):
        invocation = dbt.cli(dbt_build_args(dbt_vars=dbt_vars), context=context)
    yield from invocation.stream().fetch_row_counts()


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    exclude=FACTS_AND_THEIR_TESTS,
    dagster_dbt_translator=QTicketsDbtTranslator(),
    # Two overlapping builds would both recreate the shared staging tables: one build at a time per instance.
    pool="dbt",
)
def qtickets_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig):
    # "buildable": only the tests whose every parent this build makes (or reads as its upstream). dbt's default
    # ("eager") also runs a test when ANY parent is selected, so building the dimensions ran the facts'
    # relationships tests, which fail on a database where the facts do not exist yet.
    with indirect_selection("buildable"):
        invocation = dbt.cli(dbt_build_args(config), context=context)
    # Row counts of the tables (count() of a MergeTree table reads only its metadata; views are not counted),
    # shown in the UI like the staging assets' row counts.
    yield from invocation.stream().fetch_row_counts()


DBT_ASSETS = [qtickets_dbt_assets, qtickets_sales_facts]
