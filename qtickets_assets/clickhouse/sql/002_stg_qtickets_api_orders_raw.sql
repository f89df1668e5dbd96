-- One row per order object of GET /orders (baskets nested in the payload), as received.
CREATE TABLE IF NOT EXISTS stg_qtickets_api_orders_raw
(
    order_id    UInt64,
    event_id    UInt64,
    payed       UInt8,
    created_at  DateTime64(3, 'UTC'),
    payed_at    Nullable(DateTime64(3, 'UTC')),
    updated_at  Nullable(DateTime64(3, 'UTC')),
    deleted_at  Nullable(DateTime64(3, 'UTC')),
    payload     String CODEC(ZSTD(3)),
    _loaded_at  DateTime64(3, 'UTC'),
    _run_id     String,
    _version    UInt64
)
ENGINE = ReplacingMergeTree(_version)
PARTITION BY toYYYYMM(created_at)
ORDER BY order_id
