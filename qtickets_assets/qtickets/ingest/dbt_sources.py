"""The dbt sources of the staging tables (dbt_project/models/staging/__sources.yml), rendered from the catalog.

dbt reads a YAML file, so the file is committed; a test fails when it differs from what the catalog renders.
Regenerate it after changing the catalog, or check it (pre-commit does):

    .venv/bin/python -m qtickets_assets.qtickets.ingest.dbt_sources --write
    .venv/bin/python -m qtickets_assets.qtickets.ingest.dbt_sources --check
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from .catalog import CATALOG, LOAD_COLUMNS, CatalogEntry

HEADER = """\
# GENERATED from the catalog (qtickets_assets/qtickets/ingest/catalog.py) by
#     .venv/bin/python -m qtickets_assets.qtickets.ingest.dbt_sources --write
# Do not edit by hand: tests/unit/test_catalog.py fails when this file and the catalog differ.
#
# The raw staging tables written by the Dagster ingestion assets (one per API resource).
# `meta.dagster.asset_key` ties each source to its Dagster asset, so the lineage runs API -> staging -> marts.
# A row is one API object as received: typed key columns + `payload` (the object's JSON, whole) + load columns.
# ReplacingMergeTree(_version): duplicates may be visible until a background merge, so every staging model
# deduplicates itself (latest `_version` per business key); nothing relies on merges or FINAL.
"""


def _hours(entry: CatalogEntry) -> int:
    return max(1, int(entry.max_lag.total_seconds() // 3600))


def source_table(entry: CatalogEntry) -> dict:
    columns = [{"name": c.name, "description": c.description} for c in entry.columns]
    columns += [{"name": name, "description": description} for name, _, description in LOAD_COLUMNS]
    return {
        "name": entry.table,
        "description": f"{entry.description} Business key: ({', '.join(entry.business_key)}).",
        "config": {
            "meta": {"dagster": {"asset_key": [entry.table]}},
            # dbt's own source freshness, if someone runs `dbt source freshness`: the catalog's max_lag warns, three
            # times it errors (Dagster's freshness checks use the same max_lag).
            "freshness": {
                "warn_after": {"count": _hours(entry), "period": "hour"},
                "error_after": {"count": 3 * _hours(entry), "period": "hour"},
            },
        },
        "columns": columns,
    }


def render() -> str:
    document = {
        "sources": [
            {
                "name": "qtickets_api",
                "description": "Raw QTickets REST v1 and Partners API objects, loaded by Dagster.",
                "schema": "{{ target.schema }}",
                "config": {"loaded_at_field": "_loaded_at"},
                "tables": [source_table(entry) for entry in CATALOG.values()],
            }
        ]
    }
    return HEADER + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=115)


SOURCES_FILE = Path(__file__).resolve().parents[3] / "dbt_project" / "models" / "staging" / "__sources.yml"


def main(argv: list[str]) -> int:
    """No flag: print; --write: write the file; --check: exit 1 with one line when the file is stale."""
    text = render()
    if "--write" in argv:
        SOURCES_FILE.write_text(text, encoding="utf-8")
    elif "--check" in argv:
        if not SOURCES_FILE.exists() or SOURCES_FILE.read_text(encoding="utf-8") != text:
            print(
                f"{SOURCES_FILE} differs from the catalog: run "
                "`.venv/bin/python -m qtickets_assets.qtickets.ingest.dbt_sources --write`",
                file=sys.stderr,
            )
            return 1
    else:
        print(text, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
