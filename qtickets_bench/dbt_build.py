"""dbt build of the facts on a full staging load: every staging asset once (worker `platform_all`), then
`dbt build` from the command line, `repeat` times with --full-refresh and `repeat` times incremental
(nothing new). dbt writes its target/ and logs/ into a temporary folder: the project's own manifest
(which Dagster loads) is left alone."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time

from qtickets_assets.transform.project import DBT_PROJECT_DIR, dbt_executable

from .runner import WorkerFailed, run_worker, worker_env
from .scenarios import Settings, _summarise, base_spec, new_database


def _dbt_build(env: dict, work: str, full_refresh: bool) -> dict:
    cmd = [
        dbt_executable(),
        "build",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        os.path.join(work, "target"),
        "--log-path",
        os.path.join(work, "logs"),
    ]
    if full_refresh:
        cmd.append("--full-refresh")
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1800)
    seconds = time.perf_counter() - started
    plain = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout)  # dbt colours its summary line
    summary = next((ln.strip() for ln in reversed(plain.splitlines()) if "PASS=" in ln), "")
    out = {"seconds": seconds, "exit_code": proc.returncode, "summary": summary}
    if proc.returncode != 0:
        out["error"] = "\n".join(proc.stdout.strip().splitlines()[-15:])
    return out


def dbt_scenario(sandbox, clickhouse, settings: Settings, log=print) -> dict:
    database = new_database("dbt")
    spec = {**base_spec(sandbox, clickhouse, settings), "variant": "platform_all", "database": database}
    try:
        staged = run_worker(spec, sandbox)
    except WorkerFailed as exc:
        return {"error": str(exc)[-2000:]}
    log(f"    staging load (all assets): {staged['seconds']:.1f} s, {staged['rows']:,} rows")
    env = worker_env({**clickhouse.env(), "CLICKHOUSE_DATABASE": database, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"})
    out = {"database": database, "staging_rows": staged["per_table"], "staging_seconds": staged["seconds"]}
    with tempfile.TemporaryDirectory(prefix="bench_dbt_") as work:
        for label, full_refresh in (("full_refresh", True), ("incremental_nothing_new", False)):
            runs = []
            for rep in range(settings.repeat):
                r = _dbt_build(env, work, full_refresh)
                runs.append(r)
                log(f"    dbt build {label} run {rep + 1}: {r['seconds']:.1f} s (exit {r['exit_code']}) {r['summary']}")
            out[label] = _summarise(runs)
    return out
