"""The real Dagster definitions load with placeholder settings and hold every layer of the platform."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dagster import AssetKey, DefaultScheduleStatus

from qtickets_assets.qtickets.ingest.catalog import CATALOG

ROOT = Path(__file__).resolve().parents[2]
STAGING = list(CATALOG)
PLACEHOLDERS = {
    "QTICKETS_BASE_URL": "https://qtickets.example/api/rest/v1",
    "QTICKETS_TOKEN": "placeholder",
    "QTICKETS_PARTNERS_TOKEN": "placeholder",
    "CLICKHOUSE_HOST": "clickhouse.example",
    "CLICKHOUSE_PORT": "8443",
    "CLICKHOUSE_SECURE": "true",
    "CLICKHOUSE_PASSWORD": "placeholder",
}


def test_dagster_definitions_validate_with_placeholder_settings(tmp_path):
    env = {**os.environ, **PLACEHOLDERS, "DAGSTER_HOME": str(tmp_path)}
    dagster = Path(sys.executable).parent / "dagster"
    result = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "All code locations passed validation" in result.stderr + result.stdout
    assert "placeholder" not in result.stderr + result.stdout


def test_every_layer_is_in_the_definitions():
    from qtickets_assets.definitions import defs

    repo = defs.get_repository_def()
    keys = set(repo.asset_graph.get_all_asset_keys())
    for name in STAGING:
        assert AssetKey(CATALOG[name].table) in keys
    for name in (
        "fact_qtickets_sales_daily",
        "fact_qtickets_sales_utm_daily",
        "fact_qtickets_inventory_latest",
        "dim_qtickets_events",
        "dim_qtickets_shows",
        "qtickets_audit",
    ):
        assert AssetKey(name) in keys
    check_keys = repo.asset_graph.asset_check_keys
    pandera = {key.asset_key for key in check_keys if key.name == "pandera_contract"}
    assert pandera == {AssetKey(CATALOG[name].table) for name in STAGING}
    fact_checks = {key.name for key in check_keys if key.asset_key == AssetKey("fact_qtickets_sales_daily")}
    assert any(name.startswith("unique_combination") for name in fact_checks)  # dbt tests became checks
    schedules = list(repo.schedule_defs)
    assert {s.name for s in schedules} == {
        "orders_and_sales_schedule",
        "inventory_schedule",
        "dimensions_schedule",
        "audit_schedule",
    }
    assert all(s.default_status == DefaultScheduleStatus.STOPPED for s in schedules)
    assert all(s.execution_timezone == "Europe/Moscow" for s in schedules)


def test_orders_and_sales_job_reaches_what_the_facts_read_from_the_orders_asset_only():
    """The job loads orders and rebuilds the models the facts read; the partitioned facts' months follow through
    qtickets_sales_months_sensor (tests/deploy/test_partitions.py), never as part of this unpartitioned job."""
    from qtickets_assets.definitions import defs

    job = defs.resolve_job_def("orders_and_sales_job")
    selected = {key.to_user_string() for key in job.asset_layer.selected_asset_keys}
    assert {
        "stg_qtickets_api_orders_raw",
        "stg_qtickets__baskets",
        "int_qtickets__paid_baskets",
        "stg_qtickets__events",
        "dim_qtickets_events",
        "dim_qtickets_shows",
    } <= selected
    assert not {"fact_qtickets_sales_daily", "fact_qtickets_sales_utm_daily"} & selected
    assert not {CATALOG[name].table for name in STAGING if name != "orders"} & selected
    sensors = {s.name for s in defs.get_repository_def().sensor_defs}
    assert "qtickets_sales_months_sensor" in sensors


def test_every_job_has_a_deadline_that_the_local_instance_enforces(tmp_path):
    """A hung run (an API that never finishes answering) is failed by Dagster's run monitoring once it outlives
    its job's dagster/max_runtime tag, instead of blocking the following ticks."""
    from dagster import DagsterInstance

    from qtickets_assets.definitions import defs
    from qtickets_assets.local.stack import DAGSTER_YAML

    repo = defs.get_repository_def()
    jobs = [j for j in repo.get_all_jobs() if not j.name.startswith("__")]
    assert {j.name for j in jobs} >= {
        "orders_and_sales_job",
        "inventory_job",
        "dimensions_job",
        "reload_orders_job",
        "audit_job",
    }
    for job in jobs:
        assert int(job.tags.get("dagster/max_runtime", 0)) > 0, job.name
    (tmp_path / "dagster.yaml").write_text(DAGSTER_YAML)
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        assert instance.run_monitoring_enabled
        assert instance.telemetry_enabled is False
        # runs of no job of ours (ad-hoc materializations, __ASSET_JOB from `--select '*'`) get a deadline too
        assert instance.run_monitoring_max_runtime_seconds == 6 * 3600
