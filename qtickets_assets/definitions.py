"""The code location: assembles Definitions from the parts; nothing else lives here."""

from __future__ import annotations

import warnings

from dagster import BetaWarning, Definitions, in_process_executor, with_source_code_references

from qtickets_assets.audit.asset import qtickets_audit
from qtickets_assets.automation import automation_sensor, jobs, schedules
from qtickets_assets.failure_sensor import record_run_failures
from qtickets_assets.qtickets.ingest.assets import STAGING_ASSETS
from qtickets_assets.quality.checks import quality_checks
from qtickets_assets.quality.freshness import freshness_checks, freshness_checks_sensor
from qtickets_assets.resources import all_resources
from qtickets_assets.transform.assets import DBT_ASSETS
from qtickets_assets.transform.sales_months_sensor import sales_months_sensor
from qtickets_assets.webhooks.sensor import WEBHOOKS_ASSET, webhook_sensor

with warnings.catch_warnings():  # code references are "beta" in Dagster 1.13; the UI links are worth it
    warnings.simplefilter("ignore", BetaWarning)
    assets = with_source_code_references([*STAGING_ASSETS, *DBT_ASSETS, qtickets_audit])
assets.append(WEBHOOKS_ASSET)  # external: written by `qtickets-platform webhooks`

defs = Definitions(
    assets=assets,
    asset_checks=[*quality_checks, *freshness_checks],
    jobs=jobs,
    schedules=schedules,
    sensors=[automation_sensor, sales_months_sensor, record_run_failures, freshness_checks_sensor, webhook_sensor],
    resources=all_resources(),
    # One process for a whole run: a step subprocess costs more start-up than most of our steps take (bench/README.md).
    # Concurrency inside a step (parallel pages) comes from the QTickets client's own thread pool.
    executor=in_process_executor,
)
