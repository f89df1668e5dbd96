"""Jobs, schedules and sensors: how the platform runs unattended (project-wide policy, in one place).

Cadences (platform time zone, Europe/Moscow by default; each is a setting, see settings.CADENCE_DEFAULTS):
  * orders + the sales facts every 15 minutes (QTICKETS_ORDERS_CRON; incremental load, months touched rebuilt);
  * inventory (seats) + barcodes + the inventory fact hourly (QTICKETS_INVENTORY_CRON);
  * dimensions (events, clients, price shades, discounts, promo codes) + partner data daily (QTICKETS_DIMENSIONS_CRON);
  * the audit daily (QTICKETS_AUDIT_CRON).
Run deadlines likewise (QTICKETS_<JOB>_MAX_RUNTIME, seconds).
Every schedule and sensor starts STOPPED so `make dev` starts quietly: turn them on in the UI
(Automation tab) or with `dagster schedule start <name>` / `dagster sensor start <name>`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from dagster import (
    AssetKey,
    AssetSelection,
    AutomationConditionSensorDefinition,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    ScheduleDefinition,
    define_asset_job,
    monthly_partitioned_config,
)

from qtickets_assets.qtickets.ingest.assets import STEP_NAME
from qtickets_assets.qtickets.ingest.catalog import CATALOG, DIMENSIONS_JOB, INVENTORY_JOB, ORDERS_JOB
from qtickets_assets.settings import cron, positive_seconds, timezone
from qtickets_assets.transform.partitions import sales_start


def staging_loaded_by(job: str) -> AssetSelection:
    """The staging assets of every catalog resource whose `refresh` is this job."""
    return AssetSelection.assets(*[AssetKey(e.table) for e in CATALOG.values() if e.refresh == job])


def models_between(sources: AssetSelection, *targets: str) -> AssetSelection:
    """The given staging assets plus the targets and every dbt model they read (views are cheap to rebuild and
    a fresh database needs them all); other resources' staging assets are read as they are, not reloaded."""
    target_selection = AssetSelection.assets(*[AssetKey(name) for name in targets])
    return sources | (target_selection.upstream() - AssetSelection.groups("ingestion"))


# A run still going after this many seconds is hung (typically an API that accepts connections and never
# finishes answering: each request has a 30 s timeout, but retries and step retries add up). Dagster's run
# monitoring (enabled in the dagster.yaml that `make dev` writes; the daemon enforces it) then fails the run,
# so the next tick is not blocked behind it. Defaults set from observed runtimes with ample headroom.
def max_runtime(setting_name: str) -> dict[str, str]:
    return {"dagster/max_runtime": str(positive_seconds(setting_name))}


DIMENSIONS = ("dim_qtickets_events", "dim_qtickets_shows")
# What the sales facts read: rebuilt by the orders job right after the load; the facts' months then follow as
# partitions (qtickets_sales_months_sensor). The dimensions come along because the facts' relationships tests read
# them: on a fresh database the 15-minute schedule would otherwise fail until the daily dimensions job had run.
SALES_INPUTS = ("int_qtickets__paid_baskets", "stg_qtickets__events", *DIMENSIONS)

orders_and_sales_job = define_asset_job(
    "orders_and_sales_job",
    selection=models_between(staging_loaded_by(ORDERS_JOB), *SALES_INPUTS),
    description="Incremental orders load and the staging models the sales facts read; "
    "qtickets_sales_months_sensor then rebuilds the months the load touched, as partitions.",
    tags=max_runtime("QTICKETS_ORDERS_MAX_RUNTIME"),
)
inventory_job = define_asset_job(
    "inventory_job",
    selection=models_between(staging_loaded_by(INVENTORY_JOB), "fact_qtickets_inventory_latest"),
    description="Seat snapshots of every active show and barcodes, then the latest-inventory fact.",
    tags=max_runtime("QTICKETS_INVENTORY_MAX_RUNTIME"),
)
dimensions_job = define_asset_job(
    "dimensions_job",
    selection=models_between(staging_loaded_by(DIMENSIONS_JOB), *DIMENSIONS),
    description="Events, clients, price shades, discounts, promo codes and partner data, then the dimensions.",
    tags=max_runtime("QTICKETS_DIMENSIONS_MAX_RUNTIME"),
)


@monthly_partitioned_config(start_date=sales_start(), timezone=timezone(), end_offset=1)
def _orders_created_in_month(start: datetime, end: datetime) -> dict:
    """A month of the reload job = the orders CREATED in that month, reloaded from the API (LoadConfig mode range)."""
    last_day = (end - timedelta(days=1)).date().isoformat()
    load = {"mode": "range", "created_from": start.date().isoformat(), "created_to": last_day}
    return {"ops": {STEP_NAME: {"config": load}}}


# Re-read orders from the API by the month they were created in, as a backfill the UI understands (Jobs >
# reload_orders_job > Partitions > select months > Launch backfill: one run per month). The staging models are
# rebuilt in the same run, and qtickets_sales_months_sensor then rebuilds the fact months the reloaded orders were
# paid in. The orders asset stays unpartitioned: the job's partitions only fill its run config.
reload_orders_job = define_asset_job(
    "reload_orders_job",
    selection=models_between(staging_loaded_by(ORDERS_JOB), *SALES_INPUTS),
    config=_orders_created_in_month,
    description="Reload the orders created in the selected months from the API, then the staging models; the "
    "sales months they touch follow as partitions.",
    tags=max_runtime("QTICKETS_BACKFILL_MAX_RUNTIME"),
)
audit_job = define_asset_job(
    "audit_job",
    selection=AssetSelection.assets(AssetKey("qtickets_audit")),
    description="Probe the API with the audit plan, count every table, write the report and its archive.",
    tags=max_runtime("QTICKETS_AUDIT_MAX_RUNTIME"),
)


def _schedule(job, cron: str, description: str) -> ScheduleDefinition:
    return ScheduleDefinition(
        name=f"{job.name.removesuffix('_job')}_schedule",
        job=job,
        cron_schedule=cron,
        execution_timezone=timezone(),
        default_status=DefaultScheduleStatus.STOPPED,
        description=description,
    )


schedules = [
    _schedule(orders_and_sales_job, cron("QTICKETS_ORDERS_CRON"), "Orders and the sales facts (QTICKETS_ORDERS_CRON)."),
    _schedule(inventory_job, cron("QTICKETS_INVENTORY_CRON"), "Inventory and barcodes (QTICKETS_INVENTORY_CRON)."),
    _schedule(
        dimensions_job, cron("QTICKETS_DIMENSIONS_CRON"), "Dimensions and partner data (QTICKETS_DIMENSIONS_CRON)."
    ),
    _schedule(audit_job, cron("QTICKETS_AUDIT_CRON"), "The audit (QTICKETS_AUDIT_CRON)."),
]

jobs = [orders_and_sales_job, inventory_job, dimensions_job, reload_orders_job, audit_job]

# Declarative automation: the unpartitioned dbt models carry AutomationCondition.eager() (set by the dbt
# translator), so they refresh when their staging assets do. The partitioned sales facts do not: eager would only
# ever request the latest month; qtickets_sales_months_sensor requests the months each load touched instead.
# The evaluating sensor is explicit so that it, too, starts stopped.
automation_sensor = AutomationConditionSensorDefinition(
    "qtickets_automation_sensor",
    target=AssetSelection.all(),
    default_status=DefaultSensorStatus.STOPPED,
    description="Evaluates the automation conditions: refreshes dbt models after their staging assets update.",
)
