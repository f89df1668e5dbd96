"""The monthly sales partitions through Dagster's own machinery (tests/deploy/conftest.py starts the topology):
backfills launched as the UI launches them (the daemon's backfill loop, BackfillPolicy.single_run), the
sales-months sensor after a load, and the orders reload job's monthly backfill."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from datetime import UTC
from zoneinfo import ZoneInfo

from qtickets_assets.qtickets.ingest.catalog import CATALOG
from qtickets_assets.transform.partitions import RANGE_END_TAG, RANGE_START_TAG, SALES_FACTS, SALES_MONTHS
from tests.deploy.conftest import (
    BACKFILL,
    BACKFILL_STATUS,
    DEPLOY_MARKS,
    ORDERS_JOB,
    REPO,
    SALES_SENSOR,
    facts_match,
    run_tags,
    screenshot,
    why,
)
from tests.facts_oracle import TZ_NAME, assert_same, expected_sales, fact_sales

pytestmark = DEPLOY_MARKS

KEYS = SALES_MONTHS.get_partition_keys()
TZ = ZoneInfo(TZ_NAME)


def _fact_rows_by_month(prod) -> dict[str, list[tuple]]:
    """Every column of every row of the daily sales fact (its build watermark included), as text, by month."""
    client = prod["clickhouse"].get_client()
    try:
        rows = client.query("SELECT * FROM fact_qtickets_sales_daily ORDER BY sales_date, event_id, show_id")
    finally:
        client.close()
    out: dict[str, list[tuple]] = defaultdict(list)
    for row in rows.result_rows:
        out[row[0].replace(day=1).isoformat()].append(tuple(str(v) for v in row))
    return out


def _months_of_run(prod, run_id: str) -> set[str]:
    """Python's own answer to "which sales months did this orders load change": every version's payed_at of every
    order the run wrote, as a local month."""
    client = prod["clickhouse"].get_client()
    try:
        table = CATALOG["orders"].table
        rows = client.query(
            f"SELECT payed_at FROM {table} WHERE order_id IN (SELECT order_id FROM {table} WHERE _run_id = {{r:String}})",
            parameters={"r": run_id},
        ).result_rows
    finally:
        client.close()
    return {p.replace(tzinfo=UTC).astimezone(TZ).date().replace(day=1).isoformat() for (p,) in rows if p is not None}


def _load_months_metadata(ops, run_id: str) -> set[str]:
    answer = ops.q(
        """query($id: ID!) { runOrError(runId: $id) { ... on Run { eventConnection { events { __typename
        ... on MaterializationEvent { assetKey { path } metadataEntries { label ... on JsonMetadataEntry { jsonString } } }
        } } } } }""",
        id=run_id,
    )["runOrError"]
    for event in answer["eventConnection"]["events"]:
        if event["__typename"] == "MaterializationEvent" and event["assetKey"]["path"] == [CATALOG["orders"].table]:
            entry = next(e for e in event["metadataEntries"] if e["label"] == "sales_months")
            return set(json.loads(entry["jsonString"]))
    raise AssertionError(f"run {run_id} has no orders materialization")


def _requested_months(runs: list[dict]) -> set[str]:
    months: set[str] = set()
    for run in runs:
        tags = run_tags(run)
        start, end = KEYS.index(tags[RANGE_START_TAG]), KEYS.index(tags[RANGE_END_TAG])
        months |= set(KEYS[start : end + 1])
    return months


def test_a_load_requests_exactly_its_months_and_a_backfill_rebuilds_exactly_its_range(prod):
    ops, sandbox = prod["ops"], prod["sandbox"]
    # An orders load reports the months it touched; the sensor requests exactly those partitions.
    started = time.time()
    first = ops.wait_run(ops.launch(ORDERS_JOB))
    assert first["status"] == "SUCCESS", why(first)
    reported = _load_months_metadata(ops, first["runId"])
    assert reported == _months_of_run(prod, first["runId"])
    rebuilt = ops.wait_sales_rebuild(started)
    assert all(r["status"] == "SUCCESS" for r in rebuilt), [why(r) for r in rebuilt]
    assert _requested_months(rebuilt) == reported & set(KEYS)
    facts_match(prod)

    # Every month through the backfill machinery: one run for the whole range (single_run), the same facts.
    everything = ops.backfill(list(SALES_FACTS), KEYS[0], KEYS[-1])
    assert everything["status"] == "COMPLETED_SUCCESS", [why(ops.run(r["runId"])) for r in everything["runs"]]
    assert len(everything["runs"]) == 1, everything["runs"]
    facts_match(prod)

    ops.stop_sensor(SALES_SENSOR)  # the facts go stale on purpose: a load without its months rebuilt
    try:
        sandbox.advance(240)
        load = ops.wait_run(ops.launch(ORDERS_JOB))
        assert load["status"] == "SUCCESS", why(load)
        touched = _load_months_metadata(ops, load["runId"])
        assert touched == _months_of_run(prod, load["runId"]), "the load reported other months than it changed"
        assert len(touched) >= 2, touched

        # Three consecutive months, the newest touched one last: rebuilt; every other month byte for byte as it was.
        last = max(touched)
        chosen = KEYS[KEYS.index(last) - 2 : KEYS.index(last) + 1]
        before = _fact_rows_by_month(prod)
        backfill = ops.backfill(list(SALES_FACTS), chosen[0], chosen[-1])
        assert backfill["status"] == "COMPLETED_SUCCESS", [why(ops.run(r["runId"])) for r in backfill["runs"]]
        after = _fact_rows_by_month(prod)
        for month in set(before) | set(after):
            if month not in chosen:
                assert after.get(month) == before.get(month), f"{month} changed though it was not in the backfill"
        truth = expected_sales(sandbox.export("orders"), sandbox.export("events"))
        in_range = {k: v for k, v in truth.items() if k[0].replace(day=1).isoformat() in chosen}
        got = {
            k: v
            for k, v in fact_sales(prod["clickhouse"].get_client()).items()
            if k[0].replace(day=1).isoformat() in chosen
        }
        assert_same(got, in_range, f"fact_qtickets_sales_daily in {chosen}")
        screenshot(prod, "/assets/fact_qtickets_sales_daily?view=partitions", "sales_partitions.png", ["Partitions"])
    finally:
        resumed = time.time()
        ops.start_sensor(SALES_SENSOR)
    # The sensor resumes from its cursor: it requests exactly the months the load touched, and the facts are whole.
    rebuilt = ops.wait_sales_rebuild(resumed - 5)
    assert all(r["status"] == "SUCCESS" for r in rebuilt), [why(r) for r in rebuilt]
    assert _requested_months(rebuilt) == touched & set(KEYS)
    facts_match(prod)


def test_a_backfill_of_a_month_without_sales_leaves_it_empty(prod):
    ops = prod["ops"]
    empty = KEYS[0]  # QTICKETS_SALES_START's month: the sandbox sold nothing then
    state = ops.backfill(list(SALES_FACTS), empty, empty)
    assert state["status"] == "COMPLETED_SUCCESS", [why(ops.run(r["runId"])) for r in state["runs"]]
    assert empty not in _fact_rows_by_month(prod)


def test_reloading_orders_by_created_month_is_a_backfill_and_the_fact_months_follow(prod):
    ops, sandbox = prod["ops"], prod["sandbox"]
    orders = sandbox.export("orders")
    created = defaultdict(int)
    for order in orders:
        created[order["created_at"][:7] + "-01"] += 1
    month = max(created)  # the newest month with orders
    params = {
        "selector": {"partitionSetName": "reload_orders_job_partition_set", "repositorySelector": REPO},
        "partitionNames": [month],
        "title": f"reload orders created in {month}",
    }
    answer = ops.q(BACKFILL, p=params)["launchPartitionBackfill"]
    assert answer["__typename"] == "LaunchBackfillSuccess", answer
    started = time.time()
    deadline = time.monotonic() + 300
    while True:
        state = ops.q(BACKFILL_STATUS, id=answer["backfillId"])["partitionBackfillOrError"]
        if state["status"] not in ("REQUESTED", "CANCELING") or time.monotonic() > deadline:
            break
        time.sleep(3)
    assert state["status"] == "COMPLETED_SUCCESS", state
    (run,) = state["runs"]
    client = prod["clickhouse"].get_client()
    try:
        reloaded = client.query(
            f"SELECT count() FROM {CATALOG['orders'].table} WHERE _run_id = {{r:String}}",
            parameters={"r": run["runId"]},
        ).result_rows[0][0]
    finally:
        client.close()
    assert reloaded == created[month], (reloaded, created[month])  # exactly the orders created that month
    rebuilt = ops.wait_sales_rebuild(started)
    assert all(r["status"] == "SUCCESS" for r in rebuilt), [why(r) for r in rebuilt]
    facts_match(prod)
