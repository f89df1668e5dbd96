-- One row per Partners ticket of tickets/find/{event_id} (with its `deleted` flag), as received.
CREATE TABLE IF NOT EXISTS stg_qtickets_api_partner_tickets_raw
(
    ticket_id          UInt64,
    event_id           UInt64,
    show_id            UInt64,
    paid               UInt8,
    deleted            UInt8,
    payload            String CODEC(ZSTD(3)),
    _loaded_at         DateTime64(3, 'UTC'),
    _run_id            String,
    _version           UInt64
)
ENGINE = ReplacingMergeTree(_version)
ORDER BY ticket_id
