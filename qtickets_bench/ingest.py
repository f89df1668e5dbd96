"""Issue #4's benchmark: a full load of the orders asset against fetching the same pages one after another.

    qtickets-platform bench ingest                            # 20,000 orders at 150 ms, median of 3
    qtickets-platform bench ingest --orders 20000,200000      # also the peak RSS of a 200,000-order load
    python -m qtickets_bench.ingest --help

It starts its own embedded ClickHouse and QTickets sandbox (loopback only). For each N:
  warm-up     one untimed pass over every page, so the sandbox has rendered (and cached) each one before
              either side is timed: both measure the same warm sandbox.
  sequential  the same pages (the platform's default page size, orderBy id asc) fetched one after another
              on one keep-alive session; every body read whole, only page 1 parsed (for the total). The
              strictest baseline: no parsing and no insert.
  platform    a full materialization of `stg_qtickets_api_orders_raw` with the platform's DEFAULT settings
              (page size, requests/s budget, requests in flight), in a fresh process (its own peak RSS),
              into an empty database. `load` = the asset's loader (paging, parsing, inserts: the step's
              work); `materialize` adds Dagster's run around it (set-up, run log, deduplicated count).
Runs alternate (sequential, platform) `--repeat` times; figures are medians. Targets (printed,
not tests): load >= 4x faster than sequential at 150 ms; peak RSS of the load < 1 GB at 200,000 orders.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

from .machine import describe, one_line
from .runner import ROOT, WorkerFailed, run_worker
from .stats import median

DEFAULT_OUT = ROOT / "bench" / "ingest_results.json"
SPEEDUP_TARGET = 4.0
RSS_TARGET_MB = 1024.0


def sequential_fetch(rest_url: str, token: str, page_size: int) -> dict:
    """Every page of /orders, one request after another. Returns seconds, pages and bytes."""
    import orjson

    url = rest_url.rstrip("/") + "/orders"
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    pages, size = 0, 0
    with requests.Session() as session:
        started = time.perf_counter()
        count = 1
        while pages < count:
            body = {"page": pages + 1, "perPage": page_size, "orderBy": {"id": "asc"}}
            resp = session.get(url, json=body, headers=headers, timeout=120)
            resp.raise_for_status()
            if pages == 0:
                paging = orjson.loads(resp.content)["paging"]
                count = max(1, math.ceil(int(paging["total"]) / int(paging["perPage"])))
            size += len(resp.content)
            pages += 1
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "pages": pages, "bytes": size}


def platform_load(sandbox, clickhouse, database: str) -> dict:
    """One full load of the orders asset with the platform's default client settings, in a fresh process."""
    from qtickets_assets.qtickets.client.api import (
        DEFAULT_MAX_CONCURRENCY,
        DEFAULT_PAGE_SIZE,
        DEFAULT_REQUESTS_PER_SECOND,
    )

    spec = {
        "variant": "platform",
        "mode": "full",
        "database": database,
        "rest_url": sandbox.rest_url,
        "token": sandbox.token,
        "partners_url": sandbox.partners_url,
        "partners_token": sandbox.partners_token,
        "ch": {"host": clickhouse.host, "http_port": clickhouse.http_port, "tcp_port": clickhouse.tcp_port},
        "page_size": DEFAULT_PAGE_SIZE,
        "concurrency": DEFAULT_MAX_CONCURRENCY,
        "rps": DEFAULT_REQUESTS_PER_SECOND,
    }
    return run_worker(spec, sandbox)


def measure(n: int, latency_ms: int, repeat: int, clickhouse, log=print) -> dict:
    from qtickets_assets.qtickets.client.api import (
        DEFAULT_MAX_CONCURRENCY,
        DEFAULT_PAGE_SIZE,
        DEFAULT_REQUESTS_PER_SECOND,
    )
    from qtickets_sandbox.testing import SandboxServer

    cell: dict = {
        "orders": n,
        "latency_ms": latency_ms,
        "page_size": DEFAULT_PAGE_SIZE,
        "platform_settings": {
            "requests_per_second": DEFAULT_REQUESTS_PER_SECOND,
            "max_concurrency": DEFAULT_MAX_CONCURRENCY,
        },
        "sequential": [],
        "platform": [],
    }
    log(f"==> sandbox: {n:,} orders, {latency_ms} ms latency")
    with SandboxServer(orders=n, latency_ms=latency_ms, start_timeout=120 + n / 5000) as sandbox:
        warm = sequential_fetch(sandbox.rest_url, sandbox.token, DEFAULT_PAGE_SIZE)
        cell["warm_up_seconds"] = round(warm["seconds"], 2)
        log(f"    warm-up pass (untimed): {warm['pages']} pages, {warm['bytes'] / 1e6:.0f} MB, {warm['seconds']:.2f} s")
        for rep in range(1, repeat + 1):
            seq = sequential_fetch(sandbox.rest_url, sandbox.token, DEFAULT_PAGE_SIZE)
            cell["sequential"].append(seq)
            log(f"    run {rep}/{repeat} sequential: {seq['seconds']:.2f} s ({seq['pages']} pages)")
            database = f"bench_ingest_{n}_{latency_ms}_{rep}_{int(time.time())}"
            try:
                out = platform_load(sandbox, clickhouse, database)
            except WorkerFailed as exc:
                out = {"error": str(exc)[-2000:]}
                log(f"    run {rep}/{repeat} platform: FAILED {out['error'].splitlines()[0]}")
            else:
                log(
                    f"    run {rep}/{repeat} platform:   load {out['step_seconds']:.2f} s, materialize "
                    f"{out['seconds']:.2f} s, {out['rows']:,} rows, {out['requests']} requests, "
                    f"peak RSS {out['peak_rss_mb']:.0f} MB"
                )
            cell["platform"].append(out)
    ok = [r for r in cell["platform"] if "error" not in r]
    seq_s = median(r["seconds"] for r in cell["sequential"])
    load_s = median(r["step_seconds"] for r in ok)
    mat_s = median(r["seconds"] for r in ok)
    cell["median"] = {
        "sequential_seconds": seq_s,
        "load_seconds": load_s,
        "materialize_seconds": mat_s,
        "speedup_load": seq_s / load_s if seq_s and load_s else None,
        "speedup_materialize": seq_s / mat_s if seq_s and mat_s else None,
        "peak_rss_mb": max((r["peak_rss_mb"] for r in ok), default=None),
        "rows_ok": bool(ok) and all(r["rows"] == n and r["table_rows"] == n for r in ok),
        "failed_runs": len(cell["platform"]) - len(ok),
    }
    return cell


def _fmt(value: float | None, unit: str) -> str:
    return "—" if value is None else f"{value:.2f} {unit}"


def table(results: dict) -> list[str]:
    lines = [
        f"orders full load vs the same pages one after another ({results['started_at']}); "
        f"{one_line(results['machine'])}",
        f"platform defaults: page size {results['cells'][0]['page_size'] if results['cells'] else '?'}, "
        f"{results['platform_settings']['requests_per_second']:g} requests/s budget, "
        f"{results['platform_settings']['max_concurrency']} in flight; median of {results['repeat']}",
        f"{'orders':>9} {'latency':>7} {'sequential':>11} {'load':>8} {'speed-up':>9} {'materialize':>12} "
        f"{'speed-up':>9} {'peak RSS':>9}  rows",
        "-" * 92,
    ]
    for c in results["cells"]:
        m = c["median"]
        rss = "—" if m["peak_rss_mb"] is None else f"{m['peak_rss_mb']:.0f} MB"
        rows = f"all {c['orders']:,}" if m["rows_ok"] else "WRONG or failed"
        lines.append(
            f"{c['orders']:>9,} {c['latency_ms']:>4} ms {_fmt(m['sequential_seconds'], 's'):>11} "
            f"{_fmt(m['load_seconds'], 's'):>8} {_fmt(m['speedup_load'], 'x'):>9} "
            f"{_fmt(m['materialize_seconds'], 's'):>12} {_fmt(m['speedup_materialize'], 'x'):>9} "
            f"{rss:>9}  {rows}"
        )
    lines += ["", "targets (figures, not tests):"]
    for c in results["cells"]:
        m = c["median"]
        if c["latency_ms"] == 150 and c["orders"] == 20000:
            ok = (m["speedup_load"] or 0) >= SPEEDUP_TARGET
            lines.append(
                f"  [{'MET ' if ok else 'MISS'}] load >= {SPEEDUP_TARGET:g}x faster than sequential at "
                f"20,000 / 150 ms: {m['speedup_load'] or 0:.2f}x (with Dagster's run around it: "
                f"{m['speedup_materialize'] or 0:.2f}x)"
            )
        if c["orders"] == 200000 and m["peak_rss_mb"] is not None:
            ok = m["peak_rss_mb"] < RSS_TARGET_MB
            lines.append(
                f"  [{'MET ' if ok else 'MISS'}] peak RSS of a 200,000-order load < 1 GB at "
                f"{c['latency_ms']} ms: {m['peak_rss_mb']:.0f} MB"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="qtickets-platform bench ingest", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--orders", type=lambda s: [int(x) for x in s.split(",")], default=[20000])
    p.add_argument("--latency-ms", type=int, default=150)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = p.parse_args(sys.argv[1:] if argv is None else argv)

    from qtickets_assets.local.clickhouse_server import EmbeddedClickHouse
    from qtickets_assets.qtickets.client.api import DEFAULT_MAX_CONCURRENCY, DEFAULT_REQUESTS_PER_SECOND

    results: dict = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "repeat": args.repeat,
        "platform_settings": {
            "requests_per_second": DEFAULT_REQUESTS_PER_SECOND,
            "max_concurrency": DEFAULT_MAX_CONCURRENCY,
        },
        "cells": [],
    }
    with (
        tempfile.TemporaryDirectory(prefix="qtickets_bench_ingest_") as tmp,
        EmbeddedClickHouse(os.path.join(tmp, "clickhouse")) as clickhouse,
    ):
        import clickhouse_connect

        version = clickhouse_connect.get_client(host=clickhouse.host, port=clickhouse.http_port).server_version
        results["machine"] = describe(version)
        print(f"==> {one_line(results['machine'])}", flush=True)
        for n in args.orders:
            results["cells"].append(
                measure(n, args.latency_ms, args.repeat, clickhouse, log=lambda m: print(m, flush=True))
            )
    results["table"] = table(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str))
    print("\n".join(results["table"]))
    print(f"==> wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
