"""The replicated / ON CLUSTER side of the cluster mode, tested by generation (the embedded server has no replication
and refuses ON CLUSTER DDL: "Replicated DDL queries are disabled", code 392; docs/clickhouse_cluster.md).

* `dbt parse` with CLICKHOUSE_CLUSTER set gives every table model the ReplicatedMergeTree engine; unset, the
  adapter's own MergeTree(); CLICKHOUSE_REPLICATED=false keeps MergeTree().
* dbt itself, with the cluster profile, against an embedded server whose config declares the cluster: the exact
  statements dbt-clickhouse 1.10.3 sends for the sales fact (fresh create, and the insert_overwrite run of an existing
  fact) are read from dbt's debug log. They carry ON CLUSTER "prod" and the replicated engine, and the server refuses
  them with code 392 before changing anything, which is as far as this machine can go.
"""

from __future__ import annotations

import json
import os
import re
import subprocess

import clickhouse_connect
import pytest

from qtickets_assets.clickhouse.resource import ClickHouseResource
from qtickets_assets.local.clickhouse_server import EmbeddedClickHouse, free_port
from qtickets_assets.transform.project import DBT_PROJECT_DIR, dbt_executable

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

REPLICATED_ENGINE = "ReplicatedMergeTree('/clickhouse/tables/{uuid}/', '{replica}')"
CLUSTER_VARS = ("CLICKHOUSE_CLUSTER", "CLICKHOUSE_REPLICATED", "CLICKHOUSE_SHARDED", "CLICKHOUSE_ON_CLUSTER")
FACT = "fact_qtickets_sales_daily"


def dbt(args: list[str], tmp_path, env: dict[str, str], name: str) -> tuple[int, str]:
    """Run dbt with `env` over the cluster variables; (exit code, dbt's debug log with every statement sent)."""
    base = {k: v for k, v in os.environ.items() if k not in CLUSTER_VARS}
    result = subprocess.run(
        [
            dbt_executable(),
            *args,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(tmp_path / f"target_{name}"),
            "--log-path",
            str(tmp_path / f"logs_{name}"),
            "--log-level-file",
            "debug",
            "--no-partial-parse",
        ],
        env={**base, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    log = tmp_path / f"logs_{name}" / "dbt.log"
    return result.returncode, log.read_text() if log.exists() else result.stdout


def model_engines(tmp_path, env: dict[str, str], name: str) -> dict[str, tuple[str, str]]:
    code, log = dbt(["parse", "--quiet"], tmp_path, env, name)
    assert code == 0, log[-2000:]
    manifest = json.loads((tmp_path / f"target_{name}" / "manifest.json").read_text())
    return {
        node["name"]: (node["config"]["materialized"], node["config"].get("engine"))
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }


def test_model_engines_follow_the_cluster_settings(tmp_path):
    single = model_engines(tmp_path, {}, "single")
    cluster = model_engines(tmp_path, {"CLICKHOUSE_CLUSTER": "prod"}, "cluster")
    unreplicated = model_engines(tmp_path, {"CLICKHOUSE_CLUSTER": "prod", "CLICKHOUSE_REPLICATED": "false"}, "unrep")
    assert set(single) == set(cluster) and FACT in single
    for model, (materialized, engine) in cluster.items():
        assert single[model] == (materialized, "MergeTree()")  # dbt-clickhouse's default: one server unchanged
        assert unreplicated[model] == (materialized, "MergeTree()")
        assert engine == REPLICATED_ENGINE, model
    assert cluster[FACT][0] == "incremental"


def statements(log: str) -> list[str]:
    """The SQL statements dbt sent, in order (its debug log prints each after the query comment)."""
    return [s.strip() for s in re.findall(r'"node_id": "[^"]+"\} \*/\n(.*?)(?=\n\x1b\[0m|\Z)', log, flags=re.S)]


@pytest.fixture(scope="module")
def node_with_cluster(tmp_path_factory):
    root = tmp_path_factory.mktemp("generation")
    tcp = free_port()
    config = root / "cluster.xml"
    config.write_text(
        f"<clickhouse><remote_servers><prod><shard><replica><host>127.0.0.1</host><port>{tcp}</port></replica>"
        "</shard></prod></remote_servers><macros><shard>1</shard><replica>r1</replica></macros></clickhouse>"
    )
    with EmbeddedClickHouse(root / "data", tcp_port=tcp, cluster_config=config) as node:
        ClickHouseResource(host=node.host, port=node.http_port).bootstrap()  # one-server staging (empty)
        yield node


def test_dbt_sends_on_cluster_and_the_replicated_engine_for_the_sales_fact(node_with_cluster, tmp_path):
    node = node_with_cluster
    env = node.env()
    # The upstream models and the fact, built as for one server (empty staging is enough).
    code, log = dbt(["run", "--select", f"+{FACT}"], tmp_path, env, "single")
    assert code == 0, log[-3000:]
    client = clickhouse_connect.get_client(host=node.host, port=node.http_port, database="qtickets")
    assert "ON CLUSTER" not in "\n".join(statements(log))

    # insert_overwrite run of the existing fact with the cluster profile
    code, log = dbt(["run", "--select", FACT], tmp_path, {**env, "CLICKHOUSE_CLUSTER": "prod"}, "incremental")
    assert code != 0 and "Code: 392" in log and "Replicated DDL queries are disabled" in log
    sent = statements(log)
    first_ddl = next(s for s in sent if "ON CLUSTER" in s)
    assert re.search(
        rf"drop table if exists `qtickets`\.`{FACT}__dbt_new_data_\w+`\s+ON CLUSTER \"prod\"\s+SYNC", first_ddl
    )

    # a fresh create of the fact with the cluster profile
    client.command(f"DROP TABLE {FACT}")
    code, log = dbt(["run", "--select", FACT], tmp_path, {**env, "CLICKHOUSE_CLUSTER": "prod"}, "create")
    assert code != 0 and "Code: 392" in log
    create = next(s for s in statements(log) if s.startswith("create table"))
    assert re.search(rf"create table `qtickets`\.`{FACT}`\s+ON CLUSTER \"prod\"", create), create
    assert f"engine = {REPLICATED_ENGINE}" in create
    assert "partition by (toYYYYMM(sales_date))" in create
    # the server refused it: nothing was created
    assert not client.query(f"EXISTS TABLE {FACT}").result_rows[0][0]
