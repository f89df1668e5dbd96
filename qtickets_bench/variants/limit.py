"""(c) The limit: what the API and ClickHouse allow at best, measured in two separate parts.

fetch  = every page fetched with the same page size and concurrency as the others, bytes discarded
         (no parsing, no rows built): the API's share.
insert = a bare `insert_arrow` of exactly the rows the platform writes (typed key columns + payload JSON +
         meta columns) into a table of the staging DDL; the Arrow tables are built from a second, untimed
         fetch, 100 pages (50,000 rows) per insert, so memory stays bounded at any N: ClickHouse's share.
The sum is a serial lower bound; a loader that overlaps fetching and inserting may even beat it.
"""

from __future__ import annotations

import time
from datetime import UTC

_mods: dict = {}
CHUNK_PAGES = 100


def prepare(spec: dict) -> None:
    import clickhouse_connect
    import orjson
    import pyarrow as pa

    from qtickets_assets.clickhouse.resource import ClickHouseResource
    from qtickets_assets.qtickets.ingest.columns import order_keys, payload_bytes

    from .pages import OrdersPager

    _mods.update(
        cc=clickhouse_connect,
        orjson=orjson,
        pa=pa,
        order_keys=order_keys,
        payload_bytes=payload_bytes,
        ClickHouseResource=ClickHouseResource,
        OrdersPager=OrdersPager,
    )
    ch = spec["ch"]
    _mods["resource"] = ClickHouseResource(host=ch["host"], port=ch["http_port"], database=spec["database"])
    _mods["resource"].bootstrap()  # the staging DDL, outside the timing


def _arrow_table(pages: list[bytes], loaded_at, run_id: str, version_base: int, offset: int):
    pa, orjson, order_keys, payload_bytes = _mods["pa"], _mods["orjson"], _mods["order_keys"], _mods["payload_bytes"]
    cols: list[list] = [[] for _ in range(8)]
    for raw in pages:
        for obj in orjson.loads(raw)["data"]:
            for i, value in enumerate(order_keys(obj, {})):
                cols[i].append(value)
            cols[7].append(payload_bytes(obj))
    n = len(cols[0])
    ts = pa.timestamp("ms", tz="UTC")
    return pa.table(
        {
            "order_id": pa.array(cols[0], pa.uint64()),
            "event_id": pa.array(cols[1], pa.uint64()),
            "payed": pa.array(cols[2], pa.uint8()),
            "created_at": pa.array(cols[3], ts),
            "payed_at": pa.array(cols[4], ts),
            "updated_at": pa.array(cols[5], ts),
            "deleted_at": pa.array(cols[6], ts),
            "payload": pa.array(cols[7], pa.binary()),
            "_loaded_at": pa.array([loaded_at] * n, ts),
            "_run_id": pa.array([run_id] * n, pa.string()),
            "_version": pa.array(range(version_base + offset, version_base + offset + n), pa.uint64()),
        }
    )


def run(spec: dict) -> dict:
    from datetime import datetime

    pager = _mods["OrdersPager"](spec["rest_url"], spec["token"], spec["page_size"], spec["concurrency"])
    # Part 1: the API at the same page size and concurrency, nothing kept.
    started = time.perf_counter()
    first = pager.fetch(1)
    count = pager.page_count(first)
    fetched = len(first) + sum(pager.map_pages(list(range(2, count + 1))))
    fetch_seconds = time.perf_counter() - started

    # Part 2: bare Arrow inserts of the platform's rows (only the insert calls are timed).
    client = _mods["resource"].get_client()
    table = "stg_qtickets_api_orders_raw"
    loaded_at, run_id, version_base = datetime.now(UTC), "bench-limit", time.time_ns()
    insert_seconds, rows, inserts = 0.0, 0, 0
    for lo in range(1, count + 1, CHUNK_PAGES):
        pages = list(pager.map_pages(list(range(lo, min(count, lo + CHUNK_PAGES - 1) + 1)), fn=lambda b: b))
        arrow = _arrow_table(pages, loaded_at, run_id, version_base, rows)
        del pages
        t0 = time.perf_counter()
        client.insert_arrow(table, arrow)
        insert_seconds += time.perf_counter() - t0
        rows += arrow.num_rows
        inserts += 1
    table_rows = int(client.command(f"SELECT count() FROM {table}"))
    return {
        "seconds": fetch_seconds + insert_seconds,
        "fetch_seconds": fetch_seconds,
        "insert_seconds": insert_seconds,
        "rows": rows,
        "pages": count,
        "bytes_fetched": fetched,
        "inserts": inserts,
        "table_rows": table_rows,
    }
