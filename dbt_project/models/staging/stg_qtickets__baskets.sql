-- One row per basket (ticket line) of the latest version of each order, exploded from the order's `baskets`,
-- carrying the order fields the sales marts need (payment state, payment time, currency, utm).
with orders as (

    select * from {{ ref('stg_qtickets__orders') }}

),

exploded as (

    -- Order fields are renamed here, one level before the basket fields: in ClickHouse a select-level alias
    -- shadows a column of the same name (the basket's deleted_at would hide the order's).
    select
        order_id,
        event_id,
        is_payed    as order_is_payed,
        payed_at    as order_payed_at,
        deleted_at  as order_deleted_at,
        currency_id,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        _loaded_at,
        _version,
        arrayJoin(baskets_json) as basket
    from orders

),

renamed as (

    select
        {{ json_id('basket', "'id'") }}                       as basket_id,
        order_id,
        event_id,
        {{ json_id('basket', "'show_id'") }}                as show_id,
        {{ json_str('basket', "'seat_id'") }}                 as seat_id,
        toLowCardinality({{ json_str('basket', "'multiprice_code'") }}) as multiprice_code,
        coalesce({{ json_int('basket', "'quantity'") }}, 1)   as quantity,
        {{ json_money('basket', "'price'") }}                 as price,
        {{ json_money('basket', "'original_price'") }}        as original_price,
        {{ json_money('basket', "'discount_value'") }}        as discount_value,
        {{ json_ts('basket', "'created_at'") }}               as created_at,
        {{ json_ts('basket', "'deleted_at'") }}               as deleted_at,
        {{ json_ts('basket', "'refunded_at'") }}              as refunded_at,
        {{ json_money('basket', "'refunded_amount'") }}       as refunded_amount,
        {{ json_ts('basket', "'checked_at'") }}               as checked_at,
        {{ json_str('basket', "'barcode'") }} != ''           as has_barcode,
        -- order fields
        order_is_payed,
        order_payed_at,
        order_deleted_at,
        currency_id,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        _loaded_at,
        _version
    from exploded

)

select * from renamed
