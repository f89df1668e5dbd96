"""The months an orders load asks to rebuild include the payment months of the webhook rows of the orders it
touched (qtickets_assets/qtickets/ingest/catalog.py ORDER_SALES_MONTHS), on a real ClickHouse.

Why it matters: a webhook paid an order in January and the sensor put it into January's facts; the delivery that
moved the payment to February was lost, so only the hourly API poll sees February. If that poll rebuilt February
alone, January would keep the order and the facts would count it twice.
"""

from __future__ import annotations

from datetime import UTC, datetime

from qtickets_assets.qtickets.ingest.catalog import ORDER_SALES_MONTHS
from qtickets_assets.webhooks.tables import WEBHOOKS_TABLE


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_an_orders_load_rebuilds_the_months_of_webhook_rows_too(fresh_clickhouse):
    client = fresh_clickhouse.get_client()
    try:
        # The poll of run "poll-2" loaded order 7, now paid in February (Moscow time).
        client.insert(
            "stg_qtickets_api_orders_raw",
            [
                [7, utc(2026, 1, 5), utc(2026, 2, 10, 12), "{}", "poll-2", 2],
                [8, utc(2026, 1, 5), None, "{}", "poll-1", 1],
            ],
            column_names=["order_id", "created_at", "payed_at", "payload", "_run_id", "_version"],
        )
        # Earlier, a webhook had order 7 paid in January; order 9's webhook (untouched by this load) in March.
        client.insert(
            WEBHOOKS_TABLE,
            [
                [utc(2026, 1, 20), "payed", 7, utc(2026, 1, 20), utc(2026, 1, 20), "{}", 1, 1],
                [utc(2026, 3, 2), "payed", 9, utc(2026, 3, 2), utc(2026, 3, 2), "{}", 2, 2],
            ],
            column_names=[
                "received_at",
                "event_type",
                "order_id",
                "updated_at",
                "payed_at",
                "payload",
                "delivery_hash",
                "_version",
            ],
        )
        months = [
            row[0]
            for row in client.query(
                ORDER_SALES_MONTHS, parameters={"run_id": "poll-2", "tz": "Europe/Moscow"}
            ).result_rows
        ]
    finally:
        client.close()
    assert months == ["2026-01-01", "2026-02-01"]
