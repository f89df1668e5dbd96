{{ config(order_by=['discount_id']) }}
-- One row per discount: the latest `_version` of each discount_id. The API exposes no discount value.
with source as (

    select * from {{ source('qtickets_api', 'stg_qtickets_api_discounts_raw') }}

),

latest as (

    select *
    from source
    {{ latest_version(['discount_id']) }}

),

renamed as (

    select
        discount_id,
        {{ json_str('payload', "'name'") }} as discount_name,
        toLowCardinality({{ json_str('payload', "'type'") }}) as discount_type,
        {{ json_bool('payload', "'is_active'") }} as is_active,
        {{ json_ts('payload', "'active_from'") }} as active_from,
        {{ json_ts('payload', "'active_to'") }} as active_to,
        arrayMap(e -> JSONExtract(e, 'id', 'UInt64'), JSONExtractArrayRaw(payload, 'events')) as event_ids,
        arrayMap(s -> JSONExtract(s, 'id', 'UInt64'), JSONExtractArrayRaw(payload, 'shows')) as show_ids,
        {{ json_ts('payload', "'created_at'") }} as created_at,
        {{ json_ts('payload', "'updated_at'") }} as updated_at,
        {{ json_ts('payload', "'deleted_at'") }} as deleted_at,
        _loaded_at,
        _version
    from latest

)

select * from renamed
