-- One row per client (buyer) object of GET /clients, as received. Personal data lives only here.
CREATE TABLE IF NOT EXISTS stg_qtickets_api_clients_raw
(
    client_id   UInt64,
    payload     String CODEC(ZSTD(3)),
    _loaded_at  DateTime64(3, 'UTC'),
    _run_id     String,
    _version    UInt64
)
ENGINE = ReplacingMergeTree(_version)
ORDER BY client_id
