"""The resources every asset shares, built from settings.py (one ClickHouse, one QTickets client)."""
from __future__ import annotations

from qtickets_assets.clickhouse.resource import ClickHouseResource
from qtickets_assets.settings import flag, secret, setting


def clickhouse_resource() -> ClickHouseResource:
    return ClickHouseResource(
        host=setting("CLICKHOUSE_HOST"),
        port=int(setting("CLICKHOUSE_PORT")),
        user=setting("CLICKHOUSE_USER"),
        password=secret("CLICKHOUSE_PASSWORD"),
        database=setting("CLICKHOUSE_DATABASE"),
        secure=flag("CLICKHOUSE_SECURE"),
    )


def all_resources() -> dict:
    return {"clickhouse": clickhouse_resource()}
