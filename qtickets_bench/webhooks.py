"""`qtickets-platform bench webhooks`: near-real-time sales through the webhook receiver.

Starts its own embedded ClickHouse, the receiver (`qtickets-platform webhooks`, a subprocess) and a sandbox whose
webhooks point at it; loads the history once through the ordinary Dagster assets; then:

1. Latency (--seconds of steady activity): every --step-seconds the sandbox advances --step-minutes of simulated
   time (orders created, paid, refunded...; each change pushed as a webhook). A poller reads new `payed` rows from
   stg_qtickets_webhooks_raw every 10 ms. paid -> staging = first seen in ClickHouse minus the START of the advance
   call that paid the order (an upper bound: the payment happened somewhere during that call).
   paid -> fact: every --sensor-seconds the REAL qtickets_webhook_sensor is evaluated (build_sensor_context) and the
   run it requests is executed in process (dagster.materialize of its asset selection with its partition tags), so
   a payment is in fact_qtickets_sales_daily when the first such run that STARTED after the row was visible ends.
   Not measured: a Dagster daemon's tick scheduling and run launch (a queued run in a new process adds seconds).
2. Throughput: --flood deliveries (real order bodies, each made unique, signed) sent by --connections concurrent
   keep-alive connections from this process (asyncio), all answered 200 only once stored: deliveries per second.
3. Receiver peak RSS (VmHWM of its process) after both.

Writes bench/webhooks_results.json. Targets: paid -> staging p95 < 1 s, paid -> fact p95 < 60 s, >= 500
deliveries/s, RSS < 200 MB (benchmark figures, not tests).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from .machine import describe, one_line
from .runner import ROOT

DEFAULT_OUT = ROOT / "bench" / "webhooks_results.json"
SECRET = "bench-webhook-secret"
TARGETS = {"staging_p95_s": 1.0, "fact_p95_s": 60.0, "deliveries_per_s": 500.0, "rss_mb": 200.0}


def parse_args(argv):
    p = argparse.ArgumentParser(prog="qtickets-platform bench webhooks", description=__doc__)
    p.add_argument("--orders", type=int, default=2000, help="sandbox history (loaded once through the API)")
    p.add_argument("--seconds", type=float, default=60.0, help="duration of the steady activity")
    p.add_argument("--step-seconds", type=float, default=0.5)
    p.add_argument("--step-minutes", type=float, default=10.0, help="simulated minutes per advance")
    p.add_argument("--sensor-seconds", type=float, default=5.0, help="the sensor interval emulated")
    p.add_argument("--flood", type=int, default=20000, help="deliveries sent in the throughput phase")
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    return p.parse_args(argv)


def percentile(values, q):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def rss_peak_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# --- the flood ------------------------------------------------------------------------------------------------------


async def _worker(port: int, queue: list, results: dict) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while queue:
            body, signature = queue.pop()
            head = (
                f"POST /webhooks/qtickets HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"X-Event-Type: updated\r\nX-Model-Name: Order\r\nUser-Agent: Qtickets-Webhooks/2.0\r\n"
                f"X-Signature: {signature}\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode()
            writer.write(head + body)
            await writer.drain()
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if length:
                await reader.readexactly(length)
            code = int(status_line.split()[1]) if status_line else 0
            results[code] = results.get(code, 0) + 1
    finally:
        writer.close()


def flood(port: int, bodies: list[tuple[bytes, str]], connections: int) -> tuple[float, dict]:
    queue = list(bodies)
    results: dict = {}

    async def main():
        await asyncio.gather(*[_worker(port, queue, results) for _ in range(connections)])

    started = time.perf_counter()
    asyncio.run(main())
    return time.perf_counter() - started, results


def flood_bodies(orders: list[dict], n: int) -> list[tuple[bytes, str]]:
    from qtickets_assets.webhooks.receiver import sign

    out = []
    for i in range(n):
        order = dict(orders[i % len(orders)])
        order["bench_seq"] = i  # unique body: no delivery is a duplicate of another
        body = json.dumps(order, ensure_ascii=False, separators=(",", ":")).encode()
        out.append((body, sign(SECRET.encode(), body)))
    return out


# --- the run --------------------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    args = parse_args(argv or [])
    from dagster import DagsterInstance, build_sensor_context, materialize

    from qtickets_assets.clickhouse.resource import ClickHouseResource
    from qtickets_assets.local.clickhouse_server import EmbeddedClickHouse, free_port
    from qtickets_assets.resources import resources_for
    from qtickets_assets.transform.project import prepare_manifest
    from qtickets_assets.webhooks.testing import ReceiverProcess
    from qtickets_sandbox.testing import SandboxServer

    work = tempfile.mkdtemp(prefix="bench-webhooks-")
    port = free_port()
    hooks = ["--webhook-url", f"http://127.0.0.1:{port}/webhooks/qtickets", "--webhook-secret", SECRET]
    hooks += ["--webhook-retry-scale", "0.01"]
    results: dict = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "settings": vars(args) | {}}
    results["settings"]["out"] = str(args.out)
    with EmbeddedClickHouse(path=os.path.join(work, "ch"), http_port=0, tcp_port=0) as ch:
        os.environ.update(ch.env())
        # Parsed with this profile: dbt's partial parsing then holds for every run (a manifest parsed under another
        # profile makes each dbt invocation re-parse the whole project, ~10 s here).
        prepare_manifest()
        clickhouse = ClickHouseResource(host=ch.host, port=ch.http_port, database="qtickets")
        clickhouse.bootstrap()
        with (
            ReceiverProcess(ch.env(), SECRET, port=port) as rx,
            SandboxServer(orders=args.orders, seed=42, extra_args=hooks) as sandbox,
        ):
            from qtickets_assets.definitions import defs
            from qtickets_assets.qtickets.ingest.assets import STAGING_ASSETS
            from qtickets_assets.transform.assets import DBT_ASSETS
            from qtickets_assets.transform.partitions import all_months_tags
            from qtickets_assets.webhooks.sensor import webhook_sensor

            resources = resources_for(clickhouse, sandbox)
            instance = DagsterInstance.ephemeral()
            print(f"==> history: {args.orders} orders through the API, then every dbt model", flush=True)
            t0 = time.perf_counter()
            first = materialize(
                [*STAGING_ASSETS, *DBT_ASSETS], resources=resources, instance=instance, tags=all_months_tags()
            )
            assert first.success
            results["history_load_s"] = round(time.perf_counter() - t0, 1)
            repo = defs.get_repository_def()
            client = clickhouse.get_client()

            def tick(cursor):
                ctx = build_sensor_context(
                    instance=instance, cursor=cursor, resources={"clickhouse": clickhouse}, repository_def=repo
                )
                return webhook_sensor.evaluate_tick(ctx)

            cursor = tick(None).cursor or "0"

            # -- latency phase --
            steps: list[tuple[float, float, datetime, datetime, int]] = []  # wall start, wall end, sim from/to, paid
            seen: dict[tuple[int, datetime], float] = {}
            stop = threading.Event()

            def producer():
                next_at = time.monotonic()
                while not stop.is_set():
                    started = time.time()
                    s = sandbox.advance(args.step_minutes)
                    steps.append(
                        (
                            started,
                            time.time(),
                            datetime.fromisoformat(s["from"]).astimezone(UTC),
                            datetime.fromisoformat(s["to"]).astimezone(UTC),
                            s["orders_paid"],
                        )
                    )
                    next_at += args.step_seconds
                    stop.wait(max(0.0, next_at - time.monotonic()))

            def poller():
                import clickhouse_connect

                c = clickhouse_connect.get_client(host=ch.host, port=ch.http_port, database="qtickets")
                last = 0
                while not stop.is_set() or sandbox.webhooks()["pending"]:
                    rows = c.query(
                        "SELECT order_id, updated_at, _version FROM stg_qtickets_webhooks_raw "
                        "WHERE event_type = 'payed' AND _version > {v:UInt64}",
                        parameters={"v": last},
                    ).result_rows
                    now = time.time()
                    for order_id, updated_at, version in rows:
                        seen.setdefault((order_id, updated_at.replace(tzinfo=UTC)), now)
                        last = max(last, version)
                    time.sleep(0.01)
                c.close()

            print(f"==> {args.seconds:.0f} s of steady activity; sensor every {args.sensor_seconds} s", flush=True)
            threads = [threading.Thread(target=producer, daemon=True), threading.Thread(target=poller, daemon=True)]
            for t in threads:
                t.start()
            runs: list[tuple[float, float, float]] = []  # tick wall time, run end wall time, run seconds
            end_at = time.monotonic() + args.seconds
            while True:
                last_round = time.monotonic() >= end_at
                if last_round:
                    stop.set()
                    threads[0].join(30)
                    while sandbox.webhooks()["pending"]:
                        time.sleep(0.05)
                    threads[1].join(30)
                tick_at = time.time()
                data = tick(cursor)
                cursor = data.cursor or cursor
                for request in data.run_requests:
                    run_started = time.perf_counter()
                    result = materialize(
                        DBT_ASSETS,
                        selection=request.asset_selection,
                        resources=resources,
                        instance=instance,
                        tags=request.tags,
                        raise_on_error=False,
                    )
                    assert result.success, "the sensor's run failed"
                    runs.append((tick_at, time.time(), time.perf_counter() - run_started))
                if last_round:
                    break
                time.sleep(max(0.0, args.sensor_seconds - (time.time() - tick_at)))

            staging, fact = [], []
            for (_order_id, updated_at), visible in seen.items():
                step = next((s for s in steps if s[2] < updated_at <= s[3]), None)
                if step is None:
                    continue
                staging.append(visible - step[0])
                done = next((end for tick_at, end, _ in runs if tick_at >= visible), None)
                if done is not None:
                    fact.append(done - step[0])
            advance_s = [s[1] - s[0] for s in steps]
            results["latency"] = {
                "advances": len(steps),
                "orders_paid": sum(s[4] for s in steps),
                "payed_rows_matched": len(staging),
                "advance_call_p50_s": percentile(advance_s, 0.5),
                "paid_to_staging_p50_s": percentile(staging, 0.5),
                "paid_to_staging_p95_s": percentile(staging, 0.95),
                "paid_to_staging_max_s": max(staging) if staging else None,
                "paid_to_fact_p50_s": percentile(fact, 0.5),
                "paid_to_fact_p95_s": percentile(fact, 0.95),
                "paid_to_fact_max_s": max(fact) if fact else None,
                "sensor_runs": len(runs),
                "sensor_run_p50_s": percentile([r[2] for r in runs], 0.5),
                "fact_method": "real sensor evaluated every --sensor-seconds; its run executed in process "
                "(dagster.materialize); no daemon or run launcher",
            }

            # -- throughput phase --
            orders = [o for o in sandbox.export("orders") if o.get("payed")][:500]
            bodies = flood_bodies(orders, args.flood)
            before = int(client.command("SELECT count() FROM stg_qtickets_webhooks_raw"))
            print(f"==> flood: {args.flood} signed deliveries on {args.connections} connections", flush=True)
            seconds, codes = flood(rx.port, bodies, args.connections)
            stored = int(client.command("SELECT count() FROM stg_qtickets_webhooks_raw")) - before
            health = rx.health()
            results["throughput"] = {
                "deliveries": args.flood,
                "connections": args.connections,
                "seconds": round(seconds, 2),
                "deliveries_per_s": round(args.flood / seconds, 1),
                "statuses": {str(k): v for k, v in sorted(codes.items())},
                "rows_stored": stored,
                "inserts": health["batches"],
            }
            results["receiver_peak_rss_mb"] = rss_peak_mb(rx.pid())
            client.close()
    results["machine"] = describe()
    lat, thr = results["latency"], results["throughput"]
    results["targets_met"] = {
        "staging_p95": (lat["paid_to_staging_p95_s"] or 1e9) < TARGETS["staging_p95_s"],
        "fact_p95": (lat["paid_to_fact_p95_s"] or 1e9) < TARGETS["fact_p95_s"],
        "throughput": thr["deliveries_per_s"] >= TARGETS["deliveries_per_s"],
        "rss": (results["receiver_peak_rss_mb"] or 1e9) < TARGETS["rss_mb"],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    for line in render(results):
        print(line)
    print(f"==> written to {args.out}")
    return 0


def render(results: dict) -> list[str]:
    lat, thr, met = results["latency"], results["throughput"], results["targets_met"]

    def s(v):
        return "-" if v is None else f"{v:.2f} s"

    return [
        f"machine: {one_line(results['machine'])}",
        f"{lat['orders_paid']} orders paid over {lat['advances']} advances ({lat['payed_rows_matched']} matched)",
        f"paid -> staging   p50 {s(lat['paid_to_staging_p50_s'])}  p95 {s(lat['paid_to_staging_p95_s'])}  "
        f"(target < 1 s: {'met' if met['staging_p95'] else 'NOT met'})",
        f"paid -> fact      p50 {s(lat['paid_to_fact_p50_s'])}  p95 {s(lat['paid_to_fact_p95_s'])}  "
        f"({lat['sensor_runs']} sensor runs, p50 {s(lat['sensor_run_p50_s'])} each; "
        f"target < 60 s: {'met' if met['fact_p95'] else 'NOT met'})",
        f"receiver          {thr['deliveries_per_s']:.0f} deliveries/s ({thr['deliveries']} on {thr['connections']} "
        f"connections, {thr['inserts']} inserts in all; target >= 500: {'met' if met['throughput'] else 'NOT met'})",
        f"receiver peak RSS {results['receiver_peak_rss_mb']:.0f} MB (target < 200 MB: "
        f"{'met' if met['rss'] else 'NOT met'})",
    ]
