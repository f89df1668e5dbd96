"""Where the dbt project lives and how Dagster runs dbt.

The manifest is prepared at install time (`dbt parse`, see the Makefile) and only re-parsed under `dagster dev`
(`prepare_if_dev`): production never parses at import.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

# The dbt project sits beside the package in the repository; DBT_PROJECT_DIR points elsewhere for other layouts.
DBT_PROJECT_DIR = Path(os.environ.get("DBT_PROJECT_DIR") or Path(__file__).resolve().parents[2] / "dbt_project")

# profiles.yml is inside the project: every value comes from the CLICKHOUSE_* variables.
DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
DBT_PROJECT.prepare_if_dev()


def dbt_executable() -> str:
    """The `dbt` installed in the same environment as this interpreter (PATH may not contain the venv)."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=dbt_executable())


def prepare_manifest(project: DbtProject = DBT_PROJECT) -> Path:
    """Run `dbt parse` (offline, no database connection) to write target/manifest.json; returns its path."""
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    subprocess.run(
        # --no-partial-parse: a partial parse can drop the patches of tests/singular_tests.yml (seen with dbt 1.11
        # after a source file changed), and a full parse takes only a few seconds offline.
        [
            dbt_executable(),
            "parse",
            "--quiet",
            "--no-partial-parse",
            "--project-dir",
            str(project.project_dir),
            "--profiles-dir",
            str(project.profiles_dir),
            "--target-path",
            str(project.target_path),
        ],
        check=True,
        env=env,
        timeout=300,
    )
    return project.manifest_path
