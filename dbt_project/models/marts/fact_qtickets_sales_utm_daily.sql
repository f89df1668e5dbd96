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

    select
        event_id,
        event_name,
        city
    from {{ ref('stg_qtickets__events') }}

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
        {{ sales_measures() }}
    from baskets
    group by sales_date, event_id, utm_source, utm_medium, utm_campaign, utm_content, utm_term, currency_id
    {{ sales_measures_present() }}

),

final as (

    select
        daily.sales_date,
        daily.event_id,
        daily.utm_source,
        daily.utm_medium,
        daily.utm_campaign,
        daily.utm_content,
        daily.utm_term,
        coalesce(events.event_name, '') as event_name,
        toLowCardinality(coalesce(events.city, '')) as city,
        toLowCardinality(toString(daily.currency_id)) as currency_id,
        {{ sales_measure_columns('daily') }},
        {{ sales_watermark() }}
    from daily
    left join events on daily.event_id = events.event_id

)

select * from final
