-- One row per promo code object of GET /promo-codes, as received.
CREATE TABLE IF NOT EXISTS stg_qtickets_api_promo_codes_raw
(
    promo_code_id UInt64,
    discount_id   Nullable(UInt64),
    updated_at    Nullable(DateTime64(3, 'UTC')),
    deleted_at    Nullable(DateTime64(3, 'UTC')),
    payload       String CODEC(ZSTD(3)),
    _loaded_at    DateTime64(3, 'UTC'),
    _run_id       String,
    _version      UInt64
)
ENGINE = ReplacingMergeTree(_version)
ORDER BY promo_code_id
