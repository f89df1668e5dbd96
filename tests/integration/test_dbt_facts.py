"""End to end: sandbox API -> Dagster staging assets -> dbt facts, checked row by row against the sandbox's own data.

The truth is recomputed here, independently of the SQL, from `sandbox.export(...)` with Decimal money and zoneinfo
dates, following docs/fact_semantics.md. Every row of fact_qtickets_sales_daily and
fact_qtickets_inventory_latest must match, to the kopeck; after `sandbox.advance(120)` (new orders, payments,
refunds) an incremental re-run must match the new truth with nothing doubled.
"""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from dagster import materialize

from qtickets_assets.clickhouse.resource import ClickHouseResource
from qtickets_assets.local.clickhouse_server import EmbeddedClickHouse
from qtickets_assets.qtickets.client.resource import QTicketsResource
from qtickets_assets.qtickets.ingest.assets import STAGING_ASSETS
from qtickets_assets.transform.project import dbt_resource, prepare_manifest
from qtickets_sandbox.testing import SandboxServer

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

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


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    prepare_manifest()
    with (
        SandboxServer(orders=2000, seed=42) as sandbox,
        EmbeddedClickHouse(path=tmp_path_factory.mktemp("ch"), http_port=0, tcp_port=0) as ch,
    ):
        saved = dict(os.environ)
        # dbt reads its connection from the environment (profiles.yml); Dagster resources get it explicitly.
        os.environ.update({**ch.env(), "QTICKETS_TIMEZONE": TZ_NAME})
        try:
            clickhouse = ClickHouseResource(host=ch.host, port=ch.http_port, database="qtickets")
            clickhouse.bootstrap()
            resources = {
                "clickhouse": clickhouse,
                "qtickets": QTicketsResource(
                    base_url=sandbox.rest_url,
                    token=sandbox.token,
                    partners_base_url=sandbox.partners_url,
                    partners_token=sandbox.partners_token,
                ),
                "dbt": dbt_resource(),
            }
            yield sandbox, clickhouse.get_client(), resources
        finally:
            os.environ.clear()
            os.environ.update(saved)


def run_pipeline(resources) -> None:
    from qtickets_assets.transform.assets import qtickets_dbt_assets

    result = materialize([*STAGING_ASSETS, qtickets_dbt_assets], resources=resources, raise_on_error=False)
    failed_checks = [c.check_name for c in result.get_asset_check_evaluations() if not c.passed]
    assert result.success, "pipeline run failed"
    assert not failed_checks, failed_checks


def check_facts(sandbox, client, inventory: InventoryOracle | None = None) -> tuple[int, Decimal]:
    """The facts against the recomputation. `inventory` remembers earlier snapshots; without one, every show
    snapshotted is assumed to have been snapshotted by the latest load (true when no show left the loader's
    scope since the first load)."""
    orders, events = sandbox.export("orders"), sandbox.export("events")
    sales = expected_sales(orders, events)
    assert_same(fact_sales(client), sales, "fact_qtickets_sales_daily")
    if inventory is None:
        inventory = InventoryOracle()
        inventory.observe(sandbox)
    assert_same(fact_inventory(client), inventory.expected(), "fact_qtickets_inventory_latest")
    # the UTM fact carries the same totals
    utm = client.query(
        "select sum(tickets_sold), sum(revenue), sum(tickets_refunded) from fact_qtickets_sales_utm_daily"
    ).result_rows[0]
    tickets = sum(v[3] for v in sales.values())
    revenue = sum((v[4] for v in sales.values()), Decimal("0"))
    assert (int(utm[0]), Decimal(utm[1]), int(utm[2])) == (tickets, revenue, sum(v[6] for v in sales.values()))
    return tickets, revenue


def test_facts_match_the_sandbox_then_stay_right_after_new_activity(platform):
    sandbox, client, resources = platform
    inventory = InventoryOracle()
    run_pipeline(resources)
    inventory.observe(sandbox)
    tickets, revenue = check_facts(sandbox, client, inventory)
    assert tickets > 0 and revenue > 0
    print(f"first load: {len(fact_sales(client))} sales rows, {tickets} tickets, revenue {revenue}")
    assert isinstance(next(iter(fact_sales(client)))[0], date)

    # Shows leave the loader's scope the ways the real API allows: a show is deactivated, an event deleted (with
    # its shows), another event deactivated. Their last snapshots must stay in the inventory fact.
    live = loaded_shows(sandbox.export("events"))
    events_with_shows = sorted({e for e, _ in live})
    gone_show, deleted_event, inactive_event = live[0][1], events_with_shows[-1], events_with_shows[-2]
    sandbox.deactivate("shows", gone_show)
    sandbox.delete("events", deleted_event)
    sandbox.deactivate("events", inactive_event)
    after = set(loaded_shows(sandbox.export("events")))
    left = set(live) - after
    assert {s for _, s in left} >= {gone_show} and {e for e, _ in left} >= {deleted_event, inactive_event}

    sandbox.advance(120)  # two hours of new orders, payments, cancellations and refunds
    run_pipeline(resources)  # incremental: staging lookback + insert_overwrite of the touched months
    inventory.observe(sandbox)
    new_tickets, new_revenue = check_facts(sandbox, client, inventory)
    assert left <= set(fact_inventory(client)), "shows out of the loader's scope lost their last snapshot"
    print(f"after advance(120): {len(fact_sales(client))} sales rows, {new_tickets} tickets, revenue {new_revenue}")
    assert (new_tickets, new_revenue) != (tickets, revenue), "advance(120) changed nothing: the test proves little"
