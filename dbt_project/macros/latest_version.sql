{#
  The staging contract's deduplication, in one place: keep one row per business key, the newest `_version`,
  ties broken by load time and then by the payload itself, so the choice never depends on background merges
  or read order. Use after `select ... from <raw source>`:  {{ latest_version(['order_id']) }}
#}
{% macro latest_version(key_columns) -%}
    order by {{ key_columns | join(', ') }}, _version desc, _loaded_at desc, cityHash64(payload) desc
    limit 1 by {{ key_columns | join(', ') }}
{%- endmacro %}
