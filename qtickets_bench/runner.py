"""Run one worker process and collect its BENCH_RESULT; count the API requests it cost the sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .worker import RESULT_PREFIX

ROOT = Path(__file__).resolve().parents[1]


class WorkerFailed(RuntimeError):
    pass


def worker_env(extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["RUNTIME__DLTHUB_TELEMETRY"] = "false"
    env["DAGSTER_DISABLE_TELEMETRY"] = "1"
    env.update(extra or {})
    return env


def run_worker(spec: dict, sandbox=None, timeout: float = 3600.0) -> dict:
    """The worker's result dict, plus `requests` (sandbox requests served during the run) when a sandbox
    is given. Raises WorkerFailed with the tail of its stderr."""
    before = sandbox.stats()["requests_served"] if sandbox is not None else None
    proc = subprocess.run(
        [sys.executable, "-m", "qtickets_bench.worker", json.dumps(spec)],
        env=worker_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=str(ROOT),
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_PREFIX)]
    if proc.returncode != 0 or not lines:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-25:])
        raise WorkerFailed(f"{spec['variant']} failed (exit {proc.returncode}):\n{tail}")
    out = json.loads(lines[-1][len(RESULT_PREFIX) :])
    if sandbox is not None:
        out["requests"] = sandbox.stats()["requests_served"] - before
    return out
