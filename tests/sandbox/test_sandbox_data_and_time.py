"""Determinism (same seed -> byte-identical data), the stats oracle vs the exports, and the clock:
/__sandbox/advance creates and changes objects with newer updated_at."""

from __future__ import annotations

from datetime import datetime

import requests

from qtickets_sandbox.testing import SandboxServer

RESOURCES = [
    "orders",
    "clients",
    "events",
    "discounts",
    "promo_codes",
    "color_themes",
    "seats",
    "barcodes",
    "partner_tickets",
    "partner_events",
]


def raw_export(sb, resource):
    resp = requests.get(f"{sb.base_url}/__sandbox/export/{resource}", timeout=60)
    assert resp.status_code == 200
    return resp.content


def test_same_seed_same_bytes_other_seed_other_data(shared_sandbox):
    with SandboxServer(orders=1500, seed=42) as twin, SandboxServer(orders=1500, seed=43) as other:
        for resource in RESOURCES:
            assert raw_export(twin, resource) == raw_export(shared_sandbox, resource), resource
        assert raw_export(other, "orders") != raw_export(shared_sandbox, "orders")
        assert raw_export(other, "clients") != raw_export(shared_sandbox, "clients")


def test_stats_agree_with_exports(shared_sandbox):
    stats = shared_sandbox.stats()
    orders = shared_sandbox.export("orders")
    assert stats["orders"] == len(orders) == 1500
    assert stats["orders_paid"] == sum(1 for o in orders if o["payed"])
    assert stats["orders_deleted"] == sum(1 for o in orders if o["deleted_at"])
    baskets = [b for o in orders for b in o["baskets"]]
    assert stats["baskets"] == len(baskets)
    sold = [
        b
        for o in orders
        if o["payed"] and o["deleted_at"] is None
        for b in o["baskets"]
        if b["deleted_at"] is None and b["refunded_at"] is None
    ]
    assert stats["baskets_sold"] == len(sold) and stats["revenue_sold"] == sum(b["price"] * b["quantity"] for b in sold)
    assert stats["baskets_refunded"] == sum(1 for b in baskets if b["refunded_at"])
    for resource, key in (
        ("clients", "clients"),
        ("events", "events"),
        ("discounts", "discounts"),
        ("promo_codes", "promo_codes"),
        ("color_themes", "color_themes"),
        ("partner_tickets", "partner_tickets"),
    ):
        assert stats[key] == len(shared_sandbox.export(resource)), resource
    seats = shared_sandbox.export("seats")
    assert stats["shows"] == len(seats) and stats["seats"] == sum(len(s) for s in seats.values())
    assert stats["barcodes"] == sum(len(v) for v in shared_sandbox.export("barcodes").values())
    assert stats["seats"] > stats["tickets_sold"]


def test_realistic_spread(shared_sandbox):
    orders = shared_sandbox.export("orders")
    created = sorted(datetime.fromisoformat(o["created_at"]) for o in orders)
    assert (created[-1] - created[0]).days > 60  # months of history before the anchor
    assert created[-1] <= datetime.fromisoformat("2026-11-01T12:00:00+03:00")
    assert len({o["payment_type_id"] for o in orders}) >= 4
    assert 0.35 < sum(1 for o in orders if o["utm"] != []) / len(orders) < 0.65
    emails = {o["client"]["email"].split("@")[1] for o in orders}
    assert emails <= {"example.com", "example.org", "example.net"}
    assert all(
        o["client"]["details"]["phone"] is None or o["client"]["details"]["phone"].startswith("+79") for o in orders
    )
    events = shared_sandbox.export("events")
    starts = [datetime.fromisoformat(s["start_date"]) for e in events for s in e["shows"]]
    anchor = datetime.fromisoformat("2026-11-01T12:00:00+03:00")
    assert any(s < anchor for s in starts) and sum(s > anchor for s in starts) > len(starts) / 2


def test_advance_creates_and_changes_objects(own_sandbox):
    sb = own_sandbox
    before = sb.stats()
    orders_before = {o["id"]: o for o in sb.export("orders")}
    summary = sb.advance(240)
    assert summary["orders_created"] >= 2 and summary["from"] == before["clock"]
    after = sb.stats()
    assert after["clock"] == summary["to"] and after["orders"] == before["orders"] + summary["orders_created"]
    assert after["clients"] == before["clients"] + summary["clients_created"]
    orders_after = sb.export("orders")
    assert after["orders"] == len(orders_after)
    cutoff = datetime.fromisoformat(summary["from"])
    new = [o for o in orders_after if o["id"] not in orders_before]
    assert sorted(o["id"] for o in new) == sorted(summary["created_order_ids"])
    assert all(datetime.fromisoformat(o["created_at"]) > cutoff for o in new)
    changed = [o for o in orders_after if o["id"] in orders_before and o != orders_before[o["id"]]]
    assert changed, "pending orders should have been paid or expired"
    assert all(datetime.fromisoformat(o["updated_at"]) > cutoff for o in changed)
    assert summary["orders_paid"] + summary["orders_expired"] >= 1
    assert after["orders_paid"] > before["orders_paid"]


def test_advance_is_deterministic():
    with SandboxServer(orders=300, seed=5) as a, SandboxServer(orders=300, seed=5) as b:
        for sb in (a, b):
            sb.advance(90)
            sb.advance(30)
        assert raw_export(a, "orders") == raw_export(b, "orders")
