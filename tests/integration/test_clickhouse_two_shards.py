"""A real two-shard ClickHouse cluster: two embedded servers whose config (`qtickets-platform clickhouse
--cluster-config`) declares the same <remote_servers> cluster, one shard each.

The platform runs on it with CLICKHOUSE_CLUSTER=qt, CLICKHOUSE_SHARDED=true, CLICKHOUSE_REPLICATED=false and
CLICKHOUSE_ON_CLUSTER=false (the embedded server has no replication and refuses ON CLUSTER DDL, so each node is
bootstrapped by itself; docs/clickhouse_cluster.md): staging is loaded from the sandbox through the Distributed tables
(rows land on both shards), loaded twice and deduplicated exactly across shards, the checks and the audit counts read
cluster-wide, and dbt (one-server profile on node 1, over the Distributed staging) builds the sales fact equal to the
independent recomputation, also after new activity and an incremental insert_overwrite run.
"""

from __future__ import annotations

import os

import pytest
from dagster import materialize

from qtickets_assets.audit.counts import measure
from qtickets_assets.clickhouse.resource import ClickHouseResource, ClickHouseUnavailable
from qtickets_assets.local.clickhouse_server import EmbeddedClickHouse, free_port
from qtickets_assets.qtickets.ingest.assets import STAGING_ASSETS
from qtickets_assets.qtickets.ingest.catalog import CATALOG
from qtickets_assets.quality.checks import quality_checks
from qtickets_assets.resources import resources_for
from qtickets_assets.transform.project import prepare_manifest
from qtickets_sandbox.testing import SandboxServer
from tests.facts_oracle import TZ_NAME, assert_same, expected_sales, fact_sales

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

CLUSTER = "qt"
TOPOLOGY_ENV = {
    "CLICKHOUSE_CLUSTER": CLUSTER,
    "CLICKHOUSE_SHARDED": "true",
    "CLICKHOUSE_REPLICATED": "false",
    "CLICKHOUSE_ON_CLUSTER": "false",
}


def cluster_config(path, tcp_ports: list[int], shard: int) -> str:
    shards = "".join(
        f"<shard><replica><host>127.0.0.1</host><port>{port}</port></replica></shard>" for port in tcp_ports
    )
    path.write_text(
        f"<clickhouse><remote_servers><{CLUSTER}>{shards}</{CLUSTER}></remote_servers>"
        f"<macros><shard>{shard}</shard><replica>r{shard}</replica></macros></clickhouse>"
    )
    return str(path)


def node_resource(node: EmbeddedClickHouse) -> ClickHouseResource:
    return ClickHouseResource(
        host=node.host, port=node.http_port, database="qtickets", cluster=CLUSTER, sharded=True, replicated=False
    )


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    prepare_manifest()
    root = tmp_path_factory.mktemp("two_shards")
    tcp = [free_port(), free_port()]
    configs = [cluster_config(root / f"node{i + 1}.xml", tcp, i + 1) for i in range(2)]
    with (
        SandboxServer(orders=1500, seed=7) as sandbox,
        EmbeddedClickHouse(root / "n1", tcp_port=tcp[0], cluster_config=configs[0]) as node1,
        EmbeddedClickHouse(root / "n2", tcp_port=tcp[1], cluster_config=configs[1]) as node2,
    ):
        saved = dict(os.environ)
        # dbt reads its connection (node 1) and the topology (custom_settings) from the environment.
        os.environ.update({**node1.env(), **TOPOLOGY_ENV, "QTICKETS_TIMEZONE": TZ_NAME})
        try:
            resources = [node_resource(node1), node_resource(node2)]
            for resource in resources:  # no ON CLUSTER here: every node gets its own DDL
                resource.bootstrap()
            dagster_resources = resources_for(resources[0], sandbox)
            yield sandbox, [r.get_client() for r in resources], dagster_resources
        finally:
            os.environ.clear()
            os.environ.update(saved)


def run(assets, resources) -> None:
    from qtickets_assets.transform.partitions import all_months_tags

    result = materialize(assets, resources=resources, raise_on_error=False, tags=all_months_tags())
    failed_checks = [c.check_name for c in result.get_asset_check_evaluations() if not c.passed]
    assert result.success, "run failed"
    assert not failed_checks, failed_checks
    # the pandera contract checks of every staging table ran, over the Distributed tables (cluster-wide)
    passed = {c.asset_key for c in result.get_asset_check_evaluations() if c.check_name == "pandera_contract"}
    assert len(passed) == len(CATALOG)


def local_count(client, table: str) -> int:
    return int(client.query(f"SELECT count() FROM {table}_local").result_rows[0][0])


def test_two_shards_load_dedupe_check_count_and_build_the_facts(cluster):
    from qtickets_assets.transform.assets import DBT_ASSETS

    sandbox, (node1, node2), resources = cluster
    for client in (node1, node2):
        engines = dict(client.query("SELECT name, engine FROM system.tables WHERE database = 'qtickets'").result_rows)
        assert engines["stg_qtickets_api_orders_raw"] == "Distributed"
        assert engines["stg_qtickets_api_orders_raw_local"] == "ReplacingMergeTree"
        assert engines["meta_job_runs"] == "Distributed"

    # Load staging twice through the Distributed tables (the second run re-sends every full-reload resource).
    run([*STAGING_ASSETS, *quality_checks], resources)
    run([*STAGING_ASSETS, *quality_checks], resources)
    duplicated = 0
    for entry in CATALOG.values():
        table, keys = entry.table, ", ".join(entry.sorting_key)
        total, distinct = node1.query(f"SELECT count(), uniqExact({keys}) FROM {table}").result_rows[0]
        # both shards' rows, whichever node is asked
        assert node2.query(f"SELECT count() FROM {table}").result_rows[0][0] == total
        assert local_count(node1, table) + local_count(node2, table) == total
        # every version of a key sits on one shard, so FINAL (per shard) deduplicates exactly across the cluster
        assert node1.query(f"SELECT count() FROM {table} FINAL").result_rows[0][0] == distinct, table
        split = node1.query(
            f"SELECT count() FROM (SELECT {keys} FROM {table} GROUP BY {keys} HAVING uniqExact(_shard_num) > 1)"
        ).result_rows[0][0]
        assert split == 0, f"{table}: keys on two shards"
        duplicated += total - distinct
    assert duplicated > 0, "the second load wrote no second versions: the dedup proves nothing"
    orders = "stg_qtickets_api_orders_raw"
    assert local_count(node1, orders) > 0 and local_count(node2, orders) > 0, "orders did not spread over both shards"

    # The incremental cursor reads the run log cluster-wide (meta_job_runs is Distributed as well).
    runs = node2.query("SELECT count() FROM meta_job_runs WHERE status = 'ok'").result_rows[0][0]
    assert runs >= 2 * len(CATALOG)
    assert local_count(node1, "meta_job_runs") + local_count(node2, "meta_job_runs") == runs

    # dbt on node 1 over the Distributed staging, then the facts against the recomputation.
    run([*STAGING_ASSETS, *quality_checks, *DBT_ASSETS], resources)
    expected = expected_sales(sandbox.export("orders"), sandbox.export("events"))
    assert len(expected) > 10
    assert_same(fact_sales(node1), expected, "fact_qtickets_sales_daily (sharded staging)")
    sandbox.advance(120)
    run(
        [*STAGING_ASSETS, *quality_checks, *DBT_ASSETS], resources
    )  # incremental: insert_overwrite of the touched months
    after = expected_sales(sandbox.export("orders"), sandbox.export("events"))
    assert after != expected, "advance(120) changed nothing: the test proves little"
    assert_same(fact_sales(node1), after, "fact_qtickets_sales_daily after new activity (sharded staging)")

    # The audit's counts: cluster-wide through the Distributed tables, shard-local tables left out.
    counts = {c.table: c for c in measure(node1, "qtickets", {})}
    assert not [name for name in counts if name.endswith("_local")]
    for entry in CATALOG.values():
        total, distinct = node1.query(
            f"SELECT count(), uniqExact({', '.join(entry.business_key)}) FROM {entry.table}"
        ).result_rows[0]
        assert (counts[entry.table].rows_after, counts[entry.table].distinct_keys) == (total, distinct)
    assert counts["fact_qtickets_sales_daily"].rows_after == len(after)


def test_a_cluster_the_server_does_not_know_stops_bootstrap_with_one_line(cluster):
    from qtickets_assets.qtickets.ingest.assets import build_staging_assets

    _, (node1, _), resources = cluster
    port = int(os.environ["CLICKHOUSE_PORT"])
    resource = ClickHouseResource(port=port, database="never_created", cluster="nope", sharded=True)
    with pytest.raises(ClickHouseUnavailable, match=r"CLICKHOUSE_CLUSTER=nope is not a cluster of the server") as exc:
        resource.bootstrap()
    assert "\n" not in str(exc.value) and CLUSTER in str(exc.value).split("has:")[1]
    assert not node1.query("SELECT count() FROM system.databases WHERE name = 'never_created'").result_rows[0][0]

    # the same line fails a load, before any table or row exists
    wrong = ClickHouseResource(port=port, database="never_created", cluster="nope", sharded=True)
    result = materialize(
        [build_staging_assets([CATALOG["orders"]])],
        resources={"qtickets": resources["qtickets"], "clickhouse": wrong},
        raise_on_error=False,
    )
    assert not result.success
    message = [e for e in result.all_events if e.is_step_failure][0].step_failure_data.error.message
    assert "CLICKHOUSE_CLUSTER=nope is not a cluster of the server" in message
    assert not node1.query("SELECT count() FROM system.databases WHERE name = 'never_created'").result_rows[0][0]
