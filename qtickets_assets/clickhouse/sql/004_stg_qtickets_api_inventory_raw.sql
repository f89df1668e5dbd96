-- One row per seat of GET /shows/{show_id}/seats (flat: true) per snapshot. Snapshots are kept
-- (history); dbt reads the latest snapshot of each show.
CREATE TABLE IF NOT EXISTS stg_qtickets_api_inventory_raw
(
    event_id     UInt64,
    show_id      UInt64,
    seat_id      String,
    snapshot_ts  DateTime64(3, 'UTC'),
    payload      String CODEC(ZSTD(3)),
    _loaded_at   DateTime64(3, 'UTC'),
    _run_id      String,
    _version     UInt64
)
ENGINE = ReplacingMergeTree(_version)
PARTITION BY toYYYYMM(snapshot_ts)
ORDER BY (event_id, show_id, snapshot_ts, seat_id)
