{{ config(order_by=['event_id']) }}
-- One row per event: the latest `_version` of each event_id, parsed from the API payload.
with source as (

    select * from {{ source('qtickets_api', 'stg_qtickets_api_events_raw') }}

),

latest as (

    select *
    from source
    {{ latest_version(['event_id']) }}

),

renamed as (

    select
        event_id,
        {{ json_str('payload', "'name'") }} as event_name,
        {{ json_bool('payload', "'is_active'") }} as is_active,
        toLowCardinality({{ json_str('payload', "'currency_id'") }}) as currency_id,
        {{ json_uint('payload', "'city_id'") }} as city_id,
        -- The city object carries the name; fall back to '' when absent.
        {{ json_str('payload', "'city'", "'name'") }} as city,
        {{ json_str('payload', "'city'", "'timezone'") }} as city_timezone,
        {{ json_str('payload', "'place_name'") }} as place_name,
        {{ json_str('payload', "'place_address'") }} as place_address,
        {{ json_str('payload', "'age'") }} as age,
        {{ json_uint('payload', "'event_type_id'") }} as event_type_id,
        {{ json_uint('payload', "'scheme_id'") }} as scheme_id,
        {{ json_ts('payload', "'created_at'") }} as created_at,
        {{ json_ts('payload', "'updated_at'") }} as updated_at,
        {{ json_ts('payload', "'deleted_at'") }} as deleted_at,
        JSONExtractArrayRaw(payload, 'shows') as shows_json,
        _loaded_at,
        _version
    from latest

)

select * from renamed
