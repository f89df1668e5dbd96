-- One row per currently valid barcode of GET /shows/{show_id}/barcodes (a bare array) per snapshot.
-- A barcode missing from a later snapshot of its show is no longer valid (cancelled or refunded).
CREATE TABLE IF NOT EXISTS stg_qtickets_api_barcodes_raw
(
    event_id     UInt64,
    show_id      UInt64,
    barcode      String,
    snapshot_ts  DateTime64(3, 'UTC'),
    checked_at   Nullable(DateTime64(3, 'UTC')),
    payload      String CODEC(ZSTD(3)),
    _loaded_at   DateTime64(3, 'UTC'),
    _run_id      String,
    _version     UInt64
)
ENGINE = ReplacingMergeTree(_version)
PARTITION BY toYYYYMM(snapshot_ts)
ORDER BY (event_id, show_id, snapshot_ts, barcode)
