"""(a) The platform: the orders staging asset, materialized by Dagster exactly as in production
(`dagster.materialize`, the asset's own run config), with the bench's page size and concurrency."""

from __future__ import annotations

import time

_mods: dict = {}


def prepare(spec: dict) -> None:
    import dagster as dg

    # The code location, as a Dagster run process loads it before any step: without it, the first Arrow
    # timestamp conversion imports pandas (pyarrow's tz shim) in the middle of the timed load (~0.6 s, GIL held).
    import qtickets_assets.definitions  # noqa: F401
    from qtickets_assets.clickhouse.resource import ClickHouseResource
    from qtickets_assets.qtickets.client.resource import QTicketsResource
    from qtickets_assets.qtickets.ingest.assets import STAGING_ASSETS

    _mods.update(
        dg=dg, ClickHouseResource=ClickHouseResource, STAGING_ASSETS=STAGING_ASSETS, QTicketsResource=QTicketsResource
    )


def _resources(spec: dict) -> dict:
    ch = spec["ch"]
    return {
        "qtickets": _mods["QTicketsResource"](
            base_url=spec["rest_url"],
            token=spec["token"],
            partners_base_url=spec.get("partners_url", ""),
            partners_token=spec.get("partners_token", ""),
            page_size=spec["page_size"],
            max_concurrency=spec["concurrency"],
            requests_per_second=spec["rps"],
        ),
        "clickhouse": _mods["ClickHouseResource"](host=ch["host"], port=ch["http_port"], database=spec["database"]),
    }


def run(spec: dict) -> dict:
    """One materialization of stg_qtickets_api_orders_raw (mode from the spec: full | incremental)."""
    dg = _mods["dg"]
    asset = next(a for a in _mods["STAGING_ASSETS"] if a.key == dg.AssetKey("stg_qtickets_api_orders_raw"))
    config = {"ops": {asset.op.name: {"config": {"mode": spec.get("mode", "full")}}}}
    started = time.perf_counter()
    result = dg.materialize([asset], resources=_resources(spec), run_config=config)
    seconds = time.perf_counter() - started
    meta = {k: v.value for k, v in result.asset_materializations_for_node(asset.op.name)[0].metadata.items()}
    return {
        "seconds": seconds,
        "rows": meta["rows_inserted"],
        "requests_client": meta["requests"],
        "pages": meta["pages"],
        "step_seconds": meta["seconds"],
        "api_seconds": meta["api_seconds"],
        "insert_seconds": meta["insert_seconds"],
        "table_rows": meta["dagster/row_count"],
        "window": meta.get("window"),
    }


def run_all(spec: dict) -> dict:
    """Every staging asset once, full load, in one in-process run (fills the tables dbt reads)."""
    dg = _mods["dg"]
    assets = list(_mods["STAGING_ASSETS"])
    config = {"ops": {a.op.name: {"config": {"mode": "full"}} for a in assets}}
    started = time.perf_counter()
    result = dg.materialize(assets, resources=_resources(spec), run_config=config, raise_on_error=False)
    seconds = time.perf_counter() - started
    rows = {}
    for a in assets:
        mats = result.asset_materializations_for_node(a.op.name)
        rows[a.key.to_user_string()] = mats[0].metadata["rows_inserted"].value if mats else None
    return {
        "seconds": seconds,
        "rows": sum(v or 0 for v in rows.values()),
        "per_table": rows,
        "success": result.success,
    }
