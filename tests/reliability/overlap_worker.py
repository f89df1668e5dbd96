"""One of two overlapping runs for test_concurrency.py: `python -m tests.reliability.overlap_worker`.

Materializes the orders staging asset (full load) + the dbt models up to the sales fact on the Dagster instance
of $DAGSTER_HOME (so the `qtickets_api` pool of its dagster.yaml applies), with the settings from the environment
like a deployment, and prints one JSON line: success, run id, and when each step started and ended (from the
instance's event log).
"""

from __future__ import annotations

import json
import os

import dagster as dg

from qtickets_assets.qtickets.client.resource import QTicketsResource
from qtickets_assets.qtickets.ingest.assets import STEP_NAME, build_staging_assets
from qtickets_assets.qtickets.ingest.catalog import CATALOG
from qtickets_assets.resources import clickhouse_resource
from qtickets_assets.transform.assets import DBT_ASSETS
from qtickets_assets.transform.partitions import all_months_tags
from qtickets_assets.transform.project import dbt_resource


def main() -> None:
    orders = build_staging_assets([CATALOG["orders"]])
    qtickets = QTicketsResource.from_env(
        page_size=int(os.environ["OVERLAP_PAGE_SIZE"]),
        requests_per_second=float(os.environ["QTICKETS_REQUESTS_PER_SECOND"]),
        max_concurrency=4,
    )
    instance = dg.DagsterInstance.get()
    # orders + the dbt models between it and the sales fact (their tests included), not every mart: two full dbt
    # builds side by side on 2 cores cost ~30 s and prove nothing more about the orders step
    selection = dg.AssetSelection.assets(dg.AssetKey("fact_qtickets_sales_daily")).upstream()
    resources = {"qtickets": qtickets, "clickhouse": clickhouse_resource(), "dbt": dbt_resource()}
    result = dg.materialize(
        [orders, *DBT_ASSETS],
        instance=instance,
        raise_on_error=False,
        selection=selection,
        resources=resources,
        run_config={"ops": {STEP_NAME: {"config": {"mode": "full"}}}},
        tags=all_months_tags(),
    )
    steps: dict[str, dict] = {}
    for entry in instance.all_logs(result.run_id):
        event = entry.dagster_event
        if event is None:
            continue
        kind = event.event_type_value
        if kind == "STEP_START":
            steps.setdefault(entry.step_key, {})["start"] = entry.timestamp
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            steps.setdefault(entry.step_key, {})["end"] = entry.timestamp
    failures = {e.step_key: e.step_failure_data.error.message[-1500:] for e in result.all_events if e.is_step_failure}
    print(json.dumps({"success": result.success, "run_id": result.run_id, "steps": steps, "failures": failures}))


if __name__ == "__main__":
    main()
