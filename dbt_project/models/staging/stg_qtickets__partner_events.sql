{{ config(order_by=['event_id', 'show_id']) }}
-- One row per Partners API event-show entry (events/lists): the latest `_version` of each (event_id, show_id).
with source as (

    select * from {{ source('qtickets_api', 'stg_qtickets_api_partner_events_raw') }}

),

latest as (

    select *
    from source
    {{ latest_version(['event_id', 'show_id']) }}

)

select
    event_id,
    show_id,
    last_update_hash,
    {{ json_str('payload', "'event_name'") }} as event_name,
    {{ json_ts('payload', "'start_date'") }} as start_at,
    {{ json_ts('payload', "'finish_date'") }} as finish_at,
    {{ json_str('payload', "'city'", "'name'") }} as city,
    {{ json_str('payload', "'age'") }} as age,
    {{ json_bool('payload', "'fanid_required'") }} as is_fanid_required,
    {{ json_bool('payload', "'has_document_verification'") }} as has_document_verification,
    _loaded_at,
    _version
from latest
