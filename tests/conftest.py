"""Shared fixtures: one real embedded ClickHouse server for the whole test session, a fresh database per use.

Servers are subprocesses on free loopback ports and are stopped at session end, also when tests fail.
"""
from __future__ import annotations

import uuid

import pytest

from qtickets_assets.clickhouse.resource import ClickHouseResource
from qtickets_assets.local.clickhouse_server import EmbeddedClickHouse


@pytest.fixture(scope="session")
def clickhouse_server(tmp_path_factory):
    with EmbeddedClickHouse(tmp_path_factory.mktemp("clickhouse")) as server:
        yield server


def new_database(server: EmbeddedClickHouse, prefix: str = "t") -> ClickHouseResource:
    """A ClickHouseResource on a new, bootstrapped database of `server` (tests never share tables)."""
    resource = ClickHouseResource(host=server.host, port=server.http_port,
                                  database=f"{prefix}_{uuid.uuid4().hex[:10]}")
    resource.bootstrap()
    return resource


@pytest.fixture
def fresh_clickhouse(clickhouse_server) -> ClickHouseResource:
    return new_database(clickhouse_server)
