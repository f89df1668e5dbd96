"""Pure helpers of the webhook receiver and sensor: signature check, delivery hash, body reading, group commit."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from qtickets_assets.settings import SettingError
from qtickets_assets.webhooks.receiver import Batcher, Unreadable, delivery_hash, read_order, signature_ok
from qtickets_assets.webhooks.sensor import interval_seconds, month_span
from qtickets_assets.webhooks.tables import webhook_ddl_statements

KEY = b"unit-secret"
BODY = b'{"id": 7, "updated_at": "2026-11-20T12:00:00+03:00", "payed_at": "2026-11-20T11:59:00+03:00"}'


def test_signature_is_the_hmac_sha1_hex_of_the_raw_body():
    good = hmac.new(KEY, BODY, hashlib.sha1).hexdigest()
    assert signature_ok(KEY, BODY, good)
    assert signature_ok(KEY, BODY, good.upper())  # hex digits in either case
    assert signature_ok(KEY, BODY, f" {good} ")
    assert not signature_ok(KEY, BODY + b" ", good)  # the raw bytes, not a re-serialisation
    assert not signature_ok(b"other", BODY, good)
    assert not signature_ok(KEY, BODY, None)
    assert not signature_ok(KEY, BODY, "")
    assert not signature_ok(KEY, BODY, good[:-1])
    assert not signature_ok(KEY, BODY, "é" * 40)  # not ASCII: refused, no exception
    assert not signature_ok(b"", BODY, hmac.new(b"", BODY, hashlib.sha1).hexdigest())  # no secret, no trust


def test_delivery_hash_is_body_and_event():
    assert delivery_hash(BODY, "payed") == delivery_hash(BODY, "payed")
    assert delivery_hash(BODY, "payed") != delivery_hash(BODY, "updated")
    assert delivery_hash(BODY, "payed") != delivery_hash(BODY + b" ", "payed")
    assert 0 <= delivery_hash(BODY, "x") < 2**64


def test_read_order_takes_id_and_times_in_utc():
    order_id, updated_at, payed_at = read_order(BODY)
    assert order_id == 7
    assert updated_at == datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    assert payed_at == datetime(2026, 11, 20, 8, 59, tzinfo=UTC)
    assert read_order(b'{"id": "12", "updated_at": null}')[0:1] == (12,)
    assert read_order(b'{"id": 3}')[1] == datetime(1970, 1, 1, tzinfo=UTC)  # unreadable updated_at: epoch


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "not_json"),
        (b"\xff\xfe", "not_json"),
        (b"", "not_json"),
        (b"[1]", "no_order_id"),
        (b'"text"', "no_order_id"),
        (b"{}", "no_order_id"),
        (b'{"id": null}', "no_order_id"),
        (b'{"id": "abc"}', "no_order_id"),
        (b'{"id": -1}', "no_order_id"),
        (b'{"id": true}', "no_order_id"),
        (b'{"id": 1.5}', "no_order_id"),
    ],
)
def test_unreadable_bodies_name_their_reason(body, reason):
    with pytest.raises(Unreadable) as err:
        read_order(body)
    assert err.value.reason == reason


def test_batcher_groups_concurrent_submits_into_one_write():
    writes = []

    def write(items):
        writes.append(list(items))
        return [item * 10 for item in items]

    async def scenario():
        batcher = Batcher(write, batch_ms=20, batch_rows=100)
        batcher.start()
        results = await asyncio.gather(*[batcher.submit(i) for i in range(50)])
        await batcher.stop()
        return results

    assert asyncio.run(scenario()) == [i * 10 for i in range(50)]
    assert len(writes) == 1 and sorted(writes[0]) == list(range(50))


def test_batcher_caps_rows_and_hands_failures_to_every_waiter():
    calls = []

    def write(items):
        calls.append(len(items))
        if 13 in items:
            raise RuntimeError("insert failed")
        return [True] * len(items)

    async def scenario():
        batcher = Batcher(write, batch_ms=50, batch_rows=10)
        batcher.start()
        results = await asyncio.gather(*[batcher.submit(i) for i in range(25)], return_exceptions=True)
        await batcher.stop()
        return results

    results = asyncio.run(scenario())
    assert max(calls) <= 10 and sum(calls) == 25
    failed = [i for i, r in enumerate(results) if isinstance(r, RuntimeError)]
    assert 13 in failed and len(failed) == 10  # the whole batch of 13 failed, the others succeeded
    assert all(r is True for i, r in enumerate(results) if i not in failed)


def test_month_span_and_interval():
    known = ["2026-09-01", "2026-10-01", "2026-11-01", "2026-12-01"]
    assert month_span(["2026-11-01", "2026-09-01"], known) == ("2026-09-01", "2026-11-01")
    assert month_span(["2014-01-01"], known) is None
    assert month_span([], known) is None
    assert interval_seconds({}) == 30
    assert interval_seconds({"QTICKETS_WEBHOOK_SENSOR_SECONDS": "5"}) == 5
    for bad in ("0", "-1", "soon"):
        with pytest.raises(SettingError):
            interval_seconds({"QTICKETS_WEBHOOK_SENSOR_SECONDS": bad})


def test_ddl_comments_every_column():
    for _name, statement in webhook_ddl_statements():
        columns = [ln for ln in statement.splitlines() if ln.startswith("    ")]
        assert columns and all(" COMMENT '" in ln for ln in columns)
        assert "ReplacingMergeTree(_version)" in statement and "delivery_hash" in statement


def test_sensor_is_stopped_and_the_table_feeds_orders_staging():
    from dagster import AssetKey, DefaultSensorStatus

    from qtickets_assets.definitions import defs

    sensor = defs.resolve_sensor_def("qtickets_webhook_sensor")
    assert sensor.default_status == DefaultSensorStatus.STOPPED
    graph = defs.resolve_asset_graph()
    assert AssetKey("stg_qtickets_webhooks_raw") in graph.get(AssetKey("stg_qtickets__orders")).parent_keys
    assert AssetKey("stg_qtickets_webhooks_raw") in graph.get(AssetKey("stg_qtickets__baskets")).parent_keys
    # The external asset is in the ingestion group: the jobs' selections never try to materialize it.
    assert graph.get(AssetKey("stg_qtickets_webhooks_raw")).group_name == "ingestion"
    for job in defs.resolve_all_job_defs():
        if not job.name.startswith("__"):
            assert AssetKey("stg_qtickets_webhooks_raw") not in job.asset_layer.executable_asset_keys, job.name
