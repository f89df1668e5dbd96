-- One row per event object of GET /events (shows nested in the payload), as received.
CREATE TABLE IF NOT EXISTS stg_qtickets_api_events_raw
(
    event_id    UInt64,
    updated_at  Nullable(DateTime64(3, 'UTC')),
    deleted_at  Nullable(DateTime64(3, 'UTC')),
    payload     String CODEC(ZSTD(3)),
    _loaded_at  DateTime64(3, 'UTC'),
    _run_id     String,
    _version    UInt64
)
ENGINE = ReplacingMergeTree(_version)
ORDER BY event_id
