{#
  Typed readers for the raw API payload (a JSON string). The API is a PHP application, so types drift:
  flags come as true/false, 0/1 or "1"; money as numbers or numeric strings; empty objects as [];
  ISO dates carry an offset (+03:00). These macros normalise that once, in staging.
  `path` is one or more quoted JSON keys, e.g. json_str('payload', "'city'", "'name'").
#}

{#
  The object's top-level fields as a Map of their raw JSON texts, parsed ONCE: every json_* reader below then reads
  a small raw value (json_money("j['price']")) instead of re-parsing the whole payload for each column (at 200,000
  orders that was most of a build). A payload ClickHouse cannot parse gives an empty map, as the readers gave
  defaults before.
#}
{% macro json_fields(json) -%}
    CAST(JSONExtractKeysAndValuesRaw({{ json }}), 'Map(String, String)')
{%- endmacro %}

{% macro _json_path(json, path) -%}
    {{ json }}{% for key in path %}, {{ key }}{% endfor %}
{%- endmacro %}

{# String; '' when absent, null or not a string. #}
{% macro json_str(json) -%}
    JSONExtractString({{ _json_path(json, varargs) }})
{%- endmacro %}

{# Text of a scalar that may be a string or a number (seat rows/places): '' when absent, null when JSON null. #}
{% macro json_text(json) -%}
    if(JSONType({{ _json_path(json, varargs) }}) = 'String',
       JSONExtractString({{ _json_path(json, varargs) }}),
       nullIf(JSONExtractRaw({{ _json_path(json, varargs) }}), 'null'))
{%- endmacro %}

{# UInt64 id; numbers and numeric strings ("27061") both accepted; null when absent. #}
{% macro json_uint(json) -%}
    toUInt64OrNull(trim(BOTH '"' FROM JSONExtractRaw({{ _json_path(json, varargs) }})))
{%- endmacro %}

{# Int64 counts (quantities); numbers and numeric strings. #}
{% macro json_int(json) -%}
    toInt64OrNull(trim(BOTH '"' FROM JSONExtractRaw({{ _json_path(json, varargs) }})))
{%- endmacro %}

{# Money as Decimal(18,2) parsed from the JSON text itself, never through a float (no binary rounding). #}
{% macro json_money(json) -%}
    toDecimal64OrNull(trim(BOTH '"' FROM JSONExtractRaw({{ _json_path(json, varargs) }})), 2)
{%- endmacro %}

{# Flag as UInt8 0/1: true/false, 0/1, "0"/"1", "true"/"false"; null/absent/"" -> 0. #}
{% macro json_bool(json) -%}
    toUInt8(lower(trim(BOTH '"' FROM JSONExtractRaw({{ _json_path(json, varargs) }}))) IN ('true', '1', 'yes'))
{%- endmacro %}

{# ISO-8601 timestamp with offset -> DateTime64(3, 'UTC'); null when absent, null or unparsable. #}
{% macro json_ts(json) -%}
    parseDateTime64BestEffortOrNull(nullIf(JSONExtractString({{ _json_path(json, varargs) }}), ''), 3, 'UTC')
{%- endmacro %}

{# Non-null UInt64 key id (0 when absent): keys feed MergeTree sorting/partition keys, which refuse Nullable. #}
{% macro json_id(json) -%}
    toUInt64OrZero(trim(BOTH '"' FROM JSONExtractRaw({{ _json_path(json, varargs) }})))
{%- endmacro %}
