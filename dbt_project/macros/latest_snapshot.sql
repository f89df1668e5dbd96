{#
  The rows of the NEWEST snapshot of each show from a snapshot raw table (inventory, barcodes), each business key
  deduplicated by the staging contract's rule (latest_version). Snapshots are all kept in the raw table; an older
  snapshot never mixes with a newer one downstream. Use as the body of a CTE:
      with latest_rows as ( {{ latest_snapshot_rows('stg_qtickets_api_inventory_raw', ['show_id', 'seat_id', 'snapshot_ts']) }} )
#}
{% macro latest_snapshot_rows(raw_table, key_columns) -%}
    select deduplicated.*
    from (
        select *
        from {{ source('qtickets_api', raw_table) }}
        {{ latest_version(key_columns) }}
    ) as deduplicated
    inner join (
        select show_id, max(snapshot_ts) as snapshot_ts
        from {{ source('qtickets_api', raw_table) }}
        group by show_id
    ) as latest_snapshot
        on deduplicated.show_id = latest_snapshot.show_id
       and deduplicated.snapshot_ts = latest_snapshot.snapshot_ts
{%- endmacro %}
