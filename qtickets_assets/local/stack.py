"""The embedded stack for the demo and `make dev`: ClickHouse (data in .local/clickhouse) + the QTickets sandbox."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from qtickets_assets.local.clickhouse_engine import port_is_free
from qtickets_assets.local.clickhouse_server import EmbeddedClickHouse
from qtickets_assets.local.sandbox_process import SandboxProcess
from qtickets_assets.settings import LOCAL_DIR

SINGLE_SERVER = ("CLICKHOUSE_CLUSTER", "CLICKHOUSE_SHARDED", "CLICKHOUSE_REPLICATED", "CLICKHOUSE_ON_CLUSTER")


def _preferred(port: int) -> int:
    """The conventional port when it is free, else any free one (0)."""
    return port if port_is_free(port) else 0


# Telemetry off; one slot in the `qtickets_api` pool, so ingestion steps of overlapping runs take turns and the
# API's rate budget (enforced per process by the client) holds across runs too; run monitoring on, so the
# daemon fails a run that outlives its job's `dagster/max_runtime` tag (automation.py), and any run without one
# (an ad-hoc materialization, `dagster asset materialize --select '*'`, i.e. __ASSET_JOB) after 6 hours.
DAGSTER_YAML = """telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
run_monitoring:
  enabled: true
  poll_interval_seconds: 60
  max_runtime_seconds: 21600
  free_slots_after_run_end_seconds: 60
"""


def prepare_dagster_home() -> Path:
    home = Path(os.environ.get("DAGSTER_HOME") or LOCAL_DIR / "dagster").absolute()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


@contextlib.contextmanager
def embedded_stack(orders: int = 5000, sandbox_args: tuple[str, ...] = ()):
    """Start both servers, export their settings into os.environ, and stop both on exit.

    The sandbox is launched first and generates its orders while ClickHouse starts (two processes, two cores),
    so the demo waits for the slower of the two, not for both one after the other."""
    sandbox = SandboxProcess(port=_preferred(8765), orders=orders, extra_args=sandbox_args).launch()
    try:
        with EmbeddedClickHouse(LOCAL_DIR / "clickhouse", http_port=_preferred(8123), tcp_port=_preferred(9000)) as ch:
            sandbox.wait_ready()
            os.environ.update(ch.env())
            os.environ.update(sandbox.env())
            # The embedded ClickHouse is one server: a production .env's cluster settings do not apply to it.
            # Removed rather than emptied: dbt_project.yml reads them, and a value that differs from the one
            # `make manifest` parsed with (unset) would cost dbt a full re-parse.
            for name in SINGLE_SERVER:
                os.environ.pop(name, None)
            yield ch, sandbox
    finally:
        sandbox.stop()
