"""The ClickHouse topology the platform writes for: one server (the default), a replicated cluster, a sharded one.

Four settings (docs/clickhouse_cluster.md):
  CLICKHOUSE_CLUSTER     a cluster name from the servers' <remote_servers>; empty = one server (today's DDL, unchanged)
  CLICKHOUSE_REPLICATED  true (default with a cluster): Replicated*MergeTree engines; false: plain *MergeTree per node
  CLICKHOUSE_SHARDED     false (default); true: each table is <table>_local on every node plus a Distributed <table>
                         over it, sharded by cityHash64 of the sorting key (so deduplication stays within one shard)
  CLICKHOUSE_ON_CLUSTER  true (default with a cluster): DDL carries ON CLUSTER (and dbt gets the cluster); false: no
                         ON CLUSTER anywhere, the DDL is applied to each node by hand or by bootstrapping each node
                         (servers without distributed DDL, such as the embedded one), and dbt runs as for one server

ClickHouse Cloud needs none of them: one endpoint, SharedMergeTree, no ON CLUSTER (CLICKHOUSE_SECURE=true, port 8443).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from qtickets_assets.settings import SettingError

CLUSTER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}

# Where the replicated staging tables keep their metadata in (Zoo)Keeper: the usual macros of the servers' <macros>.
REPLICA_PATH = "/clickhouse/tables/{shard}/{database}/{table}"
REPLICA_NAME = "{replica}"
LOCAL_SUFFIX = "_local"


def _bool(name: str, env, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise SettingError(f"{name}={env.get(name)!r} must be true or false")


@dataclass(frozen=True)
class Topology:
    cluster: str = ""
    replicated: bool = False
    sharded: bool = False
    on_cluster: bool = False

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Topology:
        """The topology from CLICKHOUSE_CLUSTER / _REPLICATED / _SHARDED / _ON_CLUSTER; SettingError names the bad one."""
        env = os.environ if env is None else env
        cluster = (env.get("CLICKHOUSE_CLUSTER") or "").strip()
        if cluster and not CLUSTER_NAME.match(cluster):
            raise SettingError(
                f"CLICKHOUSE_CLUSTER={cluster!r} is not a cluster name: use letters, digits, underscores"
            )
        replicated = _bool("CLICKHOUSE_REPLICATED", env, True)
        sharded = _bool("CLICKHOUSE_SHARDED", env, False)
        on_cluster = _bool("CLICKHOUSE_ON_CLUSTER", env, True)
        if sharded and not cluster:
            raise SettingError(
                "CLICKHOUSE_SHARDED=true needs CLICKHOUSE_CLUSTER (the cluster the Distributed tables use)"
            )
        return cls(cluster, replicated and bool(cluster), sharded, on_cluster and bool(cluster))

    @property
    def single(self) -> bool:
        return not self.cluster

    def on_cluster_clause(self) -> str:
        """' ON CLUSTER name' (with its leading space) when DDL is distributed, else ''."""
        return f" ON CLUSTER {self.cluster}" if self.on_cluster else ""

    def storage_table(self, table: str) -> str:
        """The table holding the rows: <table>_local when sharded (the Distributed <table> sits over it)."""
        return table + LOCAL_SUFFIX if self.sharded else table

    def engine(self, engine: str) -> str:
        """A *MergeTree engine for this topology: 'ReplacingMergeTree(_version)' becomes
        "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', _version)"."""
        if not self.replicated:
            return engine
        match = re.fullmatch(r"(\w*MergeTree)(?:\((.*)\))?", engine.strip())
        if not match:
            raise ValueError(f"cannot replicate engine {engine!r}: a *MergeTree engine is expected")
        family, args = match.group(1), (match.group(2) or "").strip()
        replica_args = f"'{REPLICA_PATH}', '{REPLICA_NAME}'" + (f", {args}" if args else "")
        return f"Replicated{family}({replica_args})"

    def client_settings(self) -> dict[str, int]:
        """Session settings for clients of a sharded cluster: inserts into a Distributed table return only after
        every shard has its rows (the load's cursor and checks read them next), and IN / JOIN subqueries over
        Distributed (or node-local) tables are evaluated once on the initiator and sent to the shards (GLOBAL),
        which is both correct and what ClickHouse otherwise refuses ('Double-distributed IN/JOIN subqueries')."""
        if not self.sharded:
            return {}
        return {"distributed_foreground_insert": 1, "prefer_global_in_and_join": 1}

    def describe(self) -> str:
        if self.single:
            return "one server"
        parts = [f"cluster {self.cluster}", "replicated" if self.replicated else "not replicated"]
        parts.append("sharded (Distributed over <table>_local)" if self.sharded else "not sharded")
        parts.append("ON CLUSTER DDL" if self.on_cluster else "DDL applied to each node (no ON CLUSTER)")
        return ", ".join(parts)
