"""The ClickHouse topology settings and the DDL they render (clickhouse/cluster.py, clickhouse/ddl.py): one server
unchanged, a replicated cluster (ON CLUSTER, Replicated* engines with the {shard}/{replica} macros), a sharded one
(<table>_local + Distributed by cityHash64 of the sorting key), and bad values refused with the variable's name."""

from __future__ import annotations

import re

import pytest

from qtickets_assets.clickhouse.cluster import REPLICA_PATH, Topology
from qtickets_assets.clickhouse.ddl import ddl_statements
from qtickets_assets.local.cli import main
from qtickets_assets.qtickets.ingest.catalog import CATALOG
from qtickets_assets.settings import SettingError
from qtickets_assets.webhooks.tables import QUARANTINE_TABLE, WEBHOOKS_TABLE

CLUSTER_VARS = ("CLICKHOUSE_CLUSTER", "CLICKHOUSE_REPLICATED", "CLICKHOUSE_SHARDED", "CLICKHOUSE_ON_CLUSTER")
WEBHOOK_TABLES = [WEBHOOKS_TABLE, QUARANTINE_TABLE]
TABLES = [entry.table for entry in CATALOG.values()] + ["meta_job_runs"] + WEBHOOK_TABLES
REPLACING = len(CATALOG) + len(WEBHOOK_TABLES)  # the staging and webhook tables; meta_job_runs is a MergeTree


@pytest.fixture(autouse=True)
def no_cluster_env(monkeypatch):
    for name in CLUSTER_VARS:
        monkeypatch.delenv(name, raising=False)


def by_name(statements) -> dict[str, str]:
    return dict(statements)


def test_unset_settings_render_the_single_server_ddl():
    statements = ddl_statements()
    assert statements == ddl_statements(Topology())
    assert [name for name, _ in statements] == TABLES
    text = "\n".join(sql for _, sql in statements)
    for word in ("ON CLUSTER", "Replicated", "Distributed", "_local", "{shard}"):
        assert word not in text
    engines = re.findall(r"^ENGINE = (.*)$", text, flags=re.M)
    assert engines == ["ReplacingMergeTree(_version)"] * len(CATALOG) + ["MergeTree"] + [
        "ReplacingMergeTree(_version)"
    ] * len(WEBHOOK_TABLES)


def test_empty_values_are_one_server():
    env = dict.fromkeys(CLUSTER_VARS, "")
    assert Topology.from_env(env) == Topology()
    assert Topology.from_env(env).single


def test_replicated_cluster_ddl():
    topology = Topology.from_env({"CLICKHOUSE_CLUSTER": "prod"})
    assert (topology.replicated, topology.sharded, topology.on_cluster) == (True, False, True)
    statements = by_name(ddl_statements(topology))
    assert list(statements) == TABLES
    for name, sql in statements.items():
        assert sql.startswith(f"CREATE TABLE IF NOT EXISTS {name} ON CLUSTER prod\n(")
    orders = statements["stg_qtickets_api_orders_raw"]
    assert (
        f"ENGINE = ReplicatedReplacingMergeTree('{REPLICA_PATH}', '{{replica}}', _version)\n"
        "PARTITION BY toYYYYMM(created_at)\nORDER BY order_id\n" in orders
    )
    assert "'/clickhouse/tables/{shard}/{database}/{table}'" in orders
    assert f"ENGINE = ReplicatedMergeTree('{REPLICA_PATH}', '{{replica}}')\n" in statements["meta_job_runs"]


def test_sharded_cluster_ddl_has_a_distributed_table_over_each_local_table():
    topology = Topology.from_env({"CLICKHOUSE_CLUSTER": "prod", "CLICKHOUSE_SHARDED": "true"})
    statements = by_name(ddl_statements(topology, "qtickets"))
    assert len(statements) == 2 * len(TABLES)
    for entry in CATALOG.values():
        local, distributed = statements[entry.table + "_local"], statements[entry.table]
        assert local.startswith(f"CREATE TABLE IF NOT EXISTS {entry.table}_local ON CLUSTER prod\n(")
        assert "ENGINE = ReplicatedReplacingMergeTree(" in local
        keys = ", ".join(entry.sorting_key)
        assert distributed.startswith(
            f"CREATE TABLE IF NOT EXISTS {entry.table} ON CLUSTER prod\nAS {entry.table}_local\n"
            f"ENGINE = Distributed(prod, qtickets, {entry.table}_local, cityHash64({keys}))\n"
        )
    assert "cityHash64(asset)" in statements["meta_job_runs"]
    assert "cityHash64(order_id)" in statements[WEBHOOKS_TABLE]  # every delivery of an order on one shard
    # the local table comes first: a Distributed table AS <table>_local needs it
    names = [name for name, _ in ddl_statements(topology)]
    assert names.index("stg_qtickets_api_orders_raw_local") < names.index("stg_qtickets_api_orders_raw")
    assert "currentDatabase()" in by_name(ddl_statements(topology))["stg_qtickets_api_orders_raw"]


def test_sharded_unreplicated_cluster_without_on_cluster_is_what_the_embedded_servers_run():
    topology = Topology.from_env(
        {
            "CLICKHOUSE_CLUSTER": "qt",
            "CLICKHOUSE_SHARDED": "yes",
            "CLICKHOUSE_REPLICATED": "false",
            "CLICKHOUSE_ON_CLUSTER": "false",
        }
    )
    text = "\n".join(sql for _, sql in ddl_statements(topology))
    assert "ON CLUSTER" not in text and "Replicated" not in text
    assert text.count("ENGINE = Distributed(qt, ") == len(TABLES)
    assert text.count("ENGINE = ReplacingMergeTree(_version)") == REPLACING
    assert topology.client_settings() == {"distributed_foreground_insert": 1, "prefer_global_in_and_join": 1}
    assert Topology().client_settings() == {}


@pytest.mark.parametrize(
    "env, message",
    [
        (
            {"CLICKHOUSE_CLUSTER": "prod", "CLICKHOUSE_SHARDED": "maybe"},
            "CLICKHOUSE_SHARDED='maybe' must be true or false",
        ),
        ({"CLICKHOUSE_CLUSTER": "prod", "CLICKHOUSE_REPLICATED": "2"}, "CLICKHOUSE_REPLICATED='2' must be true or"),
        ({"CLICKHOUSE_SHARDED": "true"}, "CLICKHOUSE_SHARDED=true needs CLICKHOUSE_CLUSTER"),
        ({"CLICKHOUSE_CLUSTER": "prod; DROP"}, "CLICKHOUSE_CLUSTER='prod; DROP' is not a cluster name"),
    ],
)
def test_bad_values_name_the_variable(env, message):
    with pytest.raises(SettingError, match=re.escape(message)):
        Topology.from_env(env)


def test_ddl_command_prints_each_topology_without_a_server(monkeypatch, capsys):
    monkeypatch.setenv("CLICKHOUSE_PORT", "1")  # nothing listens there: the command must not connect
    assert main(["ddl"]) == 0
    single = capsys.readouterr().out
    assert single.count("CREATE TABLE") == len(TABLES) and "ON CLUSTER" not in single
    monkeypatch.setenv("CLICKHOUSE_CLUSTER", "prod")
    assert main(["ddl"]) == 0
    replicated = capsys.readouterr().out
    assert replicated.startswith("-- topology: cluster prod, replicated, not sharded, ON CLUSTER DDL")
    assert replicated.count("ON CLUSTER prod") == len(TABLES)
    monkeypatch.setenv("CLICKHOUSE_SHARDED", "true")
    assert main(["ddl"]) == 0
    sharded = capsys.readouterr().out
    assert sharded.count("CREATE TABLE") == 2 * len(TABLES)
    assert "ENGINE = Distributed(prod, qtickets, stg_qtickets_api_orders_raw_local, cityHash64(order_id))" in sharded
    monkeypatch.setenv("CLICKHOUSE_SHARDED", "sometimes")
    assert main(["ddl"]) == 2
    assert "CLICKHOUSE_SHARDED='sometimes' must be true or false" in capsys.readouterr().err
