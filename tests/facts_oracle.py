"""The independent recomputation of the facts from the sandbox's own data (docs/fact_semantics.md), and readers
of the facts as ClickHouse holds them: shared by every test that checks the facts end to end.

Decimal money and zoneinfo dates, no SQL: an error in the dbt models cannot hide in the oracle.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

TZ_NAME = "Europe/Moscow"
TZ = ZoneInfo(TZ_NAME)


def _flag(value) -> bool:
    """The API's booleans: true/false, 0/1, "0"/"1"."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def _money(value) -> Decimal:
    # repr of a JSON number is its shortest text (1500.1 -> "1500.1"): no binary rounding enters the sum.
    return Decimal("0") if value in (None, "") else Decimal(str(value))


def expected_sales(orders: list[dict], events: list[dict]) -> dict[tuple, tuple]:
    """(sales_date, event_id, show_id) -> (event_name, city, currency, sold, revenue, orders, refunded, amount)."""
    names = {int(e["id"]): (e.get("name") or "", ((e.get("city") or {}).get("name")) or "") for e in events}
    acc: dict[tuple, dict] = defaultdict(
        lambda: {
            "sold": 0,
            "revenue": Decimal("0"),
            "orders": set(),
            "refunded": 0,
            "amount": Decimal("0"),
            "currency": set(),
        }
    )
    for order in orders:
        if not _flag(order.get("payed")) or order.get("deleted_at") or not order.get("payed_at"):
            continue
        sales_date = datetime.fromisoformat(order["payed_at"]).astimezone(TZ).date()
        for basket in order.get("baskets") or []:
            row = acc[(sales_date, int(order["event_id"]), int(basket["show_id"]))]
            # The documented rule (docs/fact_semantics.md#quantity): an absent or null quantity counts as 1 (every real basket carries
            # quantity 1); any number given, 0 included, counts as given.
            quantity = 1 if basket.get("quantity") is None else int(basket["quantity"])
            if basket.get("refunded_at"):
                row["refunded"] += 1
                row["amount"] += _money(basket.get("refunded_amount"))
                row["currency"].add(order.get("currency_id") or "")
            elif not basket.get("deleted_at"):
                row["sold"] += quantity
                row["revenue"] += _money(basket.get("price")) * quantity
                row["orders"].add(order["id"])
                row["currency"].add(order.get("currency_id") or "")
    out = {}
    for key, row in acc.items():
        if row["sold"] == 0 and row["refunded"] == 0:
            continue  # only cancelled lines: no row in the fact
        assert len(row["currency"]) == 1, f"two currencies at {key}"
        out[key] = (
            *names.get(key[1], ("", "")),
            row["currency"].pop(),
            row["sold"],
            row["revenue"],
            len(row["orders"]),
            row["refunded"],
            row["amount"],
        )
    return out


def loaded_shows(events: list[dict]) -> list[tuple[int, int]]:
    """(event_id, show_id) of the shows the loader snapshots: active, non-deleted shows of active, non-deleted events."""
    return [
        (int(e["id"]), int(s["id"]))
        for e in events
        if not e.get("deleted_at") and _flag(e.get("is_active"))
        for s in e.get("shows") or []
        if not s.get("deleted_at") and _flag(s.get("is_active"))
    ]


class InventoryOracle:
    """The documented semantics of fact_qtickets_inventory_latest: one row per show ever snapshotted, from the
    show's LATEST snapshot. A show that became inactive or was deleted keeps the seats of its last snapshot, so the
    oracle remembers, after every load, the seats of the shows that load snapshotted."""

    def __init__(self):
        self.snapshots: dict[tuple[int, int], dict] = {}

    def observe(self, sandbox) -> None:
        """Call right after a load: the seats of the shows it snapshotted, as they are now."""
        seats = sandbox.export("seats")
        for key in loaded_shows(sandbox.export("events")):
            self.snapshots[key] = seats.get(str(key[1])) or {}

    def expected(self) -> dict[tuple, tuple]:
        """(event_id, show_id) -> (tickets_total, tickets_left, tickets_sold)."""
        out = {}
        for key, seats in self.snapshots.items():
            total = sum(int(s.get("max_quantity") or 0) for s in seats.values() if not _flag(s.get("disabled")))
            left = sum(int(s.get("free_quantity") or 0) for s in seats.values() if _flag(s.get("available")))
            out[key] = (total, left, total - left)
        return out


def fact_sales(client) -> dict[tuple, tuple]:
    result = client.query(
        "select sales_date, event_id, show_id, event_name, city, currency_id, tickets_sold, "
        "revenue, orders_count, tickets_refunded, refunded_amount from fact_qtickets_sales_daily"
    )
    rows = {}
    for r in result.result_rows:
        key = (r[0], int(r[1]), int(r[2]))
        assert key not in rows, f"duplicate grain {key}"
        rows[key] = (r[3], r[4], r[5], int(r[6]), Decimal(r[7]), int(r[8]), int(r[9]), Decimal(r[10]))
    return rows


def fact_inventory(client) -> dict[tuple, tuple]:
    result = client.query(
        "select event_id, show_id, tickets_total, tickets_left, tickets_sold, snapshot_ts "
        "from fact_qtickets_inventory_latest"
    )
    assert all(r[5] is not None for r in result.result_rows)
    return {(int(r[0]), int(r[1])): (int(r[2]), int(r[3]), int(r[4])) for r in result.result_rows}


def assert_same(actual: dict, expected: dict, what: str) -> None:
    missing, extra = expected.keys() - actual.keys(), actual.keys() - expected.keys()
    wrong = {k: (actual[k], expected[k]) for k in actual.keys() & expected.keys() if actual[k] != expected[k]}
    assert not (missing or extra or wrong), (
        f"{what}: {len(missing)} missing, {len(extra)} extra, {len(wrong)} wrong; e.g. "
        f"missing={sorted(missing)[:3]} extra={sorted(extra)[:3]} wrong={list(wrong.items())[:3]}"
    )
