"""The whole chain under schema drift: sandbox over HTTP -> staging assets -> blocking pandera checks -> dbt.

1. The sandbox drops `payed_at` from every order: the orders check fails naming the field, no dbt asset is
   materialized in that run, and the raw rows ARE in staging (nothing is deleted).
2. Back to normal payloads and the same run again: every check passes and the facts are built.
"""

import dagster as dg
import pytest

from qtickets_assets.clickhouse.resource import ClickHouseResource
from qtickets_assets.local.clickhouse_server import EmbeddedClickHouse
from qtickets_assets.qtickets.client.resource import QTicketsResource
from qtickets_assets.qtickets.ingest.assets import STAGING_ASSETS
from qtickets_assets.quality.checks import CHECK_NAME, quality_checks
from qtickets_assets.transform.partitions import all_months_tags
from qtickets_assets.transform.project import dbt_resource, prepare_manifest
from qtickets_sandbox.testing import SandboxServer

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

ORDERS = dg.AssetKey("stg_qtickets_api_orders_raw")
FACTS = {"fact_qtickets_sales_daily", "fact_qtickets_inventory_latest"}


@pytest.fixture(scope="module")
def dbt_assets():
    prepare_manifest()  # `dbt parse`, offline: the dbt assets need target/manifest.json
    from qtickets_assets.transform.assets import DBT_ASSETS

    assert FACTS <= {key.path[-1] for d in DBT_ASSETS for key in d.keys}  # guard: an empty selection passes vacuously
    return DBT_ASSETS


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer(orders=400, seed=7) as server:
        yield server


@pytest.fixture(scope="module")
def clickhouse(tmp_path_factory):
    with EmbeddedClickHouse(path=tmp_path_factory.mktemp("ch_quality")) as ch:
        resource = ClickHouseResource(host=ch.host, port=ch.http_port)
        resource.bootstrap()
        yield ch, resource


def run_all(sandbox, clickhouse, dbt_assets, monkeypatch):
    ch, resource = clickhouse
    for key, value in ch.env().items():  # dbt's profiles.yml reads the same variables
        monkeypatch.setenv(key, value)
    qtickets = QTicketsResource(
        base_url=sandbox.rest_url,
        token=sandbox.token,
        partners_base_url=sandbox.partners_url,
        partners_token=sandbox.partners_token,
        backoff_base_seconds=0.05,
        backoff_max_seconds=0.5,
    )
    # full loads: the re-run must replace every order of the broken run, not only the lookback window
    run_config = {"ops": {a.op.name: {"config": {"mode": "full"}} for a in STAGING_ASSETS}}
    return dg.materialize(
        [*STAGING_ASSETS, *quality_checks, *dbt_assets],
        resources={"qtickets": qtickets, "clickhouse": resource, "dbt": dbt_resource()},
        run_config=run_config,
        tags=all_months_tags(),
        raise_on_error=False,
    )


def orders_check(result):
    return next(e for e in result.get_asset_check_evaluations() if e.asset_key == ORDERS and e.check_name == CHECK_NAME)


def materialized(result):
    return {e.asset_key for e in result.get_asset_materialization_events()}


def test_dropped_required_field_blocks_dbt_but_keeps_raw_rows(sandbox, clickhouse, dbt_assets, monkeypatch):
    sandbox.set_payload_mode("orders", "drop_field", "payed_at")
    result = run_all(sandbox, clickhouse, dbt_assets, monkeypatch)
    check = orders_check(result)
    assert not check.passed
    assert "orders: required field 'payed_at' missing in" in check.description
    assert not (materialized(result) & {key for d in dbt_assets for key in d.keys}), (
        "dbt must not build after a failed blocking check"
    )
    assert ORDERS in materialized(result)
    client = clickhouse[1].get_client()
    n = client.query(
        "SELECT count() FROM stg_qtickets_api_orders_raw WHERE _run_id = %(r)s", parameters={"r": result.run_id}
    ).result_rows[0][0]
    assert n > 0  # the raw rows stay in staging


def test_clean_payloads_pass_and_build_the_facts(sandbox, clickhouse, dbt_assets, monkeypatch):
    sandbox.set_payload_mode("orders", "none", None)
    result = run_all(sandbox, clickhouse, dbt_assets, monkeypatch)
    failed = [
        (e.asset_key, e.description)
        for e in result.get_asset_check_evaluations()
        if e.check_name == CHECK_NAME and not e.passed
    ]
    assert not failed
    built = {key.path[-1] for key in materialized(result) & {key for d in dbt_assets for key in d.keys}}
    assert FACTS <= built
    client = clickhouse[1].get_client()
    assert client.query("SELECT count() FROM fact_qtickets_sales_daily").result_rows[0][0] > 0
