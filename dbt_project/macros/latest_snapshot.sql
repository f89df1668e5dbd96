{#
  The rows of the NEWEST snapshot of each show from a snapshot raw table (inventory, barcodes), each business key
  deduplicated by the staging contract's rule (latest_version). Snapshots are all kept in the raw table; an older
  snapshot never mixes with a newer one downstream. The newest snapshot of each show is chosen first (a scan of two
  key columns), so the sort of the deduplication sees one snapshot per show, however long the history grows.
  Use as the body of a CTE:
      with latest_rows as ( {{ latest_snapshot_rows('stg_qtickets_api_inventory_raw', ['show_id', 'seat_id', 'snapshot_ts']) }} )
#}
{% macro latest_snapshot_rows(raw_table, key_columns) -%}
    select *
    from {{ source('qtickets_api', raw_table) }}
    where (show_id, snapshot_ts) in (
        select show_id, max(snapshot_ts)
        from {{ source('qtickets_api', raw_table) }}
        group by show_id
    )
    {{ latest_version(key_columns) }}
{%- endmacro %}
