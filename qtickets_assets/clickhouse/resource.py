"""ClickHouse as a Dagster resource: connection settings from the environment, plus the staging DDL bootstrap.

The same settings reach any ClickHouse (the embedded default, a server, ClickHouse Cloud with secure=True), and
the topology settings (clickhouse/cluster.py) a cluster: replicated, sharded, or both.
"""

from __future__ import annotations

import re

import clickhouse_connect
from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import ClickHouseError, OperationalError
from dagster import ConfigurableResource, EnvVar
from pydantic import Field

from qtickets_assets.clickhouse.cluster import Topology

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")


class ClickHouseUnavailable(RuntimeError):
    """ClickHouse could not be reached: the message names the settings to check (never the password)."""


class ClusterUnknown(ClickHouseUnavailable):
    """CLICKHOUSE_CLUSTER names a cluster the server does not know (system.clusters)."""


def validate_identifier(name: str, what: str = "identifier") -> str:
    """Identifiers from configuration reach SQL only after this check (values always go as parameters)."""
    if not IDENTIFIER.match(name or ""):
        raise ValueError(f"invalid ClickHouse {what} {name!r}: use letters, digits and underscores")
    return name


class ClickHouseResource(ConfigurableResource):
    """Connection to ClickHouse over HTTP(S) with clickhouse-connect."""

    host: str = Field(default="127.0.0.1", description="CLICKHOUSE_HOST")
    port: int = Field(default=8123, description="CLICKHOUSE_PORT (HTTP interface)")
    user: str = Field(default="default", description="CLICKHOUSE_USER")
    password: str = Field(default="", description="CLICKHOUSE_PASSWORD")
    database: str = Field(default="qtickets", description="CLICKHOUSE_DATABASE")
    secure: bool = Field(default=False, description="CLICKHOUSE_SECURE: use HTTPS")
    cluster: str = Field(default="", description="CLICKHOUSE_CLUSTER: empty = one server")
    replicated: bool = Field(default=False, description="CLICKHOUSE_REPLICATED (with a cluster)")
    sharded: bool = Field(default=False, description="CLICKHOUSE_SHARDED: Distributed tables over <table>_local")
    on_cluster: bool = Field(default=False, description="CLICKHOUSE_ON_CLUSTER: DDL with ON CLUSTER")
    connect_timeout: int = 10
    send_receive_timeout: int = 300

    @classmethod
    def from_env(cls) -> ClickHouseResource:
        topology = Topology.from_env()
        return cls(
            cluster=topology.cluster,
            replicated=topology.replicated,
            sharded=topology.sharded,
            on_cluster=topology.on_cluster,
            host=EnvVar("CLICKHOUSE_HOST"),
            port=EnvVar.int("CLICKHOUSE_PORT"),
            user=EnvVar("CLICKHOUSE_USER"),
            password=EnvVar("CLICKHOUSE_PASSWORD"),
            database=EnvVar("CLICKHOUSE_DATABASE"),
            secure=EnvVar.bool("CLICKHOUSE_SECURE"),
        )

    def topology(self) -> Topology:
        return Topology(self.cluster, self.replicated, self.sharded, self.on_cluster)

    def where(self) -> str:
        scheme = "https" if self.secure else "http"
        return f"{scheme}://{self.host}:{self.port} (CLICKHOUSE_HOST / CLICKHOUSE_PORT)"

    def _connect(self, database: str) -> Client:
        try:
            return clickhouse_connect.get_client(
                host=self.host,
                port=self.port,
                username=self.user,
                password=self.password,
                database=database,
                secure=self.secure,
                connect_timeout=self.connect_timeout,
                send_receive_timeout=self.send_receive_timeout,
                compress=False,
                settings={"date_time_input_format": "best_effort", **self.topology().client_settings()},
            )
        except OperationalError as exc:
            raise ClickHouseUnavailable(
                f"cannot reach ClickHouse at {self.where()}: {str(exc).splitlines()[0][:200]}"
            ) from None

    def get_client(self) -> Client:
        """A client bound to the platform database (which must exist: see bootstrap())."""
        return self._connect(validate_identifier(self.database, "database"))

    def bootstrap(self) -> list[str]:
        """Create the database and every staging / meta table (clickhouse/ddl.py, rendered from the catalog);
        safe to run any number of times."""
        from qtickets_assets.clickhouse.ddl import ddl_statements

        database = validate_identifier(self.database, "database")
        topology = self.topology()
        admin = self._connect("default")
        try:
            self.check_cluster(admin)
            admin.command(f"CREATE DATABASE IF NOT EXISTS {database}{topology.on_cluster_clause()}")
        except ClickHouseError as exc:
            raise ClickHouseUnavailable(f"cannot create database {database} at {self.where()}: {exc}") from None
        finally:
            admin.close()
        client = self.get_client()
        applied = []
        try:
            for name, statement in ddl_statements(topology, database):
                client.command(statement)
                applied.append(name)
        finally:
            client.close()
        return applied

    def check_cluster(self, client: Client) -> None:
        """With CLICKHOUSE_CLUSTER set, the server must know that cluster (system.clusters): one clear line before
        any table is created or any row written."""
        if not self.cluster:
            return
        known = [row[0] for row in client.query("SELECT DISTINCT cluster FROM system.clusters ORDER BY 1").result_rows]
        if self.cluster not in known:
            raise ClusterUnknown(
                f"CLICKHOUSE_CLUSTER={self.cluster} is not a cluster of the server at {self.where()} "
                f"(system.clusters has: {', '.join(known) or 'none'})"
            )
