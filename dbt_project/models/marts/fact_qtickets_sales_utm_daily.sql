{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by='toYYYYMM(sales_date)',
        order_by=['sales_date', 'event_id', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'],
        on_schema_change='fail',
        post_hook="{{ drop_vanished_sales_months(ref('int_qtickets__paid_baskets')) }}",
    )
}}
-- Daily sales per event and UTM tag set (the order's utm; '' when absent or when the API sent utm: []).
-- Same measures and rules as fact_qtickets_sales_daily.
with baskets as (

    select * from {{ ref('int_qtickets__paid_baskets') }}
    where {{ sales_months_filter('sales_date') }}

),

events as (

    select event_id, event_name, city from {{ ref('stg_qtickets__events') }}

),

daily as (

    select
        sales_date,
        event_id,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        currency_id,
        sumIf(quantity, is_sold)                 as tickets_sold,
        sumIf(price * quantity, is_sold)         as revenue,
        uniqExactIf(order_id, is_sold)           as orders_count,
        countIf(is_refunded)                     as tickets_refunded,
        sumIf(refunded_amount, is_refunded)      as refunded_amount
    from baskets
    group by sales_date, event_id, utm_source, utm_medium, utm_campaign, utm_content, utm_term, currency_id
    having tickets_sold > 0 or tickets_refunded > 0

),

final as (

    select
        daily.sales_date                                  as sales_date,
        daily.event_id                                    as event_id,
        daily.utm_source                                  as utm_source,
        daily.utm_medium                                  as utm_medium,
        daily.utm_campaign                                as utm_campaign,
        daily.utm_content                                 as utm_content,
        daily.utm_term                                    as utm_term,
        coalesce(events.event_name, '')                   as event_name,
        toLowCardinality(coalesce(events.city, ''))       as city,
        toLowCardinality(toString(daily.currency_id))     as currency_id,
        toUInt64(daily.tickets_sold)                      as tickets_sold,
        toDecimal64(daily.revenue, 2)                     as revenue,
        toUInt64(daily.orders_count)                      as orders_count,
        toUInt64(daily.tickets_refunded)                  as tickets_refunded,
        toDecimal64(daily.refunded_amount, 2)             as refunded_amount,
        {{ sales_watermark() }}
    from daily
    left join events on daily.event_id = events.event_id

)

select * from final
