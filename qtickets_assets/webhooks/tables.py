"""The webhook receiver's two ClickHouse tables and their DDL (pure: builds text).

`stg_qtickets_webhooks_raw` holds every accepted delivery once, the body exactly as QTickets sent it;
`stg_qtickets_webhooks_quarantine` holds correctly signed bodies that could not be read (not JSON, no order id).
clickhouse/ddl.py appends these statements to the platform's, so `qtickets-platform ddl` prints them and
ClickHouseResource.bootstrap() creates them; the receiver also creates them (IF NOT EXISTS) when it first connects.
"""

from __future__ import annotations

from qtickets_assets.clickhouse.cluster import Topology
from qtickets_assets.clickhouse.ddl import table_ddl

WEBHOOKS_TABLE = "stg_qtickets_webhooks_raw"
QUARANTINE_TABLE = "stg_qtickets_webhooks_quarantine"
UTC_TIME = "DateTime64(3, 'UTC')"

WEBHOOKS_COMMENT = (
    "QTickets order webhooks (POST /webhooks/qtickets), one row per delivery, the body as sent. Written by "
    "`qtickets-platform webhooks` before it answers 200. Duplicates (a retried delivery) share delivery_hash: "
    "ReplacingMergeTree on it, and the receiver skips hashes it already stored."
)
WEBHOOKS_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("received_at", UTC_TIME, "When the receiver accepted the delivery (UTC)."),
    ("event_type", "LowCardinality(String)", "X-Event-Type: created, updated, payed, deleted, refunded, checked."),
    ("order_id", "UInt64", "The order's id (`id` of the body)."),
    (
        "updated_at",
        UTC_TIME,
        "The order's `updated_at` in UTC (1970-01-01 when unreadable): orders staging keeps the newest per order.",
    ),
    ("payed_at", f"Nullable({UTC_TIME})", "The order's `payed_at` in UTC; NULL until paid: the sales month."),
    ("payload", "String CODEC(ZSTD(3))", "The delivery's body exactly as QTickets sent it (the Order JSON)."),
    ("delivery_hash", "UInt64", "Hash of the raw body and the event type: the same delivery retried has the same."),
    ("_version", "UInt64", "Row version (receive time in ns, unique per row); larger is newer."),
)

QUARANTINE_COMMENT = (
    "Correctly signed QTickets webhook bodies the receiver could not read (not JSON, or no order id), kept raw; "
    "the receiver answered 200 so QTickets does not retry them forever."
)
QUARANTINE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("received_at", UTC_TIME, "When the receiver accepted the delivery (UTC)."),
    ("event_type", "LowCardinality(String)", "X-Event-Type as sent (may be anything)."),
    ("reason", "LowCardinality(String)", "Why it could not be read: not_json | no_order_id."),
    ("payload", "String CODEC(ZSTD(3))", "The body exactly as sent (bytes, maybe not UTF-8)."),
    ("delivery_hash", "UInt64", "Hash of the raw body and the event type."),
    ("_version", "UInt64", "Row version (receive time in ns)."),
)


def webhook_ddl_statements(topology: Topology | None = None, database: str = "") -> list[tuple[str, str]]:
    """Both tables under the configured topology (clickhouse/cluster.py), like every other platform table. Sharded
    by order_id: every delivery of one order lands on one shard, so duplicates meet and collapse there."""
    return table_ddl(
        WEBHOOKS_TABLE,
        WEBHOOKS_COLUMNS,
        "ReplacingMergeTree(_version)",
        "ORDER BY (order_id, delivery_hash)",
        WEBHOOKS_COMMENT,
        ("order_id",),
        topology,
        database,
    ) + table_ddl(
        QUARANTINE_TABLE,
        QUARANTINE_COLUMNS,
        "ReplacingMergeTree(_version)",
        "ORDER BY delivery_hash",
        QUARANTINE_COMMENT,
        ("delivery_hash",),
        topology,
        database,
    )
