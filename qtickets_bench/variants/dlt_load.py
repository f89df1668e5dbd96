"""(b) dlt pulling the same endpoint into the same ClickHouse, merge on id, same page size.

b1 `run_rest_api`: the declarative rest_api source (dlt defaults otherwise): JSON-body paging on GET
   (`endpoint.json`, `page_body_path="page"`, base page 1, data selector `data`). dlt's `total_path` means a
   page count, so a small paginator subclass stops at `paging.total` instead of paying one empty page.
b2 `run_parallel`: dlt's fastest honest configuration found here: a resource yielding `@dlt.defer`
   page fetches (EXTRACT__WORKERS = the bench concurrency), uncompressed intermediate files, 2 normalize
   workers. `spec["max_table_nesting"]` (None = dlt's default unnesting) is recorded with the figures.
dlt is imported here only (the `bench` extra); its telemetry is switched off before the import.
"""

from __future__ import annotations

import math
import os
import tempfile
import time

_mods: dict = {}


def prepare(spec: dict) -> None:
    os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"  # loopback only: no telemetry calls
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "WARNING")
    if spec["variant"] == "dlt_parallel":
        os.environ["EXTRACT__WORKERS"] = str(spec["concurrency"])
        os.environ["DATA_WRITER__DISABLE_COMPRESSION"] = "true"
        os.environ["NORMALIZE__WORKERS"] = "2"
    import dlt
    import requests
    from dlt.sources.helpers.rest_client.paginators import PageNumberPaginator
    from dlt.sources.rest_api import rest_api_source

    class TotalPagePaginator(PageNumberPaginator):
        """Page numbers in the JSON body; stop once page * perPage reaches paging.total."""

        def update_state(self, response, data=None) -> None:
            super().update_state(response, data)
            paging = (response.json() or {}).get("paging") or {}
            total, per_page = paging.get("total"), paging.get("perPage")
            # current_value is already the NEXT page number: pages read so far = current_value - 1.
            if total is not None and per_page and (self.current_value - 1) * int(per_page) >= int(total):
                self._has_next_page = False

    _mods.update(dlt=dlt, requests=requests, rest_api_source=rest_api_source, Paginator=TotalPagePaginator)
    import clickhouse_connect

    ch = spec["ch"]
    client = clickhouse_connect.get_client(host=ch["host"], port=ch["http_port"])
    client.command(f"CREATE DATABASE IF NOT EXISTS {spec['database']}")
    _mods["ch_client"] = client


def _pipeline(spec: dict, name: str):
    dlt = _mods["dlt"]
    ch = spec["ch"]
    credentials = {
        "host": ch["host"],
        "port": ch["tcp_port"],
        "http_port": ch["http_port"],
        "username": "default",
        "password": "",
        "database": spec["database"],
        "secure": 0,
    }
    return dlt.pipeline(
        pipeline_name=name,
        pipelines_dir=tempfile.mkdtemp(prefix="bench_dlt_"),
        destination=dlt.destinations.clickhouse(credentials=credentials),
        dataset_name=spec["dataset"],
    )


def _finish(spec: dict, pipeline, seconds: float, extra: dict) -> dict:
    table = f"{spec['dataset']}___orders"
    client = _mods["ch_client"]
    rows = int(client.command(f"SELECT count() FROM {spec['database']}.{table}"))
    trace = pipeline.last_trace
    steps = {s.step: round((s.finished_at - s.started_at).total_seconds(), 3) for s in trace.steps} if trace else {}
    tables = client.query(
        f"SELECT name FROM system.tables WHERE database = '{spec['database']}' AND name LIKE '{spec['dataset']}___%'"
    ).result_rows
    return {
        "seconds": seconds,
        "rows": rows,
        "table_rows": rows,
        "dlt_steps": steps,
        "dlt_tables": len(tables),
        **extra,
    }


def run_rest_api(spec: dict) -> dict:
    source = _mods["rest_api_source"](
        {
            "client": {
                "base_url": spec["rest_url"].rstrip("/") + "/",
                "auth": {"type": "bearer", "token": spec["token"]},
            },
            "resource_defaults": {"write_disposition": "merge", "primary_key": "id"},
            "resources": [
                {
                    "name": "orders",
                    "endpoint": {
                        "path": "orders",
                        "method": "GET",
                        "json": {"perPage": spec["page_size"], "orderBy": {"id": "asc"}},
                        "paginator": _mods["Paginator"](base_page=1, page_body_path="page", total_path=None),
                        "data_selector": "data",
                    },
                }
            ],
        }
    )
    pipeline = _pipeline(spec, "bench_rest_api")
    started = time.perf_counter()
    pipeline.run(source)
    return _finish(spec, pipeline, time.perf_counter() - started, {})


def run_parallel(spec: dict) -> dict:
    dlt, requests = _mods["dlt"], _mods["requests"]
    from dlt.common import json as dlt_json  # orjson underneath, like the platform

    url = spec["rest_url"].rstrip("/") + "/orders"
    headers = {"Authorization": f"Bearer {spec['token']}", "Accept": "application/json"}
    per_page = spec["page_size"]
    sessions = __import__("threading").local()

    def get(page: int) -> dict:
        session = getattr(sessions, "s", None) or setattr(sessions, "s", requests.Session()) or sessions.s
        resp = session.get(
            url, json={"page": page, "perPage": per_page, "orderBy": {"id": "asc"}}, headers=headers, timeout=120
        )
        resp.raise_for_status()
        return dlt_json.loadb(resp.content)

    @dlt.defer
    def page_items(page: int) -> list:
        return get(page)["data"]

    nesting = spec.get("max_table_nesting")
    kwargs = {"max_table_nesting": nesting} if nesting is not None else {}

    @dlt.resource(name="orders", write_disposition="merge", primary_key="id", **kwargs)
    def orders():
        first = get(1)
        yield first["data"]
        paging = first["paging"]
        for page in range(2, math.ceil(int(paging["total"]) / int(paging["perPage"])) + 1):
            yield page_items(page)

    pipeline = _pipeline(spec, "bench_parallel")
    started = time.perf_counter()
    pipeline.run(orders())
    return _finish(spec, pipeline, time.perf_counter() - started, {"max_table_nesting": nesting})
