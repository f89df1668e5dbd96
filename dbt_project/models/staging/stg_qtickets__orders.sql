{{ config(order_by=['order_id']) }}
-- One row per order, parsed from the newest state known of it: the API's latest `_version` of each order_id (the
-- polling load), merged with the webhook deliveries (stg_qtickets_webhooks_raw, docs/webhooks.md). Per order the row
-- with the latest updated_at wins; on a tie the API row, then among webhooks the later life-cycle event, then the
-- later delivery. Without webhook rows this is exactly the API's latest version, as before.
with source as (

    select * from {{ source('qtickets_api', 'stg_qtickets_api_orders_raw') }}

),

api_latest as (

    -- Deterministic dedup without FINAL or merges: newest version first, ties broken by load time then payload.
    select *
    from source
    {{ latest_version(['order_id']) }}

),

candidates as (

    select
        order_id,
        coalesce(updated_at, toDateTime64(0, 3, 'UTC')) as _updated_at,
        payload,
        _loaded_at,
        _version,
        'api' as _source,
        toUInt8(2) as _source_rank,
        toUInt8(0) as _event_rank
    from api_latest

    union all

    select
        order_id,
        updated_at as _updated_at,
        payload,
        received_at as _loaded_at,
        _version,
        'webhook' as _source,
        toUInt8(1) as _source_rank,
        toUInt8(multiIf(
            event_type = 'created', 1,
            event_type = 'updated', 2,
            event_type = 'payed', 3,
            event_type = 'checked', 4,
            event_type = 'refunded', 5,
            event_type = 'deleted', 6,
            0
        )) as _event_rank
    from {{ source('qtickets_webhooks', 'stg_qtickets_webhooks_raw') }}

),

latest as (

    select *
    from candidates
    order by order_id asc, _updated_at desc, _source_rank desc, _event_rank desc, _version desc, cityHash64(payload) desc
    limit 1 by order_id

),

parsed as (

    select
        *,
        {{ json_fields('payload') }} as j
    from latest

),

renamed as (

    select
        order_id,
        {{ json_id("j['event_id']") }} as event_id,
        {{ json_uint("j['client_id']") }} as client_id,
        {{ json_bool("j['payed']") }} as is_payed,
        {{ json_ts("j['payed_at']") }} as payed_at,
        {{ json_ts("j['created_at']") }} as created_at,
        {{ json_ts("j['updated_at']") }} as updated_at,
        {{ json_ts("j['deleted_at']") }} as deleted_at,
        {{ json_bool("j['reserved']") }} as is_reserved,
        {{ json_ts("j['reserved_to']") }} as reserved_to,
        {{ json_money("j['price']") }} as price,
        {{ json_money("j['original_price']") }} as original_price,
        toLowCardinality({{ json_str("j['currency_id']") }}) as currency_id,
        toLowCardinality({{ json_str("j['payment_type_id']") }}) as payment_type_id,
        {{ json_uint("j['site_id']") }} as site_id,
        {{ json_str("j['site']", "'host'") }} as site_host,
        {{ json_uint("j['discount_id']") }} as discount_id,
        {{ json_uint("j['promo_code_id']") }} as promo_code_id,
        -- utm is an object, or [] when empty (PHP): reading a key of [] gives '' as wanted.
        {{ json_str("j['utm']", "'utm_source'") }} as utm_source,
        {{ json_str("j['utm']", "'utm_medium'") }} as utm_medium,
        {{ json_str("j['utm']", "'utm_campaign'") }} as utm_campaign,
        {{ json_str("j['utm']", "'utm_content'") }} as utm_content,
        {{ json_str("j['utm']", "'utm_term'") }} as utm_term,
        length(JSONExtractArrayRaw(j['baskets'])) as baskets_count,
        length(JSONExtractArrayRaw(j['refunds'])) as refunds_count,
        _loaded_at,
        _version,
        -- identify the chosen raw row exactly (stg_qtickets__baskets explodes that row's baskets): its table
        -- ('api' = stg_qtickets_api_orders_raw, 'webhook' = stg_qtickets_webhooks_raw), version and payload hash
        _source,
        cityHash64(payload) as _payload_hash
    from parsed

)

select * from renamed
