"""meta_job_runs: one row per asset materialization, written for successes AND failures.

The row is the operator's answer to "did the 06:00 load run, how much did it bring, what went wrong":
job, asset, run id, start/finish, status ok|error, rows, pages, requests, retries, cursor window, a
one-line message (token-free; the callers pass already scrubbed text) and the full metrics as JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

TABLE = "meta_job_runs"
COLUMNS = (
    "job",
    "asset",
    "run_id",
    "started_at",
    "finished_at",
    "status",
    "rows",
    "pages",
    "requests",
    "retries",
    "cursor_from",
    "cursor_to",
    "message",
    "metrics",
)


@dataclass
class RunRecord:
    job: str
    asset: str
    run_id: str
    started_at: datetime
    finished_at: datetime | None = None
    status: str = "ok"  # "ok" | "error"
    rows: int = 0
    pages: int = 0
    requests: int = 0
    retries: int = 0
    cursor_from: datetime | None = None
    cursor_to: datetime | None = None
    message: str = ""
    metrics: dict = field(default_factory=dict)

    def values(self) -> list:
        finished = self.finished_at or datetime.now(UTC)
        return [
            self.job or "",
            self.asset,
            self.run_id,
            self.started_at,
            finished,
            self.status,
            max(0, int(self.rows)),
            max(0, int(self.pages)),
            max(0, int(self.requests)),
            max(0, int(self.retries)),
            self.cursor_from,
            self.cursor_to,
            self.message[:2000],
            json.dumps(self.metrics, ensure_ascii=False, default=str, sort_keys=True),
        ]


def write_run(ch, record: RunRecord) -> None:
    """Insert one meta_job_runs row (raises whatever clickhouse-connect raises; callers decide)."""
    ch.insert(TABLE, [record.values()], column_names=list(COLUMNS))


def clickhouse_unreachable(resource, exc: BaseException | None = None) -> str:
    """A clear "ClickHouse is down" message naming the settings to check (never the password)."""
    host = getattr(resource, "host", "?")
    port = getattr(resource, "port", "?")
    database = getattr(resource, "database", "?")
    detail = f" ({type(exc).__name__})" if exc is not None else ""
    return (
        f"ClickHouse is not reachable at {host}:{port} (database {database}){detail}: check that the "
        f"server is running and CLICKHOUSE_HOST / CLICKHOUSE_PORT / CLICKHOUSE_USER / CLICKHOUSE_PASSWORD "
        f"/ CLICKHOUSE_DATABASE / CLICKHOUSE_SECURE"
    )
