{{ config(order_by=['show_id', 'barcode']) }}
-- One row per currently valid barcode of the LATEST barcodes snapshot of each show (GET /shows/{id}/barcodes).
-- Holder names (client_name, client_surname, client_middlename) are personal data and are not exposed.
with latest_rows as (

    -- business key (show_id, barcode, snapshot_ts), latest _version; newest snapshot of each show only
    {{ latest_snapshot_rows('stg_qtickets_api_barcodes_raw', ['show_id', 'barcode', 'snapshot_ts']) }}

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
        d.barcode,
        d.snapshot_ts,
        d.checked_at,
        d.checked_at is not null as is_checked,
        {{ json_bool("d.j['admission']") }} as is_admission,
        {{ json_money("d.j['price']") }} as price,
        {{ json_str("d.j['seat_name']") }} as seat_name,
        {{ json_str("d.j['zone_name']") }} as zone_name,
        coalesce({{ json_text("d.j['row']") }}, '') as row,  -- noqa: RF04
        coalesce({{ json_text("d.j['place']") }}, '') as place,
        d._loaded_at
    from parsed as d

)

select * from renamed
