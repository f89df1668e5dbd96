"""The pandera asset checks against a real ClickHouse: which rows they read, what they report, and that a failing
check blocks downstream assets in the same run while the raw rows stay in staging.

The staging asset here is a small stand-in that writes rows the way the contract says (payload + key columns +
_run_id/_version); the full chain with the sandbox, the ingestion assets and dbt is in test_quality.py.
"""

import json
from datetime import UTC, datetime

import dagster as dg
import pytest

from qtickets_assets.quality.checks import evaluate, quality_checks
from qtickets_assets.quality.contracts import CONTRACTS
from tests.contract_examples import example_object

COLUMNS = [
    "order_id",
    "event_id",
    "payed",
    "created_at",
    "payed_at",
    "updated_at",
    "deleted_at",
    "payload",
    "_loaded_at",
    "_run_id",
    "_version",
]
TABLE = "stg_qtickets_api_orders_raw"


def order(i, **changes):
    o = example_object("orders")
    o["id"] = 7000 + i
    o["baskets"][0]["id"] = 9100 + i
    o["baskets"][0]["barcode"] = str(877076325000 + i)
    o["baskets"][0]["client_email"] = f"holder{i}@example.org"
    o.update(changes)
    return o


def insert_orders(client, orders, run_id, version):
    now = datetime.now(UTC)
    rows = [
        [
            o["id"],
            o["event_id"],
            int(bool(o["payed"])),
            now,
            None,
            None,
            None,
            json.dumps(o, ensure_ascii=False, separators=(",", ":")),
            now,
            run_id,
            version,
        ]
        for o in orders
    ]
    client.insert(TABLE, rows, column_names=COLUMNS)


def test_check_reads_the_newest_load_and_reports_masked_failures(fresh_clickhouse):
    client = fresh_clickhouse.get_client()
    rq = CONTRACTS["orders"]
    empty = evaluate(client, rq, None)
    assert empty.passed and "no rows" in empty.description

    insert_orders(client, [order(i) for i in range(5)], "run-good", 1)
    good = evaluate(client, rq, None)
    assert good.passed, good.description
    assert good.metadata["rows_checked"].value == 5 and good.metadata["run_id_checked"].value == "run-good"

    bad = [order(i, price=-1) for i in range(3)] + [order(10, payed_at=None)]
    bad[0]["baskets"][0]["client_email"] = "not-an-email ivan.petrov@example.ru"
    bad[0]["baskets"][0]["quantity"] = 0
    insert_orders(client, bad, "run-bad", 2)
    result = evaluate(client, rq, None)
    assert not result.passed
    assert result.severity == dg.AssetCheckSeverity.ERROR
    meta = {k: v.value for k, v in result.metadata.items()}
    assert meta["run_id_checked"] == "run-bad" and meta["rows_checked"] == 4  # only the newest load
    assert meta["failed_rows_by_check"]["orders.price: greater_than_or_equal_to(0)"] == 3
    assert meta["failed_rows_by_check"]["orders.payed_at_set_when_payed"] == 1
    assert meta["failed_rows_by_check"]["baskets.quantity: greater_than_or_equal_to(1)"] == 1
    assert "ivan.petrov" not in json.dumps(meta, ensure_ascii=False, default=str)

    # the current run's rows win over a newer load by another run
    assert evaluate(client, rq, "run-good").passed
    # nothing was deleted
    assert client.query(f"SELECT count() FROM {TABLE}").result_rows[0][0] == 9


def _job_parts(rows_for_run):
    @dg.asset(name=TABLE, required_resource_keys={"clickhouse"})
    def staging(context):
        insert_orders(context.resources.clickhouse.get_client(), rows_for_run(), context.run.run_id, 10)

    @dg.asset(deps=[staging])
    def fact_orders_downstream():
        return 1

    orders_check = next(c for c in quality_checks if dg.AssetKey(TABLE) in {k.asset_key for k in c.check_keys})
    return [staging, fact_orders_downstream, orders_check]


@pytest.mark.parametrize("good", [False, True])
def test_failing_check_blocks_downstream_in_the_same_run(fresh_clickhouse, good):
    rows = (lambda: [order(i) for i in range(3)]) if good else (lambda: [order(i, payed_at=None) for i in range(3)])
    result = dg.materialize(_job_parts(rows), resources={"clickhouse": fresh_clickhouse}, raise_on_error=False)
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == 1 and evaluations[0].passed is good
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert dg.AssetKey(TABLE) in materialized
    assert (dg.AssetKey("fact_orders_downstream") in materialized) is good
    client = fresh_clickhouse.get_client()
    assert (
        client.query(f"SELECT count() FROM {TABLE} WHERE _run_id = %(r)s", parameters={"r": result.run_id}).result_rows[
            0
        ][0]
        == 3
    )  # raw rows stay either way
