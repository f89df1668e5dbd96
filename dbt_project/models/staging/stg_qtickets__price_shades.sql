{{ config(order_by=['shade_id']) }}
-- One row per price shade (GET /color-themes): the latest `_version` of each shade_id.
with source as (

    select * from {{ source('qtickets_api', 'stg_qtickets_api_price_shades_raw') }}

),

latest as (

    select *
    from source
    {{ latest_version(['shade_id']) }}

)

select
    shade_id,
    {{ json_str('payload', "'color'") }} as color,
    _loaded_at,
    _version
from latest
