"""Benchmark of the orders load (not a test).

    python bench/bench_ingest.py                      # 20,000 orders at 150 ms latency: platform vs sequential
    python bench/bench_ingest.py --orders 200000      # also the peak RSS of the load (fresh subprocess)

Starts a SandboxServer and an EmbeddedClickHouse, then
  1. sequential baseline: the same pages (same page size, orderBy id asc) fetched one after another, no insert;
  2. the platform: a full materialization of stg_qtickets_api_orders_raw (concurrent pages, streamed
     columnar inserts) in a fresh Python process, which reports its own peak RSS (resource.getrusage).
Prints both times and the ratio (target: platform >= 4x faster) and the peak RSS (target < 1 GB).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def sequential_fetch(rest_url: str, token: str, page_size: int) -> tuple[float, int, int]:
    import requests
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    started = time.perf_counter()
    page, objects, pages = 1, 0, 0
    while True:
        body = {"page": page, "perPage": page_size, "orderBy": {"id": "asc"}}
        answer = session.get(f"{rest_url.rstrip('/')}/orders", json=body, headers=headers, timeout=60).json()
        data, paging = answer["data"], answer["paging"]
        objects += len(data)
        pages += 1
        if not data or paging["currentPage"] * paging["perPage"] >= paging["total"]:
            break
        page += 1
    return time.perf_counter() - started, objects, pages


def child_load(args) -> None:
    """Runs in a fresh process: materialize the orders asset once, print metrics + peak RSS as JSON."""
    import resource

    import dagster as dg

    from qtickets_assets.clickhouse.resource import ClickHouseResource
    from qtickets_assets.qtickets.assets import STAGING_ASSETS
    from qtickets_assets.qtickets.client import QTicketsResource

    orders = next(a for a in STAGING_ASSETS if a.key == dg.AssetKey("stg_qtickets_api_orders_raw"))
    resources = {
        "qtickets": QTicketsResource(base_url=args.rest_url, token=args.token, page_size=args.page_size,
                                     requests_per_second=args.rps),
        "clickhouse": ClickHouseResource(host="127.0.0.1", port=args.ch_port),
    }
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = dg.materialize([orders], resources=resources, run_config={"ops": {orders.op.name: {
        "config": {"mode": "full"}}}})
    seconds = time.perf_counter() - started
    meta = result.asset_materializations_for_node(orders.op.name)[0].metadata
    print(json.dumps({"seconds": seconds, "rows_inserted": meta["rows_inserted"].value,
                      "requests": meta["requests"].value, "pages": meta["pages"].value,
                      "step_seconds": meta["seconds"].value, "insert_seconds": meta["insert_seconds"].value,
                      "api_seconds": meta["api_seconds"].value,
                      "rss_before_mb": rss_before / 1024,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=20000)
    parser.add_argument("--latency-ms", type=int, default=150)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--rps", type=float, default=20.0,
                        help="the platform's requests_per_second budget (default: the resource default, 20)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rest-url", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--ch-port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child_load(args)

    from qtickets_assets.local.clickhouse_server import EmbeddedClickHouse
    from qtickets_sandbox.testing import SandboxServer

    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as tmp, \
            EmbeddedClickHouse(path=os.path.join(tmp, "ch")) as ch, \
            SandboxServer(orders=args.orders, latency_ms=args.latency_ms) as sandbox:
        print(f"sandbox: {args.orders} orders, {args.latency_ms} ms latency; page size {args.page_size}; "
              f"platform budget {args.rps:g} requests/s, 8 in flight")
        seq_s, seq_objects, seq_pages = sequential_fetch(sandbox.rest_url, sandbox.token, args.page_size)
        print(f"sequential fetch : {seq_s:7.2f} s  ({seq_pages} pages, {seq_objects} orders, no insert)")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        out = subprocess.run([sys.executable, __file__, "--child", "--rest-url", sandbox.rest_url,
                              "--token", sandbox.token, "--ch-port", str(ch.http_port),
                              "--page-size", str(args.page_size), "--rps", str(args.rps)],
                             env=env, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            sys.stderr.write(out.stderr[-4000:])
            raise SystemExit("platform load failed")
        child = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"platform load    : {child['step_seconds']:7.2f} s  ({child['pages']} pages, {child['requests']} "
              f"requests, {child['rows_inserted']} rows inserted into ClickHouse; "
              f"materialize() total {child['seconds']:.2f} s)")
        print(f"  (sum of request latencies {child['api_seconds']:.2f} s over {args.page_size}-row pages; "
              f"ClickHouse inserts {child['insert_seconds']:.2f} s, on a background thread)")
        print(f"ratio            : {seq_s / child['step_seconds']:7.2f} x faster (target >= 4x)")
        print(f"peak RSS of load : {child['peak_rss_mb']:7.1f} MB (process with dagster imported: "
              f"{child['rss_before_mb']:.1f} MB before the load; target < 1024 MB)")


if __name__ == "__main__":
    main()
