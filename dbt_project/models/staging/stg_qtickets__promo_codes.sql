{{ config(order_by=['promo_code_id']) }}
-- One row per promo code: the latest `_version` of each promo_code_id.
with source as (

    select * from {{ source('qtickets_api', 'stg_qtickets_api_promo_codes_raw') }}

),

latest as (

    select *
    from source
    {{ latest_version(['promo_code_id']) }}

),

renamed as (

    select
        promo_code_id,
        {{ json_uint('payload', "'discount_id'") }} as discount_id,
        {{ json_str('payload', "'code'") }} as code,
        {{ json_int('payload', "'type'") }} as promo_code_type,
        {{ json_bool('payload', "'is_active'") }} as is_active,
        -- 0 = unlimited uses.
        coalesce({{ json_int('payload', "'max_uses_count'") }}, 0) as max_uses_count,
        {{ json_ts('payload', "'active_from'") }} as active_from,
        {{ json_ts('payload', "'active_to'") }} as active_to,
        {{ json_ts('payload', "'created_at'") }} as created_at,
        {{ json_ts('payload', "'updated_at'") }} as updated_at,
        {{ json_ts('payload', "'deleted_at'") }} as deleted_at,
        _loaded_at,
        _version
    from latest

)

select * from renamed
