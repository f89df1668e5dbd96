"""`qtickets-platform demo` and `qtickets-platform dev`: the platform on the embedded stack.

Settings are exported into the environment BEFORE the definitions are imported, because the resources read
them at import (settings.py).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from qtickets_assets.local.stack import LOCAL_DIR, embedded_stack, prepare_dagster_home
from qtickets_assets.transform.partitions import all_months_tags

DEMO_ORDERS = 5000


def _load_definitions():
    module = importlib.import_module("qtickets_assets.definitions")
    return module.defs


def _tables(client) -> list[tuple[str, str, int]]:
    """(name, engine, rows) of the platform database; rows of a view are counted (demo-sized data)."""
    rows = client.query(
        "SELECT name, engine, total_rows FROM system.tables WHERE database = currentDatabase() ORDER BY name"
    ).result_rows
    out = []
    for name, engine, total in rows:
        if engine == "View":
            total = client.query(f"SELECT count() FROM {name}").result_rows[0][0]
        out.append((name, engine, int(total or 0)))
    return out


def _summary(client) -> list[str]:
    tables = _tables(client)
    width = max((len(name) for name, _, _ in tables), default=10)
    return [f"  {name:<{width}}  {rows:>10,}  {'view' if engine == 'View' else ''}" for name, engine, rows in tables]


class _Progress:
    """Prints one line per finished step of a run (read from the instance's event log while the run goes on)."""

    def __init__(self, instance, run_id: str, out, started: float):
        self.instance, self.run_id, self.out, self.started = instance, run_id, out, started
        self.seen = 0

    def poll(self) -> None:
        records = self.instance.all_logs(self.run_id)
        for record in records[self.seen :]:
            event = record.dagster_event
            if event is None:
                continue
            kind = event.event_type_value
            if kind == "ASSET_MATERIALIZATION":
                materialization = event.event_specific_data.materialization
                name = materialization.asset_key.to_user_string()
                if name.startswith("stg_qtickets_api_"):
                    rows = materialization.metadata.get("dagster/row_count")
                    count = f"{rows.value:>10,} rows" if rows is not None else ""
                    self._line(f"loaded {name:<40} {count}")
                elif name == "qtickets_audit":
                    self._line(f"audit finished: {materialization.metadata['verdict_status'].value}")
            elif kind == "STEP_SUCCESS" and event.step_key and "dbt" in event.step_key:
                self._line(f"dbt build finished (models and tests; log: {self.dbt_log})")
            elif kind == "STEP_FAILURE":
                self._line(f"FAILED {event.step_key}")
        self.seen = len(records)

    def _line(self, text: str) -> None:
        print(f"  [{time.monotonic() - self.started:5.0f} s] {text}", file=self.out, flush=True)


def _run_with_progress(job, instance, run_config: dict, log_path: Path, started: float):
    """execute_in_process on a thread, with dbt's own log (dagster-dbt writes every dbt event to stdout) sent to
    `log_path`, while this thread prints progress lines to the real stdout."""
    out = sys.stdout
    run_id = str(uuid.uuid4())  # Dagster's run ids are UUID4 strings
    progress = _Progress(instance, run_id, out, started)
    progress.dbt_log = log_path
    holder: dict = {}

    def target() -> None:
        with open(log_path, "w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
            holder["result"] = job.execute_in_process(
                instance=instance,
                raise_on_error=False,
                run_config=run_config,
                run_id=run_id,
                # Every month of the partitioned sales facts, in this one run (their backfill policy is single_run).
                tags=all_months_tags(),
            )

    worker = threading.Thread(target=target, name="demo-run")
    worker.start()
    while worker.is_alive():
        worker.join(0.5)
        progress.poll()
    progress.poll()
    return holder["result"]


def _audit_lines(result) -> list[str]:
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            materialization = event.event_specific_data.materialization
            if materialization.asset_key.to_user_string() == "qtickets_audit":
                meta = materialization.metadata
                report = os.path.join(os.path.dirname(meta["archive"].value), "report.md")
                return [
                    f"==> audit: {meta['verdict'].value}",
                    f"    report: {report}",
                    f"    archive: {meta['archive'].value} (sha256 {meta['archive_sha256'].value[:16]}...)",
                ]
    return []


def _check_line(result) -> str:
    checks = {True: 0, False: 0}
    for evaluation in result.get_asset_check_evaluations():
        checks[evaluation.passed] += 1
    return f"==> asset checks: {checks[True]} passed, {checks[False]} failed"


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
        print(
            f"==> materializing every asset once (ClickHouse :{clickhouse.http_port}, sandbox :{sandbox.port})",
            flush=True,
        )
        # Dagster's own console log is kept to warnings: the run's full log is in the UI (`make dev`).
        quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
        log_path = LOCAL_DIR / "demo" / "dbt.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        result = _run_with_progress(job, DagsterInstance.get(), quiet, log_path, started)
        failed = [event.step_key for event in result.all_events if event.event_type_value == "STEP_FAILURE"]
        print(_check_line(result))
        client = clickhouse_resource().get_client()
        print(
            "==> tables in ClickHouse (database {}; rows stored, all versions and snapshots; views counted):".format(
                os.environ["CLICKHOUSE_DATABASE"]
            )
        )
        print("\n".join(_summary(client)))
        client.close()
        audit = _audit_lines(result)
        if audit:
            print("\n".join(audit))
    elapsed = time.monotonic() - started
    if not result.success:
        print(
            f"==> demo FAILED in {elapsed:.0f} s; failed steps: {', '.join(failed) or 'see the Dagster UI'} "
            f"(`make dev` shows the run; dbt's log: {log_path})",
            file=sys.stderr,
        )
        return 1
    print(
        f"==> demo finished in {elapsed:.0f} s; both servers stopped. dbt's log: {log_path}. "
        "`make dev` shows this run in the Dagster UI."
    )
    return 0


def dev(args: argparse.Namespace) -> int:
    prepare_dagster_home()
    with embedded_stack(orders=args.orders) as (clickhouse, sandbox):
        from qtickets_assets.resources import clickhouse_resource

        clickhouse_resource().bootstrap()
        print(
            f"==> ClickHouse on :{clickhouse.http_port}, sandbox on :{sandbox.port}; "
            f"Dagster UI on http://127.0.0.1:{args.port} (Ctrl-C stops everything)",
            flush=True,
        )
        cmd = [
            os.path.join(os.path.dirname(sys.executable), "dagster"),
            "dev",
            "-w",
            "workspace.yaml",
            "-h",
            "127.0.0.1",
            "-p",
            str(args.port),
        ]
        ui = subprocess.Popen(cmd)
        try:
            return ui.wait()
        except KeyboardInterrupt:
            ui.send_signal(signal.SIGINT)  # dagster dev stops its children on SIGINT to its own PID
            return ui.wait()


def print_ddl(_args: argparse.Namespace) -> int:
    """What ClickHouseResource.bootstrap() runs, for a DBA to review or apply by hand (tables of the configured
    database are unqualified: run it with that database selected), under the current topology settings."""
    from qtickets_assets.clickhouse.cluster import Topology
    from qtickets_assets.clickhouse.ddl import ddl_statements
    from qtickets_assets.settings import SettingError, setting

    try:
        topology = Topology.from_env()
    except SettingError as exc:
        print(f"qtickets-platform ddl: error: {exc}", file=sys.stderr)
        return 2
    database = setting("CLICKHOUSE_DATABASE") if topology.sharded else ""
    if not topology.single:
        print(f"-- topology: {topology.describe()}\n")
    for name, statement in ddl_statements(topology, database):
        print(f"-- {name}\n{statement};\n")
    return 0


def add_subcommands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="embedded stack: materialize every asset once, print a summary, stop")
    p.add_argument("--orders", type=int, default=DEMO_ORDERS)
    p.set_defaults(func=demo)
    p = sub.add_parser("dev", help="embedded stack + `dagster dev` on 127.0.0.1:3000")
    p.add_argument("--orders", type=int, default=DEMO_ORDERS)
    p.add_argument("--port", type=int, default=3000)
    p.set_defaults(func=dev)
    p = sub.add_parser("ddl", help="print every CREATE statement of the platform's ClickHouse objects (no connection)")
    p.set_defaults(func=print_ddl)
    # Listed for --help only: cli.main hands `bench ...` to qtickets_bench before argparse sees it.
    sub.add_parser(
        "bench",
        help="benchmark the platform against dlt and the API/ClickHouse limit (needs the bench extra: `make bench`)",
    )
