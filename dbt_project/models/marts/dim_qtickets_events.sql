{{ config(materialized='table', order_by=['event_id']) }}
-- One row per event (latest version), with its show dates. Deleted events are kept and flagged.
with events as (

    select * from {{ ref('stg_qtickets__events') }}

),

show_dates as (

    select
        event_id,
        count() as shows_count,
        countIf(is_active = 1 and deleted_at is null) as active_shows_count,
        min(start_at) as first_show_start_at,
        max(start_at) as last_show_start_at
    from {{ ref('stg_qtickets__shows') }}
    group by event_id

),

final as (

    select
        events.event_id,
        events.event_name,
        toLowCardinality(events.city) as city,
        events.city_id,
        events.place_name,
        toLowCardinality(toString(events.currency_id)) as currency_id,
        events.age,
        toUInt64(coalesce(show_dates.shows_count, 0)) as shows_count,
        toUInt64(coalesce(show_dates.active_shows_count, 0)) as active_shows_count,
        if(
            show_dates.shows_count > 0,
            toDate(show_dates.first_show_start_at, '{{ var("timezone") }}'), null
        ) as first_show_date,
        if(
            show_dates.shows_count > 0,
            toDate(show_dates.last_show_start_at, '{{ var("timezone") }}'), null
        ) as last_show_date,
        events.is_active,
        toUInt8(events.deleted_at is not null) as is_deleted,
        events.created_at,
        events.updated_at,
        events.deleted_at,
        events._loaded_at
    from events
    left join show_dates on events.event_id = show_dates.event_id

)

select * from final
