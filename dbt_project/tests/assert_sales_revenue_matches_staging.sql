{{ config(meta={"dagster": {"ref": {"name": "fact_qtickets_sales_daily"}}}) }}
-- Revenue and tickets in fact_qtickets_sales_daily equal the same figures recomputed straight from the staging
-- baskets (paid, not deleted orders; baskets neither deleted nor refunded), per event. Returns the mismatches.
-- A partition run (vars sales_date_from / sales_date_to) compares only its own months: the other months may
-- wait for their own run (qtickets_sales_months_sensor requests one run per range of consecutive months).
with from_staging as (

    select
        event_id,
        sum(quantity) as tickets_sold,
        sum(price * quantity) as revenue
    from {{ ref('stg_qtickets__baskets') }}
    where
        order_is_payed = 1
        and order_deleted_at is null
        and order_payed_at is not null
        and deleted_at is null
        and refunded_at is null
        and {{ sales_run_months("toDate(order_payed_at, '" ~ var('timezone') ~ "')") }}
    group by event_id

),

from_fact as (

    select
        event_id,
        sum(tickets_sold) as tickets_sold,
        sum(revenue) as revenue
    from {{ ref('fact_qtickets_sales_daily') }}
    where {{ sales_run_months('sales_date') }}
    group by event_id

)

select
    s.tickets_sold as staging_tickets,
    f.tickets_sold as fact_tickets,
    s.revenue as staging_revenue,
    f.revenue as fact_revenue,
    greatest(s.event_id, f.event_id) as event_id
from from_staging as s
full outer join from_fact as f on s.event_id = f.event_id
where
    toInt64(ifNull(s.tickets_sold, 0)) != toInt64(ifNull(f.tickets_sold, 0))
    or toDecimal128(ifNull(s.revenue, 0), 2) != toDecimal128(ifNull(f.revenue, 0), 2)
