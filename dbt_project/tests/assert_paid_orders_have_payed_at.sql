{{ config(severity='warn', meta={"dagster": {"ref": {"name": "stg_qtickets__orders"}}}) }}
-- A paid, live order without payed_at cannot be dated, so the sales facts leave it out: warn when one appears.
select order_id
from {{ ref('stg_qtickets__orders') }}
where
    is_payed = 1
    and deleted_at is null
    and payed_at is null
