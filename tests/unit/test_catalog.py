"""The catalog drives every resource: each per-resource map, file and check covers exactly the catalog's names,
so a resource added to (or missing from) any of them fails here by name, never silently."""

import json
from pathlib import Path

import pytest
from dagster import AssetKey

from qtickets_assets.audit.asset import AUDIT_DEPS
from qtickets_assets.audit.counts import BUSINESS_KEYS
from qtickets_assets.clickhouse.ddl import ddl_statements
from qtickets_assets.qtickets.ingest import dbt_sources
from qtickets_assets.qtickets.ingest.catalog import CATALOG, DIMENSIONS_JOB, INVENTORY_JOB, ORDERS_JOB
from qtickets_assets.quality.contracts import CONTRACTS
from qtickets_assets.quality.freshness import STAGING_MAX_LAG
from tests.contract_examples import EXAMPLES

ROOT = Path(__file__).resolve().parents[2]
NAMES = set(CATALOG)


def test_every_per_resource_map_covers_exactly_the_catalog():
    assert set(CONTRACTS) == NAMES, "a pandera contract per resource (quality/contracts/)"
    assert set(EXAMPLES) == NAMES, "a documented example object per resource (tests/contract_examples.py)"
    assert set(STAGING_MAX_LAG) == NAMES
    assert set(BUSINESS_KEYS) == {e.table for e in CATALOG.values()}
    assert {AssetKey(e.table) for e in CATALOG.values()} <= set(AUDIT_DEPS)
    webhook_tables = {"stg_qtickets_webhooks_raw", "stg_qtickets_webhooks_quarantine"}  # not API resources
    assert {name for name, _ in ddl_statements()} == {e.table for e in CATALOG.values()} | {
        "meta_job_runs"
    } | webhook_tables
    assert {e.refresh for e in CATALOG.values()} <= {ORDERS_JOB, INVENTORY_JOB, DIMENSIONS_JOB}


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_entry_is_consistent(name):
    entry = CATALOG[name]
    assert entry.table == f"stg_qtickets_api_{entry.name}_raw"  # the one naming rule
    assert set(entry.business_key) <= set(entry.key_columns)
    assert set(entry.sorting_key) <= set(entry.key_columns)
    assert entry.cursor_column in (None, *entry.key_columns)
    assert all(c.description.strip() for c in entry.columns), "every key column says what it holds"
    assert len(set(entry.key_columns)) == len(entry.key_columns)


def test_dbt_sources_file_is_the_one_the_catalog_renders():
    committed = (ROOT / "dbt_project" / "models" / "staging" / "__sources.yml").read_text()
    assert committed == dbt_sources.render(), (
        "dbt_project/models/staging/__sources.yml differs from the catalog: regenerate it with "
        ".venv/bin/python -m qtickets_assets.qtickets.ingest.dbt_sources --write"
    )


def test_every_resource_has_a_dbt_staging_model():
    """Each raw table is read by at least one dbt staging model (dbt's manifest, prepared by `make manifest`)."""
    from qtickets_assets.transform.project import DBT_PROJECT, prepare_manifest

    prepare_manifest()
    manifest = json.loads(Path(DBT_PROJECT.manifest_path).read_text())
    read_by = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["name"].startswith("stg_qtickets__"):
            for parent in node["depends_on"]["nodes"]:
                if parent.startswith("source."):
                    read_by.setdefault(parent.rsplit(".", 1)[1], []).append(node["name"])
    assert {e.table for e in CATALOG.values()} <= set(read_by), {e.table for e in CATALOG.values()} - set(read_by)


def test_ddl_command_prints_what_bootstrap_runs(capsys):
    from qtickets_assets.local.cli import main

    assert main(["ddl"]) == 0
    printed = capsys.readouterr().out
    for name, statement in ddl_statements():
        assert f"-- {name}\n{statement};\n" in printed
