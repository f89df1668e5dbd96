"""REST v1 read operations against a shared sandbox: envelopes, defaults, paging, single objects, seats,
barcodes, scan info, colour themes, undocumented routes and the PHP serialisation quirks."""

from __future__ import annotations

import math

import pytest

DEFAULTS = {"/orders": 50, "/events": 10, "/clients": 100, "/discounts": 100, "/promo-codes": 500}


@pytest.mark.parametrize("path,per_page", sorted(DEFAULTS.items()))
def test_list_default_page_size_and_envelope(api, path, per_page):
    body = api.ok(api.get(path))
    assert set(body) == {"data", "paging"}
    assert set(body["paging"]) == {"perPage", "currentPage", "total"}
    assert body["paging"]["perPage"] == per_page and body["paging"]["currentPage"] == 1
    assert len(body["data"]) == min(per_page, body["paging"]["total"])


def test_list_totals_match_the_oracle(api, shared_sandbox):
    stats = shared_sandbox.stats()
    for path, key in (
        ("/orders", "orders"),
        ("/events", "events"),
        ("/clients", "clients"),
        ("/discounts", "discounts"),
        ("/promo-codes", "promo_codes"),
        ("/baskets", "baskets"),
    ):
        assert api.ok(api.get(path))["paging"]["total"] == stats[key], path


def test_default_order_is_id_ascending_and_paging_arithmetic(api):
    total = api.ok(api.get("/orders"))["paging"]["total"]
    per_page = 170
    pages = math.ceil(total / per_page)
    seen = []
    for page in range(1, pages + 1):
        body = api.ok(api.get("/orders", {"page": page, "perPage": per_page}))
        assert body["paging"] == {"perPage": per_page, "currentPage": page, "total": total}
        expected = per_page if page < pages else total - per_page * (pages - 1)
        assert len(body["data"]) == expected
        seen.extend(o["id"] for o in body["data"])
    assert seen == sorted(seen) and len(set(seen)) == total
    beyond = api.ok(api.get("/orders", {"page": pages + 1, "perPage": per_page}))
    assert beyond["data"] == [] and beyond["paging"]["currentPage"] == pages + 1


def test_per_page_is_clamped_to_1000(api):
    body = api.ok(api.get("/orders", {"perPage": 5000}))
    assert body["paging"]["perPage"] == 1000 and len(body["data"]) == 1000


def test_flat_query_parameters_are_ignored_but_page_is_honoured(api):
    """Changed on purpose: `page` from the query string is honoured when the body has none [INF];
    `per_page` and flat filters stay ignored [OBS]."""
    body = api.ok(api.get("/orders?per_page=200&page=3&payed=1"))
    assert body["paging"]["perPage"] == 50 and body["paging"]["currentPage"] == 3
    assert body == api.ok(api.get("/orders", {"page": 3}))


def test_order_shape_and_php_quirks(api):
    orders = api.all_pages("/orders")
    o = orders[0]
    for key in (
        "id",
        "uniqid",
        "payed",
        "payed_at",
        "created_at",
        "updated_at",
        "deleted_at",
        "client_id",
        "client",
        "site",
        "payment_type_id",
        "reserved",
        "reserved_to",
        "reserve_extended",
        "event_id",
        "price",
        "original_price",
        "currency_id",
        "utm",
        "custom",
        "fields",
        "baskets",
        "refunds",
        "integrations",
    ):
        assert key in o
    assert all(isinstance(x["payed"], bool) and isinstance(x["reserved"], bool) for x in orders)
    assert all(x["custom"] == "" for x in orders)
    assert any(x["utm"] == [] for x in orders) and any(isinstance(x["utm"], dict) for x in orders)
    assert any(x["fields"] == [] for x in orders) and any(x["integrations"] == [] for x in orders)
    assert o["created_at"].endswith("+03:00") and len(o["uniqid"]) == 10


def test_order_price_is_sum_over_live_baskets_and_lifecycles(api):
    orders = api.all_pages("/orders")
    for o in orders:
        live = [b for b in o["baskets"] if b["deleted_at"] is None and b["refunded_at"] is None] or o["baskets"]
        assert o["price"] == sum(b["price"] * b["quantity"] for b in live)
        for b in o["baskets"]:
            assert b["price"] == b["original_price"] - b["discount_value"]
    expired = [o for o in orders if not o["payed"] and o["deleted_at"]]
    assert expired and all(
        o["payed_at"] is None and all(b["deleted_at"] and b["barcode"] is None for b in o["baskets"]) for o in expired
    )
    paid = [o for o in orders if o["payed"]]
    assert all(len(b["barcode"]) == 12 and b["barcode"].isdigit() for o in paid for b in o["baskets"])
    assert any(b["refunded_at"] for o in paid for b in o["baskets"])
    assert any(o["refunds"] for o in paid)
    assert any(b["discount_value"] > 0 for o in orders for b in o["baskets"])
    assert all(b["quantity"] == 1 for o in orders for b in o["baskets"])  # as in all real data [OBS]
    assert any(not o["payed"] and o["deleted_at"] is None for o in orders)  # pending
    assert 0.6 < len(paid) / len(orders) < 0.9 and 0.12 < len(expired) / len(orders) < 0.3


def test_single_objects(api):
    order = api.ok(api.get("/orders", {"perPage": 1}))["data"][0]
    assert api.ok(api.get(f"/orders/{order['id']}"))["data"] == order
    event = api.ok(api.get("/events", {"perPage": 1}))["data"][0]
    assert api.ok(api.get(f"/events/{event['id']}"))["data"] == event
    client = api.ok(api.get("/clients", {"perPage": 1}))["data"][0]
    assert api.ok(api.get(f"/clients/{client['id']}"))["data"] == client
    assert set(client["details"]) >= {"id", "name", "surname", "middlename", "phone"}
    discount = api.ok(api.get("/discounts", {"perPage": 1}))["data"][0]
    assert api.ok(api.get(f"/discounts/{discount['id']}"))["data"] == discount


def test_event_and_show_shape(api):
    events = api.all_pages("/events")
    assert {e["city"]["name"] for e in events} >= {"Москва", "Санкт-Петербург", "Казань"}
    shows = [s for e in events for s in e["shows"]]
    assert all(e["is_active"] in (0, 1) for e in events)
    assert all(e["deleted_at"] is None or e["deleted_at"].endswith("+03:00") for e in events)
    assert all(isinstance(p["color_theme"], str) for s in shows for p in s["prices"])
    assert all(s["start_date"] and s["sale_start_date"] for s in shows)
    assert 1 <= min(len(e["shows"]) for e in events) and max(len(e["shows"]) for e in events) <= 4


def test_promo_codes_grouped_by_discount(api):
    promos = api.ok(api.get("/promo-codes"))["data"]
    ids = [p["discount_id"] for p in promos]
    assert ids == sorted(ids)
    assert all(p["is_active"] in (0, 1) and "max_uses_count" in p for p in promos)


def test_color_themes(api):
    body = api.ok(api.get("/color-themes"))
    assert [c["id"] for c in body["data"]] == [1, 2, 3, 4, 5, 6, 7, 8, 15, 9, 10, 11, 12, 13, 14]
    assert body["data"][0] == {"id": 1, "color": "#d80000"} and "paging" not in body


def _busy_show(api):
    orders = api.all_pages(
        "/orders", {"where": [{"column": "payed", "value": 1}, {"column": "deleted_at", "operator": "null"}]}
    )
    counts = {}
    for o in orders:
        for b in o["baskets"]:
            counts[b["show_id"]] = counts.get(b["show_id"], 0) + 1
    return max(counts, key=counts.get), orders


def test_seats_flat_select_where_and_zones(api):
    show_id, _ = _busy_show(api)
    flat = api.ok(api.get(f"/shows/{show_id}/seats", {"flat": True}))["data"]
    seat = next(iter(flat.values()))
    assert seat["id"] in flat and seat["root_id"] in seat["id"] and seat["currency_id"] == "RUB"
    for s in flat.values():
        assert s["free_quantity"] == max(0, s["max_quantity"] - s["ordered_quantity"])
        assert s["available"] == (s["free_quantity"] > 0 and not s["disabled"])
        assert s["payed_quantity"] <= s["ordered_quantity"]
    sel = api.ok(api.get(f"/shows/{show_id}/seats", {"flat": True, "select": ["max_quantity", "free_quantity"]}))
    assert all(set(v) == {"max_quantity", "free_quantity"} for v in sel["data"].values())
    avail = api.ok(
        api.get(
            f"/shows/{show_id}/seats",
            {
                "flat": True,
                "where": [{"column": "available", "value": True}, {"column": "price", "operator": ">=", "value": 0}],
            },
        )
    )["data"]
    assert set(avail) == {k for k, v in flat.items() if v["available"]}
    zone = seat["zone_root_id"]
    by_zone = api.ok(
        api.get(
            f"/shows/{show_id}/seats",
            {"flat": True, "where": [{"column": "root_zone_id", "operator": "in", "value": [zone]}]},
        )
    )["data"]
    assert by_zone and all(v["zone_root_id"] == zone for v in by_zone.values())
    nested = api.ok(api.get(f"/shows/{show_id}/seats"))["data"]
    assert sum(len(z["seats"]) for z in nested.values()) == len(flat)


def test_seats_consistent_with_orders_and_partner_tickets(api, shared_sandbox):
    seats = shared_sandbox.export("seats")
    tickets = shared_sandbox.export("partner_tickets")
    orders = api.all_pages("/orders")
    ordered, payed = {}, {}
    for o in orders:
        for b in o["baskets"]:
            if o["deleted_at"] is None and b["deleted_at"] is None and b["refunded_at"] is None:
                key = (str(b["show_id"]), b["seat_id"])
                ordered[key] = ordered.get(key, 0) + b["quantity"]
                if o["payed"]:
                    payed[key] = payed.get(key, 0) + b["quantity"]
    find = {t["id"]: t for t in tickets}
    assert len(find) == len(tickets)
    total_ordered = sum(s["ordered_quantity"] for show in seats.values() for s in show.values())
    total_payed = sum(s["payed_quantity"] for show in seats.values() for s in show.values())
    live_pt = [t for t in tickets if not t["deleted"]]
    assert total_ordered == sum(ordered.values()) + len(live_pt)
    assert total_payed == sum(payed.values()) + sum(1 for t in live_pt if t["paid"])
    for (show_id, seat_id), qty in ordered.items():
        node = next(v for v in seats[show_id].values() if v["root_id"] == seat_id)
        assert node["ordered_quantity"] >= qty


def test_barcodes_list_scan_info_and_select(api):
    show_id, orders = _busy_show(api)
    valid = sorted(
        b["barcode"]
        for o in orders
        for b in o["baskets"]
        if b["show_id"] == show_id and b["deleted_at"] is None and b["refunded_at"] is None
    )
    items = api.ok(api.get(f"/shows/{show_id}/barcodes"))
    assert isinstance(items, list)
    assert set(valid) <= {i["barcode"] for i in items}
    sel = api.ok(api.get(f"/shows/{show_id}/barcodes", {"select": ["barcode", "price"]}))
    assert all(set(i) == {"barcode", "price"} for i in sel)
    info = api.ok(api.get(f"/shows/{show_id}/barcode/{valid[0]}"))
    assert set(info) == {"barcode", "checked_at"} and info["barcode"] == valid[0]
    assert api.get(f"/shows/{show_id}/barcode/000000000000").status_code == 404


def test_baskets_list_filter_by_barcode(api):
    order = api.ok(api.get("/orders", {"where": [{"column": "payed", "value": 1}], "perPage": 1}))["data"][0]
    code = order["baskets"][0]["barcode"]
    body = api.ok(api.get("/baskets", {"where": [{"column": "barcode", "value": code}], "perPage": 5}))
    assert body["paging"]["total"] == 1 and body["data"][0]["order_id"] == order["id"]
