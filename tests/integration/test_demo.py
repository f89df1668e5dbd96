"""`qtickets-platform demo` as a newcomer runs it: a real embedded ClickHouse and sandbox, one run of every asset,
and an output of progress lines and a summary, with dbt's own log in a file the summary names."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]
ROOT = Path(__file__).resolve().parents[2]


def test_demo_prints_progress_and_a_summary_not_dbt_s_log(tmp_path):
    env = {**os.environ, "QTICKETS_LOCAL_DIR": str(tmp_path / "local"), "DAGSTER_HOME": str(tmp_path / "home")}
    for key in [k for k in env if k.startswith(("CLICKHOUSE_", "QTICKETS_")) and k != "QTICKETS_LOCAL_DIR"]:
        del env[key]
    done = subprocess.run(
        [sys.executable, "-m", "qtickets_assets.local.cli", "demo", "--orders", "400"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
    )
    out = done.stdout
    assert done.returncode == 0, (out[-3000:], done.stderr[-3000:])
    assert "Warning" not in done.stderr and "Traceback" not in done.stderr, done.stderr[-2000:]
    # progress: one line per staging asset with its row count, then dbt and the audit
    loaded = re.findall(r"^\s+\[\s*\d+ s\] loaded (stg_qtickets_api_\w+)\s+([\d,]+) rows$", out, flags=re.M)
    assert len(loaded) == 10, out
    assert dict(loaded)["stg_qtickets_api_orders_raw"] == "400"
    assert re.search(r"\] dbt build finished", out) and "audit finished: PASSED" in out
    # no dbt log in the output: it went to the file the summary names
    assert not re.search(r"\b(START|OK created|PASS) ", out), out
    log = Path(re.search(r"dbt's log: (\S+?)\.?\s", out).group(1))
    assert log.is_file() and "fact_qtickets_sales_daily" in log.read_text()
    # the summary: checks, every table and view with its rows, the audit verdict
    assert re.search(r"==> asset checks: \d+ passed, 0 failed", out)
    assert re.search(r"^\s+fact_qtickets_sales_daily\s+[\d,]+\s*$", out, flags=re.M), out
    assert re.search(r"^\s+stg_qtickets__orders\s+400\s*$", out, flags=re.M), out
    assert re.search(r"^\s+int_qtickets__paid_baskets\s+[\d,]+\s+view$", out, flags=re.M), out
    assert "==> audit: PASSED" in out and "==> demo finished in" in out
    assert len(out.splitlines()) < 60
