"""End to end: every asset in one Dagster run from the command line, as an operator would start it:
`dagster job execute -j __ASSET_JOB -m qtickets_assets.definitions` over every sales month, with the embedded
stack's settings
(the platform's own defaults otherwise: its requests/s budget, the in-process executor).

Where the time goes, from the run's event log and the metadata the assets record:
  ingestion loads   Σ `seconds` of the staging assets (API paging and inserts, overlapped)
    of which        Σ `api_seconds` (summed request latency, concurrent) and Σ `insert_seconds` (insert thread)
  dbt               the dbt step (models, tests and unit tests)
  audit             the audit step
  quality checks    the asset-check steps (pandera contracts, freshness)
  other steps       any other step
  Dagster overhead  the rest of the wall time: process start, loading the definitions, step setup, metadata
                    queries and meta_job_runs writes
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from qtickets_assets.local.stack import DAGSTER_YAML
from qtickets_assets.transform.partitions import all_months_tags

from .runner import worker_env
from .scenarios import new_database
from .stats import median


def _run_breakdown(home: str) -> dict:
    from dagster import DagsterInstance

    with DagsterInstance.from_config(home) as instance:
        run = instance.get_runs(limit=1)[0]
        logs = instance.all_logs(run.run_id)
        started, steps, assets = {}, {}, {}
        run_start = run_end = None
        for entry in logs:
            ev = entry.dagster_event
            if ev is None:
                continue
            kind = ev.event_type_value
            if kind == "RUN_START":
                run_start = entry.timestamp
            elif kind in ("RUN_SUCCESS", "RUN_FAILURE"):
                run_end = entry.timestamp
            elif kind == "STEP_START":
                started[ev.step_key] = entry.timestamp
            elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and ev.step_key in started:
                steps[ev.step_key] = {
                    "seconds": round(entry.timestamp - started[ev.step_key], 3),
                    "ok": kind == "STEP_SUCCESS",
                }
            elif kind == "ASSET_MATERIALIZATION":
                mat = ev.event_specific_data.materialization
                assets[mat.asset_key.to_user_string()] = {
                    k: v.value
                    for k, v in mat.metadata.items()
                    if k in ("seconds", "api_seconds", "insert_seconds", "rows_inserted", "requests")
                }
        return {
            "status": run.status.value,
            "run_seconds": (run_end or 0) - (run_start or 0),
            "run_start": run_start,
            "steps": steps,
            "assets": assets,
        }


def _is_check(step_key: str) -> bool:
    """Quality checks run as steps of their own (pandera contracts, freshness)."""
    return "pandera" in step_key or "freshness" in step_key or step_key.endswith("_check")


def _classify(wall: float, detail: dict) -> dict:
    staging = {k: v for k, v in detail["assets"].items() if k.startswith("stg_qtickets_api_")}
    steps = detail["steps"]
    dbt = sum(s["seconds"] for k, s in steps.items() if "dbt" in k or k == "qtickets_sales_facts")
    audit = sum(s["seconds"] for k, s in steps.items() if "audit" in k)
    checks = sum(s["seconds"] for k, s in steps.items() if _is_check(k))
    ingest_steps = sum(s["seconds"] for k, s in steps.items() if k.startswith("stg_qtickets_api_") and not _is_check(k))
    other = sum(s["seconds"] for k, s in steps.items()) - dbt - audit - ingest_steps - checks
    loads = sum(float(a.get("seconds") or 0) for a in staging.values())
    return {
        "wall_seconds": wall,
        "ingestion_loads": loads,
        "api_seconds_summed": sum(float(a.get("api_seconds") or 0) for a in staging.values()),
        "insert_seconds": sum(float(a.get("insert_seconds") or 0) for a in staging.values()),
        "ingestion_steps": ingest_steps,
        "dbt": dbt,
        "audit": audit,
        "quality_checks": checks,
        "other_steps": other,
        "dagster_overhead": wall - loads - dbt - audit - checks - other,
        "requests": sum(int(a.get("requests") or 0) for a in staging.values()),
    }


def e2e_scenario(sandbox, clickhouse, repeat: int, log=print) -> dict:
    dagster = str(Path(sys.executable).with_name("dagster"))
    runs = []
    for rep in range(repeat):
        with tempfile.TemporaryDirectory(prefix="bench_e2e_") as work:
            home = os.path.join(work, "dagster_home")
            os.makedirs(home)
            Path(home, "dagster.yaml").write_text(DAGSTER_YAML)
            env = worker_env(
                {
                    **clickhouse.env(),
                    "CLICKHOUSE_DATABASE": new_database("e2e"),
                    "QTICKETS_BASE_URL": sandbox.rest_url,
                    "QTICKETS_PARTNERS_BASE_URL": sandbox.partners_url,
                    "QTICKETS_TOKEN": sandbox.token,
                    "QTICKETS_PARTNERS_TOKEN": sandbox.partners_token,
                    "DAGSTER_HOME": home,
                    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
                }
            )
            before = sandbox.stats()["requests_served"]
            started = time.perf_counter()
            proc = subprocess.run(
                # every asset and check; the monthly sales facts over all their months (whole_run.py says why)
                [dagster, "job", "execute", "-j", "__ASSET_JOB", "-m", "qtickets_assets.definitions"]
                + ["--tags", json.dumps(all_months_tags())],
                env=env,
                cwd=work,
                capture_output=True,
                text=True,
                timeout=3600,
            )
            wall = time.perf_counter() - started
            requests = sandbox.stats()["requests_served"] - before
            try:
                detail = _run_breakdown(home)
            except Exception as exc:  # noqa: BLE001 - the run may not have started at all
                detail = {"status": "unknown", "steps": {}, "assets": {}, "error": f"{type(exc).__name__}: {exc}"}
            out = {
                "exit_code": proc.returncode,
                "status": detail.get("status"),
                "api_requests_total": requests,
                **_classify(wall, detail),
                "steps": detail["steps"],
            }
            if proc.returncode != 0:
                out["error"] = "\n".join(proc.stderr.strip().splitlines()[-15:])
            runs.append(out)
            log(
                f"    end-to-end run {rep + 1}: {wall:.1f} s ({out['status']}; loads {out['ingestion_loads']:.1f} s, "
                f"dbt {out['dbt']:.1f} s, audit {out['audit']:.1f} s, Dagster {out['dagster_overhead']:.1f} s)"
            )
    keys = (
        "wall_seconds",
        "ingestion_loads",
        "api_seconds_summed",
        "insert_seconds",
        "ingestion_steps",
        "dbt",
        "audit",
        "quality_checks",
        "other_steps",
        "dagster_overhead",
        "api_requests_total",
    )
    return {
        "runs": runs,
        "median": {k: median(r.get(k) for r in runs) for k in keys},
        "failed": sum(1 for r in runs if r["exit_code"] != 0),
    }
