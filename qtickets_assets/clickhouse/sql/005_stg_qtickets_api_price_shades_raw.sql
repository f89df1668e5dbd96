-- One row per colour theme of GET /color-themes (the "price shades" of the plan; /price-shades does not exist).
CREATE TABLE IF NOT EXISTS stg_qtickets_api_price_shades_raw
(
    shade_id    UInt64,
    payload     String,
    _loaded_at  DateTime64(3, 'UTC'),
    _run_id     String,
    _version    UInt64
)
ENGINE = ReplacingMergeTree(_version)
ORDER BY shade_id
