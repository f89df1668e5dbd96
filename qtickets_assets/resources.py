"""The resources every asset shares, built from settings.py: one ClickHouse, one QTickets client, one dbt."""

from __future__ import annotations

from qtickets_assets.clickhouse.cluster import Topology
from qtickets_assets.clickhouse.resource import ClickHouseResource
from qtickets_assets.qtickets.client.api import DEFAULT_MAX_CONCURRENCY, DEFAULT_REQUESTS_PER_SECOND
from qtickets_assets.qtickets.client.resource import QTicketsResource
from qtickets_assets.settings import flag, secret, setting


def clickhouse_resource() -> ClickHouseResource:
    topology = Topology.from_env()  # CLICKHOUSE_CLUSTER / _REPLICATED / _SHARDED / _ON_CLUSTER (SettingError if bad)
    return ClickHouseResource(
        cluster=topology.cluster,
        replicated=topology.replicated,
        sharded=topology.sharded,
        on_cluster=topology.on_cluster,
        host=setting("CLICKHOUSE_HOST"),
        port=int(setting("CLICKHOUSE_PORT")),
        user=setting("CLICKHOUSE_USER"),
        password=secret("CLICKHOUSE_PASSWORD"),
        database=setting("CLICKHOUSE_DATABASE"),
        secure=flag("CLICKHOUSE_SECURE"),
    )


def qtickets_resource() -> QTicketsResource:
    return QTicketsResource(
        base_url=setting("QTICKETS_BASE_URL"),
        token=secret("QTICKETS_TOKEN"),
        partners_base_url=setting("QTICKETS_PARTNERS_BASE_URL"),
        partners_token=secret("QTICKETS_PARTNERS_TOKEN"),
        requests_per_second=float(setting("QTICKETS_REQUESTS_PER_SECOND") or DEFAULT_REQUESTS_PER_SECOND),
        max_concurrency=int(setting("QTICKETS_MAX_CONCURRENCY") or DEFAULT_MAX_CONCURRENCY),
        allow_writes=flag("QTICKETS_ALLOW_WRITES"),
    )


def all_resources() -> dict:
    from qtickets_assets.transform.project import dbt_resource

    return {"clickhouse": clickhouse_resource(), "qtickets": qtickets_resource(), "dbt": dbt_resource()}


def resources_for(clickhouse: ClickHouseResource, api) -> dict:
    """The same three resources, with explicit values instead of settings: for code that starts its own servers
    (tests, benchmarks). `api` is anything with rest_url, token, partners_url and partners_token, such as the
    sandbox's test server; the platform itself never imports the sandbox."""
    from qtickets_assets.transform.project import dbt_resource

    qtickets = QTicketsResource(
        base_url=api.rest_url,
        token=api.token,
        partners_base_url=api.partners_url,
        partners_token=api.partners_token,
    )
    return {"clickhouse": clickhouse, "qtickets": qtickets, "dbt": dbt_resource()}
