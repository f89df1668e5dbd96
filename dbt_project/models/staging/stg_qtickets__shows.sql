{{ config(order_by=['show_id']) }}
-- One row per show (event date), exploded from the `shows` of the latest version of each event.
with events as (

    -- Event fields renamed before the show fields are parsed (a select-level alias shadows a same-name column).
    select
        event_id,
        is_active as event_is_active,
        deleted_at as event_deleted_at,
        _loaded_at,
        _version,
        arrayJoin(shows_json) as show  -- noqa: RF04
    from {{ ref('stg_qtickets__events') }}

),

renamed as (

    select
        {{ json_id('show', "'id'") }} as show_id,
        event_id,
        {{ json_str('show', "'name'") }} as show_name,
        {{ json_bool('show', "'is_active'") }} as is_active,
        {{ json_ts('show', "'start_date'") }} as start_at,
        {{ json_ts('show', "'finish_date'") }} as finish_at,
        {{ json_ts('show', "'open_date'") }} as open_at,
        {{ json_ts('show', "'sale_start_date'") }} as sale_start_at,
        {{ json_ts('show', "'sale_finish_date'") }} as sale_finish_at,
        {{ json_ts('show', "'created_at'") }} as created_at,
        {{ json_ts('show', "'updated_at'") }} as updated_at,
        {{ json_ts('show', "'deleted_at'") }} as deleted_at,
        event_is_active,
        event_deleted_at,
        _loaded_at,
        _version
    from events

)

select * from renamed
