{{ config(materialized='table', order_by=['show_id']) }}
-- One row per show (event date) of the latest version of each event. A show is active when it and its event
-- are active and neither is deleted.
with shows as (

    -- Dedup guard: a show id is unique to one event; if two event versions ever listed it, keep the newest load.
    select *
    from {{ ref('stg_qtickets__shows') }}
    order by show_id asc, _loaded_at desc, event_id desc
    limit 1 by show_id

),

events as (

    select
        event_id,
        event_name,
        city
    from {{ ref('stg_qtickets__events') }}

),

final as (

    select
        shows.show_id,
        shows.event_id,
        shows.show_name,
        coalesce(events.event_name, '') as event_name,
        toLowCardinality(coalesce(events.city, '')) as city,
        shows.start_at,
        shows.finish_at,
        shows.open_at,
        shows.sale_start_at,
        shows.sale_finish_at,
        toDate(shows.start_at, '{{ var("timezone") }}') as start_date,
        toUInt8(
            shows.is_active = 1 and shows.deleted_at is null
            and shows.event_is_active = 1 and shows.event_deleted_at is null
        ) as is_active,
        toUInt8(shows.deleted_at is not null or shows.event_deleted_at is not null) as is_deleted,
        shows.created_at,
        shows.updated_at,
        shows.deleted_at
    from shows
    left join events on shows.event_id = events.event_id

)

select * from final
