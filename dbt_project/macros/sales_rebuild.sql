{#
  Which months an incremental run of a sales fact rebuilds (insert_overwrite replaces whole
  toYYYYMM(sales_date) partitions, so every rebuilt month is computed from the FULL deduplicated staging):

  * full build / --full-refresh: everything (no filter);
  * vars sales_date_from / sales_date_to: every month overlapping that inclusive range (backfill);
  * otherwise the months touched since the last build:
    - the payment months of ALL versions of every order with a raw row loaded at or after the fact's
      `_orders_loaded_until` watermark, API rows and webhook deliveries alike (an order whose payment date moved
      re-dates both months);
    - the months whose rows show an event name or city that differs from the event's latest version
      (compared, not tracked: the events list is reloaded whole every run, so "loaded since" would be everything).
    `>=` rather than `>`: the ingestion stamps every row of one load with the load's START time and inserts in
    batches, so a build running during a load may see only part of it; re-examining the newest load each run
    costs little and never misses its later batches.
#}
{% macro sales_months_filter(sales_date_column) -%}
    {%- set date_from = var('sales_date_from', '') -%}
    {%- set date_to = var('sales_date_to', '') -%}
    {%- if not is_incremental() -%}
        1 = 1
    {%- elif date_from or date_to -%}
        toYYYYMM({{ sales_date_column }})
            between toYYYYMM(toDate('{{ date_from or "1970-01-01" }}'))
                and toYYYYMM(toDate('{{ date_to or "2149-06-06" }}'))
    {%- else -%}
        toYYYYMM({{ sales_date_column }}) in (
            select toYYYYMM(toDate({{ json_ts('payload', "'payed_at'") }}, '{{ var("timezone") }}'))
            from {{ source('qtickets_api', 'stg_qtickets_api_orders_raw') }}
            where order_id in (
                select order_id
                from {{ source('qtickets_api', 'stg_qtickets_api_orders_raw') }}
                where _loaded_at >= (select max(_orders_loaded_until) from {{ this }})
            )
              and {{ json_ts('payload', "'payed_at'") }} is not null
            union distinct
            -- a webhook delivery's month too: stg_qtickets__orders may have chosen that row before this load
            select toYYYYMM(toDate(payed_at, '{{ var("timezone") }}'))
            from {{ source('qtickets_webhooks', 'stg_qtickets_webhooks_raw') }}
            where order_id in (
                select order_id
                from {{ source('qtickets_api', 'stg_qtickets_api_orders_raw') }}
                where _loaded_at >= (select max(_orders_loaded_until) from {{ this }})
            )
              and payed_at is not null
            union distinct
            select toYYYYMM(fact.sales_date)
            from {{ this }} as fact
            left join {{ ref('stg_qtickets__events') }} as events on fact.event_id = events.event_id
            where fact.event_name != events.event_name or fact.city != events.city
        )
    {%- endif -%}
{%- endmacro %}

{# Watermark stored on every rebuilt row: the newest orders load the build had seen. #}
{% macro sales_watermark() -%}
    ifNull((select max(_loaded_at) from {{ source('qtickets_api', 'stg_qtickets_api_orders_raw') }}),
           toDateTime64(0, 3, 'UTC')) as _orders_loaded_until
{%- endmacro %}

{#
  Post-hook: insert_overwrite only replaces the partitions present in the new data, so a month whose last sale
  disappeared (its only paid order was cancelled) would keep its stale rows. Drop every month of the fact that
  has no sold or refunded basket left in staging. A no-op on a consistent table. With vars sales_date_from /
  sales_date_to (a Dagster partition run, or a backfill by hand) only months inside that range are considered:
  a partition run never touches another month.
#}
{% macro drop_vanished_sales_months(paid_baskets) -%}
    {%- set date_from = var('sales_date_from', '') -%}
    {%- set date_to = var('sales_date_to', '') -%}
    {%- set month_from = "toYYYYMM(toDate('" ~ (date_from or '1970-01-01') ~ "'))" -%}
    {%- set month_to = "toYYYYMM(toDate('" ~ (date_to or '2149-06-06') ~ "'))" -%}
    {%- set range_filter = '' -%}
    {%- if date_from or date_to -%}
        {%- set range_filter = 'and toYYYYMM(sales_date) between ' ~ month_from ~ ' and ' ~ month_to -%}
    {%- endif -%}
    {%- if execute -%}
        {%- set vanished_sql -%}
            select distinct toString(toYYYYMM(sales_date)) as month
            from {{ this }}
            where toYYYYMM(sales_date) not in (
                select distinct toYYYYMM(sales_date) from {{ paid_baskets }} where is_sold or is_refunded
            )
            {{ range_filter }}
            order by month
        {%- endset -%}
        {%- set months = [] -%}
        {%- for row in run_query(vanished_sql).rows -%}{%- do months.append(row[0]) -%}{%- endfor -%}
        {%- if months | length > 0 -%}
            {%- do log("dropping vanished sales months of " ~ this ~ ": " ~ (months | join(', ')), info=true) -%}
            alter table {{ this }}
            {%- for month in months %} drop partition id '{{ month }}'{{ ',' if not loop.last }}{% endfor %}
        {%- else -%}
            select 1
        {%- endif -%}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#
  The months a run covers, as a predicate on a date expression: with vars sales_date_from / sales_date_to (a
  Dagster partition run, or a backfill by hand) the months overlapping that range, otherwise every month. Tests
  that compare the fact with staging use it: qtickets_sales_months_sensor requests one run per range of
  consecutive months, so while one range is rebuilt another may still wait for its own run.
#}
{% macro sales_run_months(date_expression) -%}
    {%- set date_from = var('sales_date_from', '') -%}
    {%- set date_to = var('sales_date_to', '') -%}
    {%- if date_from or date_to -%}
        toYYYYMM({{ date_expression }})
            between toYYYYMM(toDate('{{ date_from or "1970-01-01" }}'))
                and toYYYYMM(toDate('{{ date_to or "2149-06-06" }}'))
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}
