-- The baskets of paid orders, classified once for every sales mart (docs/fact_semantics.md):
--   paid order      = payed is true and the order's deleted_at is null (payed_at dates the sale);
--   sold basket     = its own deleted_at and refunded_at are null;
--   refunded basket = refunded_at is set (counted on the ORIGINAL sales date of the order).
-- A basket that is deleted but not refunded (cancelled) is neither and counts nowhere.
with baskets as (

    select * from {{ ref('stg_qtickets__baskets') }}

),

paid as (

    select
        basket_id,
        order_id,
        event_id,
        show_id,
        toDate(assumeNotNull(order_payed_at), '{{ var("timezone") }}') as sales_date,
        order_payed_at as payed_at,
        quantity,
        coalesce(price, toDecimal64(0, 2)) as price,
        coalesce(refunded_amount, toDecimal64(0, 2)) as refunded_amount,
        deleted_at is null and refunded_at is null as is_sold,
        refunded_at is not null as is_refunded,
        currency_id,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term
    from baskets
    where
        order_is_payed = 1
        and order_deleted_at is null
        -- A paid order always has payed_at in the API; one without cannot be dated (tests/assert_paid_orders_have_payed_at.sql warns).
        and order_payed_at is not null

)

select * from paid
