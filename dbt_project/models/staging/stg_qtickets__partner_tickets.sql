{{ config(order_by=['ticket_id']) }}
-- One row per Partners API ticket (tickets/find): the latest `_version` of each ticket_id.
-- The holder's client_* fields and fanid are personal data and are not exposed.
with source as (

    select * from {{ source('qtickets_api', 'stg_qtickets_api_partner_tickets_raw') }}

),

latest as (

    select *
    from source
    {{ latest_version(['ticket_id']) }}

),

renamed as (

    select
        ticket_id,
        event_id,
        show_id,
        {{ json_bool('payload', "'paid'") }} as is_paid,
        {{ json_bool('payload', "'deleted'") }} as is_deleted,
        {{ json_ts('payload', "'paid_at'") }} as paid_at,
        {{ json_ts('payload', "'reserved_to'") }} as reserved_to,
        {{ json_str('payload', "'seat_id'") }} as seat_id,
        {{ json_str('payload', "'offer_id'") }} as offer_id,
        {{ json_bool('payload', "'admission'") }} as is_admission,
        {{ json_money('payload', "'price'") }} as price,
        toLowCardinality({{ json_str('payload', "'payment_type_id'") }}) as payment_type_id,
        {{ json_str('payload', "'external_id'") }} as external_id,
        {{ json_str('payload', "'external_order_id'") }} as external_order_id,
        {{ json_str('payload', "'barcode'") }} != '' as has_barcode,
        _loaded_at,
        _version
    from latest

)

select * from renamed
