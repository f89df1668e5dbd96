{{ config(materialized='table', order_by=['event_id', 'show_id']) }}
-- Capacity and availability per show from its LATEST seats snapshot (stg_qtickets__seats keeps only that one):
--   tickets_total = Σ max_quantity of seats that are not disabled
--   tickets_left  = Σ free_quantity of seats that are available
--   tickets_sold  = tickets_total − tickets_left
-- A `table` (rebuilt whole, swapped in atomically with EXCHANGE TABLES): it is small and has no history.
with seats as (

    select * from {{ ref('stg_qtickets__seats') }}

),

events as (

    select
        event_id,
        event_name,
        city
    from {{ ref('stg_qtickets__events') }}

),

per_show as (

    select
        event_id,
        show_id,
        max(snapshot_ts) as snapshot_ts,
        sumIf(max_quantity, is_disabled = 0) as tickets_total,
        sumIf(free_quantity, is_available = 1) as tickets_left,
        count() as seats_count
    from seats
    group by event_id, show_id

),

final as (

    select
        per_show.event_id,
        per_show.show_id,
        per_show.snapshot_ts,
        coalesce(events.event_name, '') as event_name,
        toLowCardinality(coalesce(events.city, '')) as city,
        toInt64(per_show.tickets_total) as tickets_total,
        toInt64(per_show.tickets_left) as tickets_left,
        toInt64(per_show.tickets_total) - toInt64(per_show.tickets_left) as tickets_sold,
        toUInt64(per_show.seats_count) as seats_count
    from per_show
    left join events on per_show.event_id = events.event_id

)

select * from final
