{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by='toYYYYMM(sales_date)',
        order_by=['sales_date', 'event_id', 'show_id'],
        on_schema_change='fail',
        post_hook="{{ drop_vanished_sales_months(ref('int_qtickets__paid_baskets')) }}",
    )
}}
-- Daily sales per show. Semantics: docs/fact_semantics.md; rules applied in int_qtickets__paid_baskets.
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

    -- currency_id is part of the grouping so amounts of different currencies are never summed together;
    -- the unique test on (sales_date, event_id, show_id) fails loudly if a show ever sells in two currencies.
    select
        sales_date,
        event_id,
        show_id,
        currency_id,
        {{ sales_measures() }}
    from baskets
    group by sales_date, event_id, show_id, currency_id
    {{ sales_measures_present() }}

),

final as (

    select
        daily.sales_date,
        daily.event_id,
        daily.show_id,
        coalesce(events.event_name, '') as event_name,
        toLowCardinality(coalesce(events.city, '')) as city,
        toLowCardinality(toString(daily.currency_id)) as currency_id,
        {{ sales_measure_columns('daily') }},
        {{ sales_watermark() }}
    from daily
    left join events on daily.event_id = events.event_id

)

select * from final
