""".env.example works as the README's Production section uses it: sourced by a shell (`set -a; . ./.env`), then the
Dagster CLI. It once set a relative DAGSTER_HOME, which Dagster refuses outside `make`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from qtickets_sandbox.testing import SandboxServer
from tests.conftest import new_database

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
DAGSTER = Path(sys.executable).with_name("dagster")


def test_sourced_env_example_runs_the_production_commands(tmp_path, clickhouse_server):
    database = new_database(clickhouse_server, "envex").database
    with SandboxServer(orders=50, seed=3) as sandbox:
        # The file as shipped, with only the addresses this test's servers listen on edited (as an operator would:
        # the Dagster CLI reads .env from its working directory itself, and its values win over exported ones).
        edits = {
            "QTICKETS_BASE_URL": sandbox.rest_url,
            "QTICKETS_PARTNERS_BASE_URL": sandbox.partners_url,
            "CLICKHOUSE_PORT": str(clickhouse_server.http_port),
            "CLICKHOUSE_DATABASE": database,
        }
        lines = [
            (f"{line.split('=')[0]}={edits[line.split('=')[0]]}" if line.split("=")[0] in edits else line)
            for line in (ROOT / ".env.example").read_text().splitlines()
        ]
        (tmp_path / ".env").write_text("\n".join(lines) + "\n")
        script = f"""
            set -euo pipefail
            set -a; . ./.env; set +a
            mkdir -p "$DAGSTER_HOME"
            echo "home=$DAGSTER_HOME"
            {DAGSTER} asset materialize --select stg_qtickets_api_price_shades_raw -m qtickets_assets.definitions
        """
        done = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    home = Path(done.stdout.split("home=")[1].split()[0])
    assert home.is_absolute() and home == tmp_path / ".local" / "dagster"
    assert any(home.iterdir())  # the run was recorded in that instance
    assert "RUN_SUCCESS" in done.stderr or "RUN_SUCCESS" in done.stdout
