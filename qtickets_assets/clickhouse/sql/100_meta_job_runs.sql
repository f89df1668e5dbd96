-- One row per asset materialization (success and failure), written by the asset itself or, when it
-- could not, by the run-failure sensor.
CREATE TABLE IF NOT EXISTS meta_job_runs
(
    job          LowCardinality(String),
    asset        LowCardinality(String),
    run_id       String,
    started_at   DateTime64(3, 'UTC'),
    finished_at  DateTime64(3, 'UTC'),
    status       LowCardinality(String),
    rows         UInt64 DEFAULT 0,
    pages        UInt32 DEFAULT 0,
    requests     UInt32 DEFAULT 0,
    retries      UInt32 DEFAULT 0,
    cursor_from  Nullable(DateTime64(3, 'UTC')),
    cursor_to    Nullable(DateTime64(3, 'UTC')),
    message      String DEFAULT '',
    metrics      String DEFAULT ''
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(started_at)
ORDER BY (asset, started_at)
