-- One row per seat of the LATEST seats snapshot of each show (GET /shows/{id}/seats, flat).
-- Snapshots are kept in the raw table; an older snapshot never mixes with a newer one here.
with latest_rows as (

    -- business key (show_id, seat_id, snapshot_ts), latest _version; newest snapshot of each show only
    {{ latest_snapshot_rows('stg_qtickets_api_inventory_raw', ['show_id', 'seat_id', 'snapshot_ts']) }}

),

renamed as (

    select
        d.event_id                                                     as event_id,
        d.show_id                                                      as show_id,
        d.seat_id                                                      as seat_id,
        d.snapshot_ts                                                  as snapshot_ts,
        {{ json_str('d.payload', "'root_id'") }}                       as root_seat_id,
        {{ json_str('d.payload', "'zone_id'") }}                       as zone_id,
        {{ json_str('d.payload', "'name'") }}                          as seat_name,
        {{ json_bool('d.payload', "'admission'") }}                    as is_admission,
        {{ json_bool('d.payload', "'available'") }}                    as is_available,
        {{ json_bool('d.payload', "'disabled'") }}                     as is_disabled,
        coalesce({{ json_int('d.payload', "'max_quantity'") }}, 0)     as max_quantity,
        coalesce({{ json_int('d.payload', "'free_quantity'") }}, 0)    as free_quantity,
        coalesce({{ json_int('d.payload', "'ordered_quantity'") }}, 0) as ordered_quantity,
        coalesce({{ json_int('d.payload', "'payed_quantity'") }}, 0)   as payed_quantity,
        {{ json_money('d.payload', "'price'") }}                       as price,
        toLowCardinality({{ json_str('d.payload', "'currency_id'") }}) as currency_id,
        {{ json_uint('d.payload', "'color_theme_id'") }}               as color_theme_id,
        d._loaded_at                                                   as _loaded_at
    from latest_rows as d

)

select * from renamed
