{{ config(order_by=['client_id']) }}
-- One row per buyer: the latest `_version` of each client_id. NO personal data leaves the raw table:
-- only the id and flags saying which contact fields are filled.
with source as (

    select * from {{ source('qtickets_api', 'stg_qtickets_api_clients_raw') }}

),

latest as (

    select *
    from source
    {{ latest_version(['client_id']) }}

)

select
    client_id,
    toUInt8({{ json_str('payload', "'email'") }} != '') as has_email,
    toUInt8({{ json_str('payload', "'details'", "'phone'") }} != '') as has_phone,
    toUInt8({{ json_str('payload', "'details'", "'name'") }} != '') as has_name,
    _loaded_at,
    _version
from latest
