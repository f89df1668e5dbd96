"""ClickHouse row counts for the audit: every staging table, mart (fact_*, dim_*) and meta_job_runs of the
configured database, read from system.tables (nothing hard-coded), with deduplicated counts for the staging
tables and the deltas against the previous audit's clickhouse_counts.csv.

Raw count() of a ReplacingMergeTree includes versions not merged yet; the distinct business keys are what
users see downstream, so both are reported.

On a sharded cluster (CLICKHOUSE_SHARDED) the counts are read through each Distributed <table>, i.e. cluster-wide;
the node's own <table>_local under it holds one shard only and is left out.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from qtickets_assets.clickhouse.cluster import LOCAL_SUFFIX
from qtickets_assets.clickhouse.resource import validate_identifier
from qtickets_assets.qtickets.ingest.catalog import CATALOG

CSV_NAME = "clickhouse_counts.csv"
CSV_FIELDS = ("table", "kind", "rows_before", "rows_after", "delta", "distinct_keys")

# Business keys of the staging tables (the catalog's): deduplication = one row per key.
BUSINESS_KEYS = {entry.table: entry.business_key for entry in CATALOG.values()}

_TABLES_SQL = """
SELECT name, engine FROM system.tables
WHERE database = {db:String}
  AND (startsWith(name, 'stg_') OR startsWith(name, 'fact_') OR startsWith(name, 'dim_') OR name = 'meta_job_runs')
ORDER BY name
"""


@dataclass
class TableCount:
    table: str
    kind: str  # staging | mart | meta
    rows_before: int
    rows_after: int
    distinct_keys: int | None = None

    @property
    def delta(self) -> int:
        return self.rows_after - self.rows_before


def kind_of(table: str) -> str:
    if table.startswith("stg_"):
        return "staging"
    if table == "meta_job_runs":
        return "meta"
    return "mart"


def previous_counts(root: Path, exclude: Path | None = None) -> tuple[dict[str, int], str | None]:
    """rows_after of the newest earlier audit under `root` ({} and None when there is none)."""
    if not root.is_dir():
        return {}, None
    runs = sorted(
        (p for p in root.iterdir() if p.is_dir() and (p / CSV_NAME).is_file() and p != exclude), key=lambda p: p.name
    )
    if not runs:
        return {}, None
    latest = runs[-1]
    out: dict[str, int] = {}
    with (latest / CSV_NAME).open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            try:
                out[row["table"]] = int(row["rows_after"])
            except (KeyError, ValueError):
                continue
    return out, latest.name


def measure(ch_client, database: str, before: dict[str, int]) -> list[TableCount]:
    db = validate_identifier(database, "database")
    tables = ch_client.query(_TABLES_SQL, parameters={"db": db}).result_rows
    distributed = {name for name, engine in tables if engine == "Distributed"}
    out = []
    for name, _engine in tables:
        if name.endswith(LOCAL_SUFFIX) and name[: -len(LOCAL_SUFFIX)] in distributed:
            continue  # one shard's rows: counted cluster-wide through the Distributed table
        table = validate_identifier(name, "table")
        rows = int(ch_client.query(f"SELECT count() FROM {db}.{table}").result_rows[0][0])
        distinct = None
        keys = BUSINESS_KEYS.get(table)
        if keys:
            distinct = int(ch_client.query(f"SELECT uniqExact({', '.join(keys)}) FROM {db}.{table}").result_rows[0][0])
        out.append(TableCount(table, kind_of(table), before.get(table, 0), rows, distinct))
    return out


def to_csv(counts: list[TableCount]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for c in counts:
        writer.writerow(
            [c.table, c.kind, c.rows_before, c.rows_after, c.delta, "" if c.distinct_keys is None else c.distinct_keys]
        )
    return buf.getvalue()
