"""The DDL bootstrap creates every staging table, meta_job_runs and the webhook tables, idempotently."""

from __future__ import annotations

import pytest

from qtickets_assets.clickhouse.ddl import ddl_statements
from qtickets_assets.clickhouse.resource import ClickHouseResource, ClickHouseUnavailable
from qtickets_assets.qtickets.ingest.catalog import CATALOG
from qtickets_assets.webhooks.tables import QUARANTINE_TABLE, WEBHOOKS_TABLE

STAGING = list(CATALOG)


def test_bootstrap_twice_creates_every_table(fresh_clickhouse):
    assert len(fresh_clickhouse.bootstrap()) == len(ddl_statements())  # second run: no error
    client = fresh_clickhouse.get_client()
    tables = {
        row[0]
        for row in client.query(
            "SELECT name FROM system.tables WHERE database = {db:String}", parameters={"db": fresh_clickhouse.database}
        ).result_rows
    }
    assert tables == {CATALOG[name].table for name in STAGING} | {"meta_job_runs", WEBHOOKS_TABLE, QUARANTINE_TABLE}
    engine = client.query(
        "SELECT engine FROM system.tables WHERE database = currentDatabase() AND name = 'stg_qtickets_api_orders_raw'"
    ).result_rows[0][0]
    assert engine == "ReplacingMergeTree"


def test_unreachable_clickhouse_names_the_settings():
    with pytest.raises(ClickHouseUnavailable, match="CLICKHOUSE_HOST / CLICKHOUSE_PORT"):
        ClickHouseResource(host="127.0.0.1", port=1, connect_timeout=2).get_client()
