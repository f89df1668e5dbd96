"""`qtickets-platform demo` and `qtickets-platform dev`: the platform on the embedded stack.

Settings are exported into the environment BEFORE the definitions are imported, because the resources read
them at import (settings.py).
"""
from __future__ import annotations

import argparse
import importlib
import os
import signal
import subprocess
import sys
import time

from qtickets_assets.local.stack import embedded_stack, prepare_dagster_home

DEMO_ORDERS = 5000


def _load_definitions():
    module = importlib.import_module("qtickets_assets.definitions")
    return module.defs


def _summary(defs) -> list[str]:
    from qtickets_assets.resources import clickhouse_resource

    client = clickhouse_resource().get_client()
    rows = client.query(
        "SELECT name, total_rows FROM system.tables WHERE database = currentDatabase() "
        "AND engine NOT IN ('View', 'MaterializedView') ORDER BY name").result_rows
    width = max((len(name) for name, _ in rows), default=10)
    lines = [f"  {name:<{width}}  {count or 0:>10,}" for name, count in rows]
    return lines


def _step_lines(result) -> list[str]:
    """One line per materialized asset and a count of asset checks by outcome."""
    lines, checks = [], {True: 0, False: 0}
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            materialization = event.event_specific_data.materialization
            rows = materialization.metadata.get("dagster/row_count")
            count = f"{rows.value:,} rows" if rows is not None else ""
            lines.append(f"  materialized {materialization.asset_key.to_user_string():<40} {count}")
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            checks[event.event_specific_data.passed] += 1
    lines.append(f"==> asset checks: {checks[True]} passed, {checks[False]} failed")
    return lines


def _audit_lines(result) -> list[str]:
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            materialization = event.event_specific_data.materialization
            if materialization.asset_key.to_user_string() == "qtickets_audit":
                meta = materialization.metadata
                report = os.path.join(os.path.dirname(meta["archive"].value), "report.md")
                return [f"==> audit: {meta['verdict'].value}", f"    report: {report}",
                        f"    archive: {meta['archive'].value} (sha256 {meta['archive_sha256'].value[:16]}...)"]
    return []


def demo(args: argparse.Namespace) -> int:
    prepare_dagster_home()
    started = time.monotonic()
    print(f"==> starting the embedded ClickHouse and the QTickets sandbox ({args.orders:,} orders)", flush=True)
    with embedded_stack(orders=args.orders) as (clickhouse, sandbox):
        from dagster import DagsterInstance

        from qtickets_assets.resources import clickhouse_resource

        # The demo started this sandbox itself, so it asks for the audit's write cases explicitly (the audit still
        # runs them only after the target identifies itself as the sandbox). Nothing else ever turns writes on.
        os.environ["QTICKETS_ALLOW_WRITES"] = "true"

        clickhouse_resource().bootstrap()
        defs = _load_definitions()
        job = defs.resolve_implicit_global_asset_job_def()
        print(f"==> materializing every asset once (ClickHouse :{clickhouse.http_port}, sandbox :{sandbox.port})",
              flush=True)
        # Dagster's own console log is kept to warnings: the run's full log is in the UI (`make dev`).
        quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
        result = job.execute_in_process(instance=DagsterInstance.get(), raise_on_error=False, run_config=quiet)
        failed = [event.step_key for event in result.all_events if event.event_type_value == "STEP_FAILURE"]
        print("\n".join(_step_lines(result)))
        print("==> tables in ClickHouse (database %s; rows stored, all versions and snapshots):"
              % os.environ["CLICKHOUSE_DATABASE"])
        print("\n".join(_summary(defs)))
        audit = _audit_lines(result)
        if audit:
            print("\n".join(audit))
    elapsed = time.monotonic() - started
    if not result.success:
        print(f"==> demo FAILED in {elapsed:.0f} s; failed steps: {', '.join(failed) or 'see the Dagster UI'} "
              "(`make dev` shows the run)", file=sys.stderr)
        return 1
    print(f"==> demo finished in {elapsed:.0f} s; both servers stopped. `make dev` shows this run in the Dagster UI.")
    return 0


def dev(args: argparse.Namespace) -> int:
    prepare_dagster_home()
    with embedded_stack(orders=args.orders) as (clickhouse, sandbox):
        from qtickets_assets.resources import clickhouse_resource

        clickhouse_resource().bootstrap()
        print(f"==> ClickHouse on :{clickhouse.http_port}, sandbox on :{sandbox.port}; "
              f"Dagster UI on http://127.0.0.1:{args.port} (Ctrl-C stops everything)", flush=True)
        cmd = [os.path.join(os.path.dirname(sys.executable), "dagster"), "dev", "-w", "workspace.yaml",
               "-h", "127.0.0.1", "-p", str(args.port)]
        ui = subprocess.Popen(cmd)
        try:
            return ui.wait()
        except KeyboardInterrupt:
            ui.send_signal(signal.SIGINT)  # dagster dev stops its children on SIGINT to its own PID
            return ui.wait()


def add_subcommands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="embedded stack: materialize every asset once, print a summary, stop")
    p.add_argument("--orders", type=int, default=DEMO_ORDERS)
    p.set_defaults(func=demo)
    p = sub.add_parser("dev", help="embedded stack + `dagster dev` on 127.0.0.1:3000")
    p.add_argument("--orders", type=int, default=DEMO_ORDERS)
    p.add_argument("--port", type=int, default=3000)
    p.set_defaults(func=dev)
    # Listed for --help only: cli.main hands `bench ...` to qtickets_assets.bench before argparse sees it.
    sub.add_parser("bench", help="benchmark the platform against dlt and the API/ClickHouse limit "
                                 "(needs the bench extra: `make bench`)")
