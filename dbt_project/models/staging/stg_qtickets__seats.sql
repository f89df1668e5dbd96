{{ config(order_by=['show_id', 'seat_id']) }}
-- One row per seat of the LATEST seats snapshot of each show (GET /shows/{id}/seats, flat).
-- Snapshots are kept in the raw table; an older snapshot never mixes with a newer one here.
with latest_rows as (

    -- business key (show_id, seat_id, snapshot_ts), latest _version; newest snapshot of each show only
    {{ latest_snapshot_rows('stg_qtickets_api_inventory_raw', ['show_id', 'seat_id', 'snapshot_ts']) }}

),

parsed as (

    select
        *,
        {{ json_fields('payload') }} as j
    from latest_rows

),

renamed as (

    select
        d.event_id,
        d.show_id,
        d.seat_id,
        d.snapshot_ts,
        {{ json_str("d.j['root_id']") }} as root_seat_id,
        {{ json_str("d.j['zone_id']") }} as zone_id,
        {{ json_str("d.j['name']") }} as seat_name,
        {{ json_bool("d.j['admission']") }} as is_admission,
        {{ json_bool("d.j['available']") }} as is_available,
        {{ json_bool("d.j['disabled']") }} as is_disabled,
        coalesce({{ json_int("d.j['max_quantity']") }}, 0) as max_quantity,
        coalesce({{ json_int("d.j['free_quantity']") }}, 0) as free_quantity,
        coalesce({{ json_int("d.j['ordered_quantity']") }}, 0) as ordered_quantity,
        coalesce({{ json_int("d.j['payed_quantity']") }}, 0) as payed_quantity,
        {{ json_money("d.j['price']") }} as price,
        toLowCardinality({{ json_str("d.j['currency_id']") }}) as currency_id,
        {{ json_uint("d.j['color_theme_id']") }} as color_theme_id,
        d._loaded_at
    from parsed as d

)

select * from renamed
