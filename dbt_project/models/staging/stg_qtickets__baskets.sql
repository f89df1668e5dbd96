{{ config(order_by=['order_id', 'basket_id']) }}
-- One row per basket (ticket line) of the latest version of each order, exploded from the order's `baskets`,
-- carrying the order fields the sales marts need (payment state, payment time, currency, utm).
-- The baskets are exploded from the raw payload here, not passed through stg_qtickets__orders, so that no view
-- ever exposes the raw basket objects: they carry the ticket holders' emails, phones and names.
with orders as (

    select * from {{ ref('stg_qtickets__orders') }}

),

latest_payloads as (

    -- Exactly the raw row stg_qtickets__orders kept for each order (its table, _version and payload hash): no
    -- second sort of the raw orders, one scan per raw table that reads the payloads of the chosen rows only.
    select
        order_id,
        payload
    from {{ source('qtickets_api', 'stg_qtickets_api_orders_raw') }}
    where (order_id, _version, cityHash64(payload)) in (
        select
            orders.order_id,
            orders._version,
            orders._payload_hash
        from orders
        where orders._source = 'api'
    )

    union all

    select
        order_id,
        payload
    from {{ source('qtickets_webhooks', 'stg_qtickets_webhooks_raw') }}
    where (order_id, _version, cityHash64(payload)) in (
        select
            orders.order_id,
            orders._version,
            orders._payload_hash
        from orders
        where orders._source = 'webhook'
    )

),

exploded as (

    -- Order fields are renamed here, one level before the basket fields: in ClickHouse a select-level alias
    -- shadows a column of the same name (the basket's deleted_at would hide the order's).
    select
        orders.order_id,
        orders.event_id,
        orders.is_payed as order_is_payed,
        orders.payed_at as order_payed_at,
        orders.deleted_at as order_deleted_at,
        orders.currency_id,
        orders.utm_source,
        orders.utm_medium,
        orders.utm_campaign,
        orders.utm_content,
        orders.utm_term,
        orders._loaded_at,
        orders._version,
        arrayJoin(JSONExtractArrayRaw(latest_payloads.payload, 'baskets')) as basket
    from orders
    inner join latest_payloads on orders.order_id = latest_payloads.order_id

),

parsed as (

    select
        *,
        {{ json_fields('basket') }} as b
    from exploded

),

renamed as (

    select
        {{ json_id("b['id']") }} as basket_id,
        order_id,
        event_id,
        {{ json_id("b['show_id']") }} as show_id,
        {{ json_str("b['seat_id']") }} as seat_id,
        toLowCardinality({{ json_str("b['multiprice_code']") }}) as multiprice_code,
        coalesce({{ json_int("b['quantity']") }}, 1) as quantity,
        {{ json_money("b['price']") }} as price,
        {{ json_money("b['original_price']") }} as original_price,
        {{ json_money("b['discount_value']") }} as discount_value,
        {{ json_ts("b['created_at']") }} as created_at,
        {{ json_ts("b['deleted_at']") }} as deleted_at,
        {{ json_ts("b['refunded_at']") }} as refunded_at,
        {{ json_money("b['refunded_amount']") }} as refunded_amount,
        {{ json_ts("b['checked_at']") }} as checked_at,
        {{ json_str("b['barcode']") }} != '' as has_barcode,
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
    from parsed

)

select * from renamed
