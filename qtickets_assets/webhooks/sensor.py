"""The webhook table in Dagster: an external asset, and `qtickets_webhook_sensor`, which follows its new rows.

The receiver (`qtickets-platform webhooks`) writes stg_qtickets_webhooks_raw, not a Dagster asset, so the table is
an AssetSpec with that key (group "ingestion", like the API staging tables): dbt's source `qtickets_webhooks`
carries the same key (meta.dagster.asset_key), so the lineage runs webhooks -> stg_qtickets__orders -> marts.

The sensor (STOPPED by default, like the schedules) reads the rows with `_version` above its cursor (the receiver
gives every row a unique, increasing _version), records an AssetObservation on the asset with the counts, and
requests ONE run rebuilding the staging models that read the webhooks and the sales-fact months those deliveries
touch: the payment months of every known version of the orders concerned (the API's rows included, as the orders
load's own months query does). The months go as one partition range from the first to the last (a month in between
with nothing new is rebuilt for nothing, which is correct and cheaper than a second run rebuilding the same staging
tables). Run keys carry the newest _version, so each request is unique. An observation, not a materialization: a
materialization would also wake the eager dbt models under the automation sensor and rebuild them twice.

Interval: QTICKETS_WEBHOOK_SENSOR_SECONDS (default 30).
"""

from __future__ import annotations

import os

from dagster import (
    AssetKey,
    AssetObservation,
    AssetSpec,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    sensor,
)

from qtickets_assets.clickhouse.resource import ClickHouseResource
from qtickets_assets.settings import SettingError, timezone
from qtickets_assets.transform.partitions import RANGE_END_TAG, RANGE_START_TAG, SALES_FACTS, SALES_MONTHS
from qtickets_assets.webhooks.tables import WEBHOOKS_COMMENT, WEBHOOKS_TABLE

SENSOR_NAME = "qtickets_webhook_sensor"
INTERVAL_ENV = "QTICKETS_WEBHOOK_SENSOR_SECONDS"
# The staging models that read the webhook table (stg_qtickets__baskets through stg_qtickets__orders' choice).
WEBHOOK_MODELS = ("stg_qtickets__orders", "stg_qtickets__baskets")
RUN_KEYS = [AssetKey(name) for name in (*WEBHOOK_MODELS, *SALES_FACTS)]

WEBHOOKS_ASSET = AssetSpec(
    key=AssetKey(WEBHOOKS_TABLE),
    description=WEBHOOKS_COMMENT,
    group_name="ingestion",
    kinds={"clickhouse"},
    metadata={"written_by": "qtickets-platform webhooks (docs/webhooks.md)"},
)

NEW_ROWS_SQL = f"""
SELECT count(), max(_version), toString(max(received_at))
FROM {WEBHOOKS_TABLE}
WHERE _version > {{cursor:UInt64}}
"""

# The payment months of every version known of the orders the new deliveries are about.
MONTHS_SQL = f"""
WITH touched AS (SELECT DISTINCT order_id FROM {WEBHOOKS_TABLE} WHERE _version > {{cursor:UInt64}} AND _version <= {{upto:UInt64}})
SELECT DISTINCT toString(toStartOfMonth(toTimeZone(payed_at, {{tz:String}}))) AS month
FROM (
    SELECT payed_at FROM {WEBHOOKS_TABLE} WHERE order_id IN touched AND payed_at IS NOT NULL
    UNION ALL
    SELECT payed_at FROM stg_qtickets_api_orders_raw WHERE order_id IN touched AND payed_at IS NOT NULL
)
ORDER BY month
"""


def interval_seconds(env: dict | None = None) -> int:
    value = (env if env is not None else os.environ).get(INTERVAL_ENV, "").strip() or "30"
    if not value.isdigit() or int(value) < 1:
        raise SettingError(f"{INTERVAL_ENV}={value!r} is not a positive number of seconds")
    return int(value)


def month_span(months: list[str], known: list[str]) -> tuple[str, str] | None:
    """The partition range from the first to the last of `months` that are partitions (None when none is)."""
    inside = sorted(m for m in months if m in set(known))
    return (inside[0], inside[-1]) if inside else None


def evaluate(context: SensorEvaluationContext, clickhouse: ClickHouseResource) -> SensorResult:
    cursor = int(context.cursor or 0)
    client = clickhouse.get_client()
    try:
        count, newest, newest_received = client.query(NEW_ROWS_SQL, parameters={"cursor": cursor}).result_rows[0]
        if not count:
            return SensorResult(skip_reason="no new webhook deliveries", cursor=str(cursor))
        months = [
            row[0]
            for row in client.query(
                MONTHS_SQL, parameters={"cursor": cursor, "upto": newest, "tz": timezone()}
            ).result_rows
        ]
        total = int(client.command(f"SELECT count() FROM {WEBHOOKS_TABLE}"))
    finally:
        client.close()
    observation = AssetObservation(
        asset_key=WEBHOOKS_ASSET.key,
        metadata={
            "new_rows": int(count),
            "rows": total,
            "newest_received_at": str(newest_received),
            "sales_months": months,
        },
    )
    known = SALES_MONTHS.get_partition_keys()
    span = month_span(months, known)
    outside = sorted(set(months) - set(known))
    if outside:
        context.log.warning(f"months outside the sales partitions are not rebuilt: {', '.join(outside[:12])}")
    requests = []
    if span is not None:
        start, end = span
        requests.append(
            RunRequest(
                run_key=f"webhooks-{start}-{end}-{newest}",
                asset_selection=RUN_KEYS,
                tags={RANGE_START_TAG: start, RANGE_END_TAG: end, "qtickets/trigger": SENSOR_NAME},
            )
        )
    context.log.info(f"{count} new webhook deliveries; months {months[:12]}; {len(requests)} run(s)")
    return SensorResult(run_requests=requests, asset_events=[observation], cursor=str(newest))


@sensor(
    name=SENSOR_NAME,
    asset_selection=RUN_KEYS,
    minimum_interval_seconds=interval_seconds(),
    default_status=DefaultSensorStatus.STOPPED,
    description="Follows new webhook deliveries (stg_qtickets_webhooks_raw): observes the table and rebuilds the "
    "orders staging and the sales-fact months they touch (QTICKETS_WEBHOOK_SENSOR_SECONDS).",
)
def webhook_sensor(context: SensorEvaluationContext, clickhouse: ClickHouseResource):
    return evaluate(context, clickhouse)
