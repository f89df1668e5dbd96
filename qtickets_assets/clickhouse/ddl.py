"""Every statement that creates the platform's ClickHouse objects, rendered from the catalog. Pure: builds text.

A staging table per catalog resource (its key columns with their descriptions as column comments, then the load
columns; ReplacingMergeTree(_version) sorted by the business key) and meta_job_runs. `qtickets-platform ddl`
prints them, so a DBA can review or apply them by hand; ClickHouseResource.bootstrap() runs them.
"""

from __future__ import annotations

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


def staging_table(entry: CatalogEntry) -> str:
    columns = [(c.name, c.type, c.description) for c in entry.columns] + list(LOAD_COLUMNS)
    partition = f"\nPARTITION BY {entry.partition_by}" if entry.partition_by else ""
    order = entry.sorting_key[0] if len(entry.sorting_key) == 1 else f"({', '.join(entry.sorting_key)})"
    return (
        f"CREATE TABLE IF NOT EXISTS {entry.table}\n(\n{_column_lines(columns)}\n)\n"
        f"ENGINE = ReplacingMergeTree(_version){partition}\nORDER BY {order}\n"
        f"COMMENT {quote(entry.description)}"
    )


def meta_job_runs() -> str:
    return (
        f"CREATE TABLE IF NOT EXISTS meta_job_runs\n(\n{_column_lines(META_JOB_RUNS_COLUMNS)}\n)\n"
        f"ENGINE = MergeTree\nPARTITION BY toYYYYMM(started_at)\nORDER BY (asset, started_at)\n"
        f"COMMENT {quote(META_JOB_RUNS_COMMENT)}"
    )


def ddl_statements() -> list[tuple[str, str]]:
    """(object name, statement) for every table, staging tables in catalog order, then meta_job_runs, then the
    webhook receiver's two tables."""
    from qtickets_assets.webhooks.tables import webhook_ddl_statements  # the webhook receiver's tables

    return (
        [(entry.table, staging_table(entry)) for entry in CATALOG.values()]
        + [("meta_job_runs", meta_job_runs())]
        + webhook_ddl_statements()
    )
