"""Every statement that creates the platform's ClickHouse objects, rendered from the catalog. Pure: builds text.

A staging table per catalog resource (its key columns with their descriptions as column comments, then the load
columns; ReplacingMergeTree(_version) sorted by the business key), meta_job_runs, and the webhook receiver's
tables (webhooks/tables.py). `qtickets-platform ddl`
prints them, so a DBA can review or apply them by hand; ClickHouseResource.bootstrap() runs them.

Every table goes through `table_ddl`, which renders it for the configured topology (clickhouse/cluster.py): one
server (unchanged), ON CLUSTER, Replicated* engines, and when sharded a <table>_local plus a Distributed <table>.
"""

from __future__ import annotations

from qtickets_assets.clickhouse.cluster import Topology
from qtickets_assets.qtickets.ingest.catalog import CATALOG, LOAD_COLUMNS, CatalogEntry

META_JOB_RUNS_COMMENT = (
    "One row per asset materialization (success and failure), written by the asset itself or, "
    "when it could not, by the run-failure sensor."
)
META_JOB_RUNS_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("job", "LowCardinality(String)", "The Dagster job."),
    ("asset", "LowCardinality(String)", "The asset (a staging table, qtickets_audit, or (run) for a whole run)."),
    ("run_id", "String", "The Dagster run."),
    ("started_at", "DateTime64(3, 'UTC')", "When the materialization started."),
    ("finished_at", "DateTime64(3, 'UTC')", "When it finished."),
    ("status", "LowCardinality(String)", "ok | error."),
    ("rows", "UInt64 DEFAULT 0", "Rows inserted."),
    ("pages", "UInt32 DEFAULT 0", "API pages (or fan-out answers) read."),
    ("requests", "UInt32 DEFAULT 0", "API requests sent, retries included."),
    ("retries", "UInt32 DEFAULT 0", "Requests retried."),
    ("cursor_from", "Nullable(DateTime64(3, 'UTC'))", "Start of the load's cursor window."),
    ("cursor_to", "Nullable(DateTime64(3, 'UTC'))", "Newest cursor value loaded: the next high-water mark."),
    ("message", "String DEFAULT ''", "One line: the window, or what went wrong (never a secret)."),
    ("metrics", "String DEFAULT ''", "Every counter of the load, as JSON."),
)


def quote(text: str) -> str:
    """A ClickHouse string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _column_lines(columns) -> str:
    """`name type [DEFAULT ...] COMMENT '...' [CODEC(...)]`: ClickHouse wants the comment before the codec."""
    width = max(len(name) for name, _, _ in columns)
    lines = []
    for name, ctype, comment in columns:
        ctype, _, codec = ctype.partition(" CODEC(")
        lines.append(f"    {name:<{width}}  {ctype} COMMENT {quote(comment)}" + (f" CODEC({codec}" if codec else ""))
    return ",\n".join(lines)


def table_ddl(
    table: str,
    columns,
    engine: str,
    keys: str,
    comment: str,
    shard_by: tuple[str, ...],
    topology: Topology | None = None,
    database: str = "",
) -> list[tuple[str, str]]:
    """(object name, statement) for one table under `topology` (default: the environment's settings).

    `columns` are (name, type, comment); `engine` a *MergeTree engine; `keys` its PARTITION BY / ORDER BY lines;
    `shard_by` the columns whose cityHash64 picks the shard (the sorting key, so every version of a row lands on
    the same shard and ReplacingMergeTree / FINAL deduplicate exactly); `database` qualifies the Distributed
    table's target (default: the database of the session that runs the statement)."""
    topology = Topology.from_env() if topology is None else topology
    storage = topology.storage_table(table)
    statements = [
        (
            storage,
            f"CREATE TABLE IF NOT EXISTS {storage}{topology.on_cluster_clause()}\n(\n{_column_lines(columns)}\n)\n"
            f"ENGINE = {topology.engine(engine)}\n{keys}\nCOMMENT {quote(comment)}",
        )
    ]
    if topology.sharded:
        target = database or "currentDatabase()"
        statements.append(
            (
                table,
                f"CREATE TABLE IF NOT EXISTS {table}{topology.on_cluster_clause()}\nAS {storage}\n"
                f"ENGINE = Distributed({topology.cluster}, {target}, {storage}, cityHash64({', '.join(shard_by)}))\n"
                f"COMMENT {quote(comment + ' (Distributed over ' + storage + ')')}",
            )
        )
    return statements


def staging_table(entry: CatalogEntry, topology: Topology | None = None, database: str = "") -> list[tuple[str, str]]:
    columns = [(c.name, c.type, c.description) for c in entry.columns] + list(LOAD_COLUMNS)
    partition = f"PARTITION BY {entry.partition_by}\n" if entry.partition_by else ""
    order = entry.sorting_key[0] if len(entry.sorting_key) == 1 else f"({', '.join(entry.sorting_key)})"
    return table_ddl(
        entry.table,
        columns,
        "ReplacingMergeTree(_version)",
        f"{partition}ORDER BY {order}",
        entry.description,
        entry.sorting_key,
        topology,
        database,
    )


def meta_job_runs(topology: Topology | None = None, database: str = "") -> list[tuple[str, str]]:
    return table_ddl(
        "meta_job_runs",
        META_JOB_RUNS_COLUMNS,
        "MergeTree",
        "PARTITION BY toYYYYMM(started_at)\nORDER BY (asset, started_at)",
        META_JOB_RUNS_COMMENT,
        ("asset",),
        topology,
        database,
    )


def ddl_statements(topology: Topology | None = None, database: str = "") -> list[tuple[str, str]]:
    """(object name, statement) for every table, staging tables in catalog order, then meta_job_runs, then the
    webhook receiver's two tables; under `topology` (default: the CLICKHOUSE_CLUSTER / _REPLICATED / _SHARDED /
    _ON_CLUSTER settings)."""
    from qtickets_assets.webhooks.tables import webhook_ddl_statements  # imports this module: imported late

    topology = Topology.from_env() if topology is None else topology
    statements = []
    for entry in CATALOG.values():
        statements += staging_table(entry, topology, database)
    return statements + meta_job_runs(topology, database) + webhook_ddl_statements(topology, database)
