-- One row per currently valid barcode of the LATEST barcodes snapshot of each show (GET /shows/{id}/barcodes).
-- Holder names (client_name, client_surname, client_middlename) are personal data and are not exposed.
with source as (

    select * from {{ source('qtickets_api', 'stg_qtickets_api_barcodes_raw') }}

),

deduplicated as (

    select *
    from source
    {{ latest_version(['show_id', 'barcode', 'snapshot_ts']) }}

),

latest_snapshot as (

    select show_id, max(snapshot_ts) as snapshot_ts
    from deduplicated
    group by show_id

),

renamed as (

    select
        d.event_id                                                    as event_id,
        d.show_id                                                     as show_id,
        d.barcode                                                     as barcode,
        d.snapshot_ts                                                 as snapshot_ts,
        d.checked_at                                                  as checked_at,
        d.checked_at is not null                                      as is_checked,
        {{ json_bool('d.payload', "'admission'") }}                   as is_admission,
        {{ json_money('d.payload', "'price'") }}                      as price,
        {{ json_str('d.payload', "'seat_name'") }}                    as seat_name,
        {{ json_str('d.payload', "'zone_name'") }}                    as zone_name,
        coalesce({{ json_text('d.payload', "'row'") }}, '')          as row,
        coalesce({{ json_text('d.payload', "'place'") }}, '')          as place,
        d._loaded_at                                                  as _loaded_at
    from deduplicated as d
    inner join latest_snapshot as l
        on d.show_id = l.show_id and d.snapshot_ts = l.snapshot_ts

)

select * from renamed
