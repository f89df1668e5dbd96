{#
  The measures of the sales facts, in one place so that every fact applies the same rules
  (docs/fact_semantics.md; is_sold / is_refunded are decided in int_qtickets__paid_baskets).

  sales_measures():               the aggregates, for a `group by` over int_qtickets__paid_baskets rows;
  sales_measure_columns('daily'): the same measures typed for the fact table, from that aggregate's alias;
  sales_measures_present():       the `having` that drops groups with nothing sold and nothing refunded.
#}
{% macro sales_measures() -%}
        sumIf(quantity, is_sold)                 as tickets_sold,
        sumIf(price * quantity, is_sold)         as revenue,
        uniqExactIf(order_id, is_sold)           as orders_count,
        countIf(is_refunded)                     as tickets_refunded,
        sumIf(refunded_amount, is_refunded)      as refunded_amount
{%- endmacro %}

{% macro sales_measure_columns(relation) -%}
    toUInt64({{ relation }}.tickets_sold)             as tickets_sold,
        toDecimal64({{ relation }}.revenue, 2)            as revenue,
        toUInt64({{ relation }}.orders_count)             as orders_count,
        toUInt64({{ relation }}.tickets_refunded)         as tickets_refunded,
        toDecimal64({{ relation }}.refunded_amount, 2)    as refunded_amount
{%- endmacro %}

{% macro sales_measures_present() -%}
    having tickets_sold > 0 or tickets_refunded > 0
{%- endmacro %}
