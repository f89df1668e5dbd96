"""`qtickets-platform bench [options]` (or `python -m qtickets_bench`): starts its own embedded
ClickHouse and QTickets sandboxes, measures, prints a table and writes bench/results.json.

    --quick        1 run, N = 20,000 only (smoke)
    --large        adds N = 1,000,000 (about 50 s of sandbox generation per latency, and long dlt runs)
    --repeat K     runs per figure (median), default 3

`qtickets-platform bench ingest [--orders 20000,200000]`: the orders full load against fetching the same
pages one after another, with the platform's default settings (qtickets_bench/ingest.py).

`qtickets-platform bench e2e [--orders 200000,1000000]`: the whole run (every asset, check, dbt model and the
audit in one Dagster run) per size: wall time, time per step, peak RSS, rows per table (qtickets_bench/whole_run.py).

`qtickets-platform bench webhooks [--seconds 60]`: paid -> staging and paid -> fact latency through the webhook
receiver and its sensor, the receiver's deliveries/s under a flood and its peak RSS (qtickets_bench/webhooks.py).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from .machine import describe, one_line
from .report import cell_ratios, dbt_lines, e2e_lines, full_load_lines, incremental_lines, target_lines, targets
from .runner import ROOT
from .scenarios import VARIANTS, Settings, full_loads, incremental

DEFAULT_OUT = ROOT / "bench" / "results.json"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="qtickets-platform bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--quick", action="store_true", help="1 run, N = 20,000 only")
    p.add_argument("--large", action="store_true", help="also N = 1,000,000")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument(
        "--orders",
        type=lambda s: [int(x) for x in s.split(",")],
        default=None,
        help="comma-separated N list (default 20000,200000)",
    )
    p.add_argument("--latencies", type=lambda s: [int(x) for x in s.split(",")], default=[0, 150])
    p.add_argument("--variants", type=lambda s: s.split(","), default=list(VARIANTS))
    p.add_argument(
        "--only",
        type=lambda s: set(s.split(",")),
        default={"full", "incremental", "dbt", "e2e"},
        help="sections: full,incremental,dbt,e2e",
    )
    p.add_argument("--page-size", type=int, default=500)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument(
        "--platform-rps",
        type=float,
        default=1000.0,
        help="the RAISED requests/s budget of variant (a) platform (default 1000: not binding, so that only the "
        "concurrency limits it, like the peers); variant `platform_default` always runs the platform's own default",
    )
    p.add_argument(
        "--dlt-nesting",
        type=int,
        default=0,
        help="max_table_nesting of b2 (0 = nested data as JSON like the platform's payload; "
        "-1 = dlt's default unnesting)",
    )
    p.add_argument("--dbt-orders", type=int, default=200000)
    p.add_argument("--e2e-orders", type=int, default=20000)
    p.add_argument("--e2e-latency", type=int, default=150)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--render", type=Path, default=None, help="only re-print the table of an existing results file")
    args = p.parse_args(argv)
    if args.quick:
        args.repeat, args.orders, args.dbt_orders, args.e2e_orders = 1, [20000], 20000, 20000
    if args.orders is None:
        args.orders = [20000, 200000] + ([1000000] if args.large else [])
    return args


def _log(msg: str) -> None:
    print(msg, flush=True)


def _write(path: Path, results: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, indent=2, default=str))
    os.replace(tmp, path)


def _default_rps() -> float:
    from qtickets_assets.qtickets.client.api import DEFAULT_REQUESTS_PER_SECOND

    return DEFAULT_REQUESTS_PER_SECOND


def with_overlap_bound(variants: dict) -> dict:
    """Files written before the overlap bound existed store only the limit's fetch and insert medians (and ratios
    against their sum): derive the bound from those medians, so that the column labelled max(fetch, insert) never
    shows a ratio against the sum."""
    limit = (variants.get("limit") or {}).get("median") or {}
    fetch, insert = limit.get("fetch_seconds"), limit.get("insert_seconds")
    if limit.get("overlap_bound_seconds") is None and fetch is not None and insert is not None:
        limit["overlap_bound_seconds"] = max(fetch, insert)
    return variants


def render(results: dict) -> list[str]:
    """The printed table; also stores the target verdicts and the table in `results`."""
    cells = [c for c in results["full_load"] if c.get("ratios")]
    for cell in cells:
        cell["ratios"] = cell_ratios(with_overlap_bound(cell["variants"]))
    results["targets"] = targets(cells)
    s = results["settings"]
    lines = [
        f"QTickets platform benchmark ({results['started_at']}, {results.get('minutes')} min); "
        f"{one_line(results['machine'])}",
        f"full load of orders: page size {s['page_size']}, {s['concurrency']} in flight, platform budget RAISED "
        f"to {s['platform_rps']:g} req/s in (a) platform RAISED, the default {_default_rps():g} req/s in (a) platform "
        f"default; b2 max_table_nesting {s['dlt_nesting']}; median of {s['repeat']}; "
        f"wall = the tool's whole run (Dagster materialize / dlt pipeline.run)",
        *full_load_lines(cells),
        "",
        "incremental runs of the orders asset (median):",
        *incremental_lines(results["full_load"]),
        "",
        *dbt_lines(results["dbt"]),
        "",
        *e2e_lines(results["e2e"]),
        "",
        "targets (figures, not tests):",
        *target_lines(results["targets"]),
    ]
    results["table"] = lines
    return lines


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--"]:  # `qtickets-platform bench -- --quick`: the CLI passes the separator through
        argv = argv[1:]
    if argv[:1] == ["ingest"]:  # the orders full load vs one-after-another paging (ingest.py)
        from .ingest import main as ingest_main

        return ingest_main(argv[1:])
    if argv[:1] == ["webhooks"]:  # near-real-time sales through the webhook receiver (webhooks.py)
        from .webhooks import main as webhooks_main

        return webhooks_main(argv[1:])
    if argv[:1] == ["e2e"]:  # the whole run at scale (whole_run.py); needs no dlt
        from .whole_run import main as whole_run_main

        return whole_run_main(argv[1:])
    args = parse_args(argv)
    if args.render:
        results = json.loads(args.render.read_text())
        print("\n".join(render(results)))
        return 0
    from qtickets_assets.local.clickhouse_server import EmbeddedClickHouse
    from qtickets_sandbox.testing import SandboxServer

    settings = Settings(
        page_size=args.page_size,
        concurrency=args.concurrency,
        platform_rps=args.platform_rps,
        dlt_nesting=None if args.dlt_nesting < 0 else args.dlt_nesting,
        repeat=args.repeat,
    )
    results: dict = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "note": "shared 2-core machine: other engineers' tests may have run at the same time "
        "(see load_average_at_start); every figure is the median of `repeat` runs",
        "settings": {
            **vars(settings),
            "orders": args.orders,
            "latencies_ms": args.latencies,
            "variants": args.variants,
            "dbt_orders": args.dbt_orders,
            "e2e_orders": args.e2e_orders,
            "e2e_latency_ms": args.e2e_latency,
        },
        "full_load": [],
        "dbt": None,
        "e2e": None,
    }
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="qtickets_bench_") as tmp,
        EmbeddedClickHouse(os.path.join(tmp, "clickhouse")) as clickhouse,
    ):
        import clickhouse_connect

        version = clickhouse_connect.get_client(host=clickhouse.host, port=clickhouse.http_port).server_version
        results["machine"] = describe(version)
        _log(f"==> {one_line(results['machine'])}")
        for n in args.orders:
            for latency in args.latencies:
                _log(f"==> sandbox: {n:,} orders, {latency} ms latency")
                with SandboxServer(orders=n, latency_ms=latency, start_timeout=120 + n / 5000) as sandbox:
                    cell = {"orders": n, "latency_ms": latency, "variants": {}}
                    platform_db = None
                    if "full" in args.only:
                        cell["variants"], platform_db = full_loads(sandbox, clickhouse, settings, args.variants, _log)
                        cell["ratios"] = cell_ratios(cell["variants"])
                    if "incremental" in args.only and platform_db:
                        cell["incremental"] = incremental(sandbox, clickhouse, settings, platform_db, _log)
                    results["full_load"].append(cell)
                    if "dbt" in args.only and n == args.dbt_orders and latency == min(args.latencies):
                        from .dbt_build import dbt_scenario

                        results["dbt"] = {
                            "orders": n,
                            "latency_ms": latency,
                            **dbt_scenario(sandbox, clickhouse, settings, _log),
                        }
                    if "e2e" in args.only and n == args.e2e_orders and latency == args.e2e_latency:
                        from .e2e import e2e_scenario

                        results["e2e"] = {
                            "orders": n,
                            "latency_ms": latency,
                            **e2e_scenario(sandbox, clickhouse, args.repeat, _log),
                        }
                    _write(args.out, results)
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["minutes"] = round((time.monotonic() - started) / 60, 1)
    lines = render(results)
    _write(args.out, results)
    print("\n".join(lines))
    print(f"==> wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
