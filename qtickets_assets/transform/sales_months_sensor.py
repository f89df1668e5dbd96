"""`qtickets_sales_months_sensor`: after a load, rebuild exactly the sales-fact months it touched, as partitions.

Each load of a resource with `sales_months_sql` in the catalog (orders; events, for renames) reports the months it
changed in its materialization metadata (`sales_months`). The facts do not read the raw staging tables but dbt's
staging models, so a month is requested only once the model the catalog names (`sales_input_model`, e.g.
stg_qtickets__baskets) has been rebuilt after that load: in the same run (the orders job rebuilds it right after
the load), or in a run that started after the load finished. Until then the months wait in the cursor, so a run
stopped by a blocking check loses nothing: its months go with the next good rebuild.

Months are grouped into ranges of consecutive partitions, one run per range (BackfillPolicy.single_run: one dbt
build per range). Months outside the partitions (before QTICKETS_SALES_START) are skipped and logged. The cursor
(JSON) keeps, per resource, the last materialization seen and the months still waiting.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from dagster import (
    AssetKey,
    AssetRecordsFilter,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from qtickets_assets.qtickets.ingest.assets import SALES_MONTHS_KEY
from qtickets_assets.qtickets.ingest.catalog import CATALOG
from qtickets_assets.transform.partitions import (
    RANGE_END_TAG,
    RANGE_START_TAG,
    SALES_FACTS,
    SALES_MONTHS,
    contiguous_ranges,
)

SENSOR_NAME = "qtickets_sales_months_sensor"
SOURCES = {e.table: e.sales_input_model for e in CATALOG.values() if e.sales_months_sql}
FACT_KEYS = [AssetKey(name) for name in SALES_FACTS]


@dataclass
class Pending:
    seen: int = 0  # storage id of the last load materialization read
    months: list[str] = field(default_factory=list)
    loaded_at: float = 0.0  # when the newest of those loads finished (epoch s)
    load_run: str = ""  # the run of that load


def _read_cursor(text: str | None) -> dict[str, Pending]:
    data = json.loads(text) if text else {}
    return {table: Pending(**data.get(table, {})) for table in SOURCES}


def _rebuilt_after(context: SensorEvaluationContext, model: str, state: Pending) -> bool:
    """Has `model` been materialized from data that includes the pending loads?"""
    records = context.instance.fetch_materializations(AssetKey(model), limit=1).records
    if not records or records[0].storage_id <= state.seen:
        return False
    latest = records[0]
    if latest.run_id == state.load_run:
        return True  # the same run: dbt's staging step ran after the load step
    run = context.instance.get_run_record_by_id(latest.run_id)
    return run is not None and (run.start_time or 0) >= state.loaded_at


def evaluate(context: SensorEvaluationContext) -> SensorResult | SkipReason:
    first_evaluation = not context.cursor
    state = _read_cursor(context.cursor)
    for table, pending in state.items():
        records = context.instance.fetch_materializations(
            AssetRecordsFilter(asset_key=AssetKey(table), after_storage_id=pending.seen or None),
            limit=100,
            ascending=True,
        ).records
        for record in records:
            if not first_evaluation:  # the first evaluation only marks where to start
                metadata = record.asset_materialization.metadata
                value = metadata.get(SALES_MONTHS_KEY)
                months = value.value if value is not None else []
                pending.months = sorted(set(pending.months) | set(months or []))
                pending.loaded_at, pending.load_run = record.timestamp, record.run_id
            pending.seen = record.storage_id

    ready: set[str] = set()
    for table, pending in state.items():
        if pending.months and _rebuilt_after(context, SOURCES[table], pending):
            ready |= set(pending.months)
            pending.months = []
    cursor = json.dumps({table: vars(p) for table, p in state.items()}, sort_keys=True)
    if not ready:
        return SensorResult(skip_reason="no load whose months are ready to rebuild", cursor=cursor)

    known = SALES_MONTHS.get_partition_keys()
    outside = sorted(ready - set(known))
    if outside:
        context.log.warning(
            f"months outside the sales partitions (QTICKETS_SALES_START={known[0]}) are not rebuilt: "
            f"{', '.join(outside[:12])}{' ...' if len(outside) > 12 else ''}"
        )
    newest = max(p.seen for p in state.values())
    requests = [
        RunRequest(
            run_key=f"sales-months-{start}-{end}-{newest}",
            asset_selection=FACT_KEYS,
            tags={RANGE_START_TAG: start, RANGE_END_TAG: end},
        )
        for start, end in contiguous_ranges(ready, known)
    ]
    context.log.info(f"rebuilding {len(ready) - len(outside)} months in {len(requests)} run(s)")
    return SensorResult(run_requests=requests, cursor=cursor)


@sensor(
    name=SENSOR_NAME,
    asset_selection=FACT_KEYS,
    minimum_interval_seconds=30,
    # Running from the start, like the failure sensor: it only acts after loads, and without it the facts would
    # never follow the orders schedule.
    default_status=DefaultSensorStatus.RUNNING,
    description="Rebuilds the sales-fact months each orders or events load touched, as partitions, once the "
    "staging models the facts read have been rebuilt.",
)
def sales_months_sensor(context: SensorEvaluationContext):
    return evaluate(context)
