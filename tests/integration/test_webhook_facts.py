"""Facts from webhooks, end to end: sandbox -> its webhook sender over HTTP -> the receiver process -> the embedded
ClickHouse -> qtickets_webhook_sensor -> the dbt run it requests -> fact_qtickets_sales_daily, checked row by row
against the independent recomputation from the sandbox's export (tests/facts_oracle.py).

1. History loaded once from the API, then polling OFF: after `advance` (new orders, payments, refunds, scans,
   expiries, all pushed as webhooks) the sensor's run alone makes the facts exact.
2. Webhooks AND polling: after another advance, the orders are polled too (the same changes now arrive both ways);
   the facts are exact again, nothing doubled.
The sensor's run is executed as it requests it (its asset selection and partition range tags) with
dagster.materialize, in process: no daemon.
"""

from __future__ import annotations

import os
import time
from decimal import Decimal

import pytest
from dagster import DagsterInstance, build_sensor_context, materialize

from qtickets_assets.clickhouse.resource import ClickHouseResource
from qtickets_assets.local.clickhouse_server import EmbeddedClickHouse, free_port
from qtickets_assets.qtickets.ingest.assets import STAGING_ASSETS
from qtickets_assets.resources import resources_for
from qtickets_assets.transform.partitions import RANGE_END_TAG, RANGE_START_TAG
from qtickets_assets.transform.project import prepare_manifest
from qtickets_assets.webhooks.sensor import RUN_KEYS, webhook_sensor
from qtickets_assets.webhooks.testing import ReceiverProcess
from qtickets_sandbox.testing import SandboxServer
from tests.facts_oracle import TZ_NAME, assert_same, expected_sales, fact_sales

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

SECRET = "facts-test-webhook-secret"
RAW = "stg_qtickets_webhooks_raw"


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    prepare_manifest()
    port = free_port()
    hooks = ["--webhook-url", f"http://127.0.0.1:{port}/webhooks/qtickets", "--webhook-secret", SECRET]
    with EmbeddedClickHouse(path=tmp_path_factory.mktemp("ch"), http_port=0, tcp_port=0) as ch:
        saved = dict(os.environ)
        os.environ.update({**ch.env(), "QTICKETS_TIMEZONE": TZ_NAME})
        try:
            clickhouse = ClickHouseResource(host=ch.host, port=ch.http_port, database="qtickets")
            clickhouse.bootstrap()
            with (
                ReceiverProcess(ch.env(), SECRET, port=port) as receiver,
                SandboxServer(orders=1500, seed=42, extra_args=[*hooks, "--webhook-retry-scale", "0.01"]) as sandbox,
            ):
                resources = resources_for(clickhouse, sandbox)
                yield sandbox, receiver, clickhouse, resources, DagsterInstance.ephemeral()
        finally:
            os.environ.clear()
            os.environ.update(saved)


def sensor_context(instance, clickhouse, cursor=None):
    from qtickets_assets.definitions import defs

    return build_sensor_context(
        instance=instance,
        cursor=cursor,
        resources={"clickhouse": clickhouse},
        repository_def=defs.get_repository_def(),
    )


def dbt_assets():
    from qtickets_assets.transform.assets import DBT_ASSETS

    return DBT_ASSETS


def wait_delivered(sandbox) -> dict:
    deadline = time.monotonic() + 120
    while (status := sandbox.webhooks())["pending"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert status["pending"] == 0 and status["failed"] == 0 and status["delivered"] == status["sent"], status
    return status


def run_sensor_request(instance, clickhouse, resources, cursor: str | None):
    """One tick of qtickets_webhook_sensor, then its run request executed as requested. -> (new cursor, months)."""
    context = sensor_context(instance, clickhouse, cursor)
    data = webhook_sensor.evaluate_tick(context)
    assert len(data.run_requests) == 1, data
    request = data.run_requests[0]
    assert set(request.asset_selection) == set(RUN_KEYS)
    assert request.run_key.startswith("webhooks-")
    result = materialize(
        dbt_assets(),
        selection=request.asset_selection,
        resources=resources,
        instance=instance,
        tags=request.tags,
        raise_on_error=False,
    )
    failed = [c.check_name for c in result.get_asset_check_evaluations() if not c.passed]
    assert result.success and not failed, failed
    observations = [e for e in data.asset_events if e.asset_key.path == [RAW]]
    assert observations and observations[0].metadata["new_rows"].value > 0
    return data.cursor, (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG])


def check(sandbox, client) -> tuple[int, Decimal]:
    sales = expected_sales(sandbox.export("orders"), sandbox.export("events"))
    assert_same(fact_sales(client), sales, "fact_qtickets_sales_daily")
    utm = client.query("select sum(tickets_sold), sum(revenue) from fact_qtickets_sales_utm_daily").result_rows[0]
    tickets = sum(v[3] for v in sales.values())
    revenue = sum((v[4] for v in sales.values()), Decimal("0"))
    assert (int(utm[0]), Decimal(utm[1])) == (tickets, revenue)
    return tickets, revenue


def test_webhooks_alone_then_with_polling_keep_the_facts_exact(platform):
    from qtickets_assets.transform.partitions import all_months_tags

    sandbox, receiver, clickhouse, resources, instance = platform
    client = clickhouse.get_client()
    # History from the API, once (the generated history sends no webhooks).
    first = materialize(
        [*STAGING_ASSETS, *dbt_assets()],
        resources=resources,
        instance=instance,
        raise_on_error=False,
        tags=all_months_tags(),
    )
    assert first.success
    check(sandbox, client)
    assert int(client.command(f"SELECT count() FROM {RAW}")) == 0
    cursor = webhook_sensor.evaluate_tick(
        sensor_context(instance, clickhouse)
    ).cursor  # nothing new yet: no run requested, cursor stays at 0
    assert cursor == "0"

    # 1. Polling off: the changes of the next hours reach ClickHouse only as webhooks.
    api_rows = int(client.command("SELECT count() FROM stg_qtickets_api_orders_raw"))
    summary = sandbox.advance(2880)
    assert summary["orders_paid"] > 0 and summary["baskets_refunded"] > 0 and summary["orders_expired"] > 0, summary
    status = wait_delivered(sandbox)
    rows, distinct = client.query(f"SELECT count(), uniqExact(delivery_hash) FROM {RAW}").result_rows[0]
    assert rows == distinct == status["delivered"] > 0
    cursor, span = run_sensor_request(instance, clickhouse, resources, cursor)
    assert int(client.command("SELECT count() FROM stg_qtickets_api_orders_raw")) == api_rows  # no poll happened
    tickets, revenue = check(sandbox, client)
    webhook_chosen = int(client.command("SELECT countIf(_source = 'webhook') FROM stg_qtickets__orders"))
    assert webhook_chosen > 0
    print(f"webhooks alone: {status['delivered']} deliveries, months {span}, {webhook_chosen} orders from webhooks")

    # No new delivery: the sensor skips, requests nothing.
    idle = webhook_sensor.evaluate_tick(sensor_context(instance, clickhouse, cursor))
    assert not idle.run_requests and idle.cursor == cursor

    # 2. Webhooks and polling both: the same changes arrive twice, the facts count them once. The poll catches up
    # with what the webhooks brought, then newer changes arrive by webhook only: staging mixes both sources.
    summary = sandbox.advance(1440)
    assert summary["orders_paid"] > 0
    wait_delivered(sandbox)
    polled = materialize(
        [*STAGING_ASSETS, *dbt_assets()],
        resources=resources,
        instance=instance,
        raise_on_error=False,
        tags=all_months_tags(),
    )
    assert polled.success
    check(sandbox, client)
    cursor, span = run_sensor_request(instance, clickhouse, resources, cursor)  # the same changes, via webhooks
    check(sandbox, client)
    summary = sandbox.advance(1440)
    assert summary["orders_paid"] > 0
    wait_delivered(sandbox)
    cursor, span = run_sensor_request(instance, clickhouse, resources, cursor)
    tickets2, revenue2 = check(sandbox, client)
    both = client.query("SELECT countIf(_source = 'api'), countIf(_source = 'webhook') FROM stg_qtickets__orders")
    api_chosen, webhook_chosen = both.result_rows[0]
    assert api_chosen > 0 and webhook_chosen > 0
    assert int(client.command("SELECT count() - uniqExact(order_id) FROM stg_qtickets__orders")) == 0
    print(f"both: {tickets2} tickets, revenue {revenue2}; chosen rows api {api_chosen}, webhook {webhook_chosen}")
    assert receiver.health()["rejected"] == 0
