"""Jobs, schedules and sensors: how the platform runs unattended (project-wide policy, in one place).

Cadences (platform time zone, Europe/Moscow by default):
  * orders + the sales facts every 15 minutes (incremental load, months touched rebuilt);
  * inventory (seats) + barcodes + the inventory fact hourly;
  * dimensions (events, clients, price shades, discounts, promo codes) + partner data daily;
  * the audit daily.
Every schedule and sensor starts STOPPED so `make dev` starts quietly: turn them on in the UI
(Automation tab) or with `dagster schedule start <name>` / `dagster sensor start <name>`.
"""

from __future__ import annotations

from dagster import (
    AssetKey,
    AssetSelection,
    AutomationConditionSensorDefinition,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    ScheduleDefinition,
    define_asset_job,
)

from qtickets_assets.qtickets.ingest.catalog import CATALOG, DIMENSIONS_JOB, INVENTORY_JOB, ORDERS_JOB
from qtickets_assets.settings import timezone


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
# so the next tick is not blocked behind it. Set from observed runtimes with ample headroom.
def max_runtime(seconds: int) -> dict[str, str]:
    return {"dagster/max_runtime": str(seconds)}


SALES_FACTS = ("fact_qtickets_sales_daily", "fact_qtickets_sales_utm_daily")
DIMENSIONS = ("dim_events", "dim_shows")

orders_and_sales_job = define_asset_job(
    "orders_and_sales_job",
    selection=models_between(staging_loaded_by(ORDERS_JOB), *SALES_FACTS),
    description="Incremental orders load, then the months of the sales facts that the load touched.",
    tags=max_runtime(45 * 60),
)
inventory_job = define_asset_job(
    "inventory_job",
    selection=models_between(staging_loaded_by(INVENTORY_JOB), "fact_qtickets_inventory_latest"),
    description="Seat snapshots of every active show and barcodes, then the latest-inventory fact.",
    tags=max_runtime(50 * 60),
)
dimensions_job = define_asset_job(
    "dimensions_job",
    selection=models_between(staging_loaded_by(DIMENSIONS_JOB), *DIMENSIONS),
    description="Events, clients, price shades, discounts, promo codes and partner data, then the dimensions.",
    tags=max_runtime(3 * 3600),
)
sales_backfill_job = define_asset_job(
    "sales_backfill_job",
    selection=models_between(staging_loaded_by(ORDERS_JOB), *SALES_FACTS),
    description="Backfill a date range: set the orders asset's mode to 'range' (created_from/created_to) and "
    "the dbt config's sales_date_from/sales_date_to in the launchpad.",
    tags=max_runtime(12 * 3600),
)
audit_job = define_asset_job(
    "audit_job",
    selection=AssetSelection.assets(AssetKey("qtickets_audit")),
    description="Probe the API with the audit plan, count every table, write the report and its archive.",
    tags=max_runtime(3600),
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
    _schedule(orders_and_sales_job, "*/15 * * * *", "Orders and the sales facts every 15 minutes."),
    _schedule(inventory_job, "5 * * * *", "Inventory and barcodes hourly."),
    _schedule(dimensions_job, "30 3 * * *", "Dimensions and partner data daily at 03:30."),
    _schedule(audit_job, "0 6 * * *", "The audit daily at 06:00."),
]

jobs = [orders_and_sales_job, inventory_job, dimensions_job, sales_backfill_job, audit_job]

# Declarative automation: dbt models carry AutomationCondition.eager() (set by the dbt translator), so facts
# refresh when their staging assets do. The evaluating sensor is explicit so that it, too, starts stopped.
automation_sensor = AutomationConditionSensorDefinition(
    "qtickets_automation_sensor",
    target=AssetSelection.all(),
    default_status=DefaultSensorStatus.STOPPED,
    description="Evaluates the automation conditions: refreshes dbt models after their staging assets update.",
)
