-- One row per event-show entry of Partners events/lists (with last_update_hash), as received.
CREATE TABLE IF NOT EXISTS stg_qtickets_api_partner_events_raw
(
    event_id          UInt64,
    show_id           UInt64,
    last_update_hash  String,
    payload           String CODEC(ZSTD(3)),
    _loaded_at        DateTime64(3, 'UTC'),
    _run_id           String,
    _version          UInt64
)
ENGINE = ReplacingMergeTree(_version)
ORDER BY (event_id, show_id)
