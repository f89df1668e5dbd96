"""qtickets_sales_months_sensor on a real (ephemeral) Dagster instance: loads report the months they touched; the
sensor requests exactly those partitions, grouped into consecutive ranges, once the staging model the facts read
has been rebuilt, and keeps waiting months in its cursor until then."""

from __future__ import annotations

import json

import dagster as dg

from qtickets_assets.transform.partitions import RANGE_END_TAG, RANGE_START_TAG, SALES_MONTHS
from qtickets_assets.transform.sales_months_sensor import evaluate

ORDERS = dg.AssetKey("stg_qtickets_api_orders_raw")
BASKETS = dg.AssetKey("stg_qtickets__baskets")


def _load(instance, months: list[str]) -> None:
    instance.report_runless_asset_event(
        dg.AssetMaterialization(ORDERS, metadata={"sales_months": dg.MetadataValue.json(months)})
    )


def _rebuilt(instance) -> None:
    instance.report_runless_asset_event(dg.AssetMaterialization(BASKETS))


def _tick(instance, cursor):
    result = evaluate(dg.build_sensor_context(instance=instance, cursor=cursor))
    requests = [(r.tags[RANGE_START_TAG], r.tags[RANGE_END_TAG]) for r in (result.run_requests or [])]
    return requests, result.cursor


def test_a_load_touching_two_months_requests_exactly_those_two_partitions():
    with dg.instance_for_test() as instance:
        requests, cursor = _tick(instance, None)  # the first evaluation only marks where to start
        assert requests == []
        _load(instance, ["2026-10-01", "2026-11-01"])
        requests, cursor = _tick(instance, cursor)
        assert requests == [], "nothing before the staging model the facts read is rebuilt"
        assert json.loads(cursor)[ORDERS.path[0]]["months"] == ["2026-10-01", "2026-11-01"]
        _rebuilt(instance)
        requests, cursor = _tick(instance, cursor)
        assert requests == [("2026-10-01", "2026-11-01")]  # one run, two partitions
        assert _tick(instance, cursor)[0] == []  # and never twice


def test_months_apart_become_separate_ranges_and_waiting_months_accumulate():
    with dg.instance_for_test() as instance:
        _, cursor = _tick(instance, None)
        _load(instance, ["2026-03-01"])
        _, cursor = _tick(instance, cursor)
        _load(instance, ["2026-05-01", "2026-06-01", "2014-02-01"])  # a month before QTICKETS_SALES_START
        _rebuilt(instance)
        requests, _ = _tick(instance, cursor)
        assert requests == [("2026-03-01", "2026-03-01"), ("2026-05-01", "2026-06-01")]
        assert "2014-02-01" not in SALES_MONTHS.get_partition_keys()


def test_a_load_with_no_months_requests_nothing():
    with dg.instance_for_test() as instance:
        _, cursor = _tick(instance, None)
        _load(instance, [])
        _rebuilt(instance)
        assert _tick(instance, cursor)[0] == []
