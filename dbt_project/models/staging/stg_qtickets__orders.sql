-- One row per order: the latest `_version` of each order_id, parsed from the API payload.
with source as (

    select * from {{ source('qtickets_api', 'stg_qtickets_api_orders_raw') }}

),

latest as (

    -- Deterministic dedup without FINAL or merges: newest version first, ties broken by load time then payload.
    select *
    from source
    {{ latest_version(['order_id']) }}

),

renamed as (

    select
        order_id,
        {{ json_id('payload', "'event_id'") }}                     as event_id,
        {{ json_uint('payload', "'client_id'") }}                    as client_id,
        {{ json_bool('payload', "'payed'") }}                        as is_payed,
        {{ json_ts('payload', "'payed_at'") }}                       as payed_at,
        {{ json_ts('payload', "'created_at'") }}                     as created_at,
        {{ json_ts('payload', "'updated_at'") }}                     as updated_at,
        {{ json_ts('payload', "'deleted_at'") }}                     as deleted_at,
        {{ json_bool('payload', "'reserved'") }}                     as is_reserved,
        {{ json_ts('payload', "'reserved_to'") }}                    as reserved_to,
        {{ json_money('payload', "'price'") }}                       as price,
        {{ json_money('payload', "'original_price'") }}              as original_price,
        toLowCardinality({{ json_str('payload', "'currency_id'") }}) as currency_id,
        toLowCardinality({{ json_str('payload', "'payment_type_id'") }}) as payment_type_id,
        {{ json_uint('payload', "'site_id'") }}                      as site_id,
        {{ json_str('payload', "'site'", "'host'") }}                as site_host,
        {{ json_uint('payload', "'discount_id'") }}                  as discount_id,
        {{ json_uint('payload', "'promo_code_id'") }}                as promo_code_id,
        -- utm is an object, or [] when empty (PHP): reading a key of [] gives '' as wanted.
        {{ json_str('payload', "'utm'", "'utm_source'") }}           as utm_source,
        {{ json_str('payload', "'utm'", "'utm_medium'") }}           as utm_medium,
        {{ json_str('payload', "'utm'", "'utm_campaign'") }}         as utm_campaign,
        {{ json_str('payload', "'utm'", "'utm_content'") }}          as utm_content,
        {{ json_str('payload', "'utm'", "'utm_term'") }}             as utm_term,
        length(JSONExtractArrayRaw(payload, 'baskets'))              as baskets_count,
        length(JSONExtractArrayRaw(payload, 'refunds'))              as refunds_count,
        _loaded_at,
        _version
    from latest

)

select * from renamed
