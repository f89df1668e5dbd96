"""`qtickets-platform bench e2e --orders 200000,1000000`: the WHOLE run at scale, as an operator starts it.

For each size: a fresh embedded ClickHouse and a sandbox with that many orders (latency 0 ms unless told), then
one Dagster run of every asset, check, dbt model and the audit from the command line:
`dagster job execute -j __ASSET_JOB -m qtickets_assets.definitions --tags <every sales month>` (every asset and
check; the monthly sales facts over all their months in the same run), on a fresh DAGSTER_HOME with the local
dagster.yaml, with the platform's DEFAULT settings (API budget, concurrency, executor) unless flags say otherwise.

It prints and writes (bench/e2e_results.json), per size:
  wall seconds       the command's wall time, process start to exit (imports and the code location included)
  steps              each step's seconds from the run's event log, and each staging load's own seconds
  peak RSS           of the run process itself (VmHWM of the `dagster` process, read while it runs: with the
                     in-process executor every step runs in it), and of its process tree (wait4's ru_maxrss, which
                     includes a child such as dbt when that is larger)
  rows per table     rows stored (all versions and snapshots) of every table and view of the database
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from .machine import describe, one_line
from .runner import ROOT, worker_env

DEFAULT_OUT = ROOT / "bench" / "e2e_results.json"


def _status_mb(pid: int, field: str) -> float | None:
    """VmHWM (peak) or VmRSS (now) of a process, in MB."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def run_measured(cmd: list[str], env: dict, cwd: str, timeout: float) -> dict:
    """Run `cmd`, sampling its own peak RSS while it lives; returns wall, exit code, peaks and the output tail."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = {"self": 0.0}
    samples: list[tuple[float, float]] = []  # (epoch seconds, VmRSS MB): which step holds the memory
    output: list[str] = []

    def sample() -> None:
        while proc.poll() is None:
            value = _status_mb(proc.pid, "VmHWM")
            if value:
                peak["self"] = max(peak["self"], value)
            now = _status_mb(proc.pid, "VmRSS")
            if now:
                samples.append((time.time(), now))
            time.sleep(0.2)

    def drain() -> None:
        for line in proc.stdout:
            output.append(line)
            del output[:-200]

    threads = [threading.Thread(target=sample, daemon=True), threading.Thread(target=drain, daemon=True)]
    for t in threads:
        t.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    for t in threads:
        t.join(5)
    return {
        "wall_seconds": round(wall, 1),
        "exit_code": proc.returncode,
        "peak_rss_mb": round(peak["self"], 1),
        "tree_peak_rss_mb": round(usage.ru_maxrss / 1024.0, 1),
        "output_tail": "".join(output[-40:]),
        "rss_samples": samples,
    }


def step_times(home: str) -> dict | None:
    """Per step seconds, and each staging load's own seconds, from the run's event log (None: no run started)."""
    from dagster import DagsterInstance

    with DagsterInstance.from_config(home) as instance:
        runs = instance.get_runs(limit=1)
        if not runs:
            return None
        run = runs[0]
        started, steps, spans, loads, checks = {}, {}, {}, {}, {"passed": 0, "failed": 0}
        for entry in instance.all_logs(run.run_id):
            event = entry.dagster_event
            if event is None:
                continue
            kind = event.event_type_value
            if kind == "STEP_START":
                started[event.step_key] = entry.timestamp
            elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and event.step_key in started:
                steps[event.step_key] = round(entry.timestamp - started[event.step_key], 1)
                spans[event.step_key] = (started[event.step_key], entry.timestamp)
            elif kind == "ASSET_MATERIALIZATION":
                mat = event.event_specific_data.materialization
                meta = mat.metadata
                if "seconds" in meta and "rows_inserted" in meta:
                    loads[mat.asset_key.to_user_string()] = {
                        "seconds": meta["seconds"].value,
                        "rows_inserted": meta["rows_inserted"].value,
                        "requests": meta["requests"].value,
                    }
            elif kind == "ASSET_CHECK_EVALUATION":
                checks["passed" if event.event_specific_data.passed else "failed"] += 1
        return {"status": run.status.value, "steps": steps, "spans": spans, "loads": loads, "checks": checks}


def step_peaks(spans: dict, samples: list[tuple[float, float]]) -> dict[str, float]:
    """The run process's highest sampled RSS during each step (MB): where the peak comes from."""
    out = {}
    for step, (start, end) in spans.items():
        inside = [rss for t, rss in samples if start <= t <= end]
        if inside:
            out[step] = round(max(inside), 1)
    return out


def table_rows(clickhouse, database: str) -> dict[str, int]:
    import clickhouse_connect

    client = clickhouse_connect.get_client(host=clickhouse.host, port=clickhouse.http_port, database=database)
    out = {}
    for name, engine, total in client.query(
        "SELECT name, engine, total_rows FROM system.tables WHERE database = currentDatabase() ORDER BY name"
    ).result_rows:
        out[name] = int(client.command(f"SELECT count() FROM {name}")) if engine == "View" else int(total or 0)
    client.close()
    return out


def one_size(orders: int, latency_ms: int, env_overrides: dict, module: str, log=print) -> dict:
    from qtickets_assets.local.clickhouse_server import EmbeddedClickHouse
    from qtickets_assets.local.stack import DAGSTER_YAML
    from qtickets_assets.transform.partitions import all_months_tags
    from qtickets_sandbox.testing import SandboxServer

    with (
        tempfile.TemporaryDirectory(prefix="qtickets_e2e_") as work,
        EmbeddedClickHouse(Path(work) / "clickhouse") as clickhouse,
    ):
        log(f"==> {orders:,} orders: starting the sandbox ({latency_ms} ms latency)")
        t0 = time.perf_counter()
        with SandboxServer(orders=orders, latency_ms=latency_ms, start_timeout=300 + orders / 2000) as sandbox:
            generated = time.perf_counter() - t0
            home = Path(work) / "dagster_home"
            home.mkdir()
            (home / "dagster.yaml").write_text(DAGSTER_YAML)
            env = worker_env(
                {
                    **clickhouse.env(),
                    "CLICKHOUSE_DATABASE": "qtickets",
                    "QTICKETS_BASE_URL": sandbox.rest_url,
                    "QTICKETS_PARTNERS_BASE_URL": sandbox.partners_url,
                    "QTICKETS_TOKEN": sandbox.token,
                    "QTICKETS_PARTNERS_TOKEN": sandbox.partners_token,
                    "DAGSTER_HOME": str(home),
                    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
                    **env_overrides,
                }
            )
            served = sandbox.stats()["requests_served"]
            log(
                f"    sandbox ready in {generated:.0f} s ({sandbox.stats()['shows']:,} shows); running every asset once"
            )
            dagster = str(Path(sys.executable).with_name("dagster"))
            # The implicit asset job (every asset and check) with every month of the partitioned sales facts, in one
            # run (their backfill policy is single_run). `dagster asset materialize --partition-range` refuses a
            # selection that mixes partitioned and unpartitioned assets.
            command = [dagster, "job", "execute", "-m", module, "-j", "__ASSET_JOB"]
            command += ["--tags", json.dumps(all_months_tags())]
            measured = run_measured(command, env, work, timeout=4 * 3600)
            requests = sandbox.stats()["requests_served"] - served
        detail = step_times(str(home))
        if detail is None:
            # The command failed before it started a run (no code location, no manifest): say so, with its output.
            raise SystemExit(
                f"the dagster command exited with {measured['exit_code']} before starting a run "
                f"(was `make manifest` run?); its last output:\n{measured['output_tail'][-2000:]}"
            )
        rows = table_rows(clickhouse, "qtickets")
    samples = measured.pop("rss_samples")
    spans = detail.pop("spans")
    out = {
        "orders": orders,
        "latency_ms": latency_ms,
        "sandbox_generation_seconds": round(generated, 1),
        "api_requests": requests,
        **{k: v for k, v in measured.items() if k != "output_tail"},
        **detail,
        "step_peak_rss_mb": step_peaks(spans, samples),
        "rows": rows,
    }
    if measured["exit_code"] != 0 or detail["status"] != "SUCCESS":
        out["output_tail"] = measured["output_tail"]
    log(
        f"    {orders:,} orders: {measured['wall_seconds']:.0f} s wall, run process peak RSS "
        f"{measured['peak_rss_mb']:.0f} MB (tree {measured['tree_peak_rss_mb']:.0f} MB), {requests:,} API requests, "
        f"status {detail['status']}"
    )
    return out


def table(results: dict) -> list[str]:
    lines = []
    for r in results["runs"]:
        steps = sorted(r["steps"].items(), key=lambda kv: -kv[1])
        budget = r.get("budget", {})
        lines.append(
            f"{r['orders']:,} orders @{r['latency_ms']} ms, API budget {budget.get('requests_per_second', 0):g}"
            f" req/s ({budget.get('label', '?')}): wall {r['wall_seconds']} s, run process peak RSS "
            f"{r['peak_rss_mb']} MB (tree {r['tree_peak_rss_mb']} MB), {r['api_requests']:,} requests, "
            f"checks {r['checks']['passed']} passed / {r['checks']['failed']} failed, {r['status']}"
        )
        peaks = r.get("step_peak_rss_mb", {})
        lines += [
            f"    step {name:<48} {seconds:>7.1f} s  peak RSS {peaks.get(name, 0):>6.0f} MB" for name, seconds in steps
        ]
        lines += [
            f"    load {name:<48} {load['seconds']:>7.1f} s  {load['rows_inserted']:>10,} rows  "
            f"{load['requests']:>6,} requests"
            for name, load in sorted(r["loads"].items())
        ]
        lines += [f"    rows {name:<48} {count:>12,}" for name, count in r["rows"].items()]
    return lines


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="qtickets-platform bench e2e", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--orders", type=lambda s: [int(x) for x in s.split(",")], default=[200000, 1000000])
    p.add_argument("--latency-ms", type=int, default=0)
    p.add_argument(
        "--requests-per-second",
        type=lambda s: [float(x) for x in s.split(",")],
        default=None,
        help="comma-separated API budgets (requests/s per API) to run each size with; default: only the "
        "platform's own default. Every other budget is labelled as raised in the output",
    )
    p.add_argument(
        "--module",
        default="qtickets_assets.definitions",
        help="the code location to run (qtickets_bench.per_resource_steps: the executor variant)",
    )
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = p.parse_args(argv)
    from qtickets_assets.qtickets.client.api import DEFAULT_MAX_CONCURRENCY, DEFAULT_REQUESTS_PER_SECOND

    budgets = args.requests_per_second or [DEFAULT_REQUESTS_PER_SECOND]

    import clickhouse_connect  # noqa: F401 - fail early when the environment is incomplete

    results = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": describe("26.9 (embedded)"),
        "settings": {
            "module": args.module,
            "latency_ms": args.latency_ms,
            "default_requests_per_second": DEFAULT_REQUESTS_PER_SECOND,
            "max_concurrency": DEFAULT_MAX_CONCURRENCY,
        },
        "runs": [],
    }
    print(f"==> {one_line(results['machine'])}", flush=True)
    for n in args.orders:
        for rps in budgets:
            label = "default" if rps == DEFAULT_REQUESTS_PER_SECOND else "RAISED"
            print(f"==> API budget {rps:g} requests/s per API ({label})", flush=True)
            run = one_size(
                n,
                args.latency_ms,
                {"QTICKETS_REQUESTS_PER_SECOND": str(rps)},
                args.module,
                log=lambda m: print(m, flush=True),
            )
            run["budget"] = {"requests_per_second": rps, "label": label}
            results["runs"].append(run)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(results, indent=2, default=str))
    print("\n".join(table(results)))
    print(f"==> wrote {args.out}")
    return 0
