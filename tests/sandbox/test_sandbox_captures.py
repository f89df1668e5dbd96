"""Fidelity to the real captured responses: null multiprice_code for the base tariff, the order's timestamps
last, 32-hex URL digests, `modifiers: []`, null min/max prices, the scheme_properties shape, the two 503
bodies and query-string paging."""

from __future__ import annotations

import json
import re

HEX32 = re.compile(r"[0-9a-f]{32}")


def test_multiprice_code_is_null_for_the_base_tariff(api, shared_sandbox):
    orders = shared_sandbox.export("orders")
    codes = [b["multiprice_code"] for o in orders for b in o["baskets"]]
    assert None in codes and set(codes) - {None} and set(codes) <= {None, "child", "preferential"}
    assert "full" not in codes
    listed = api.all_pages("/baskets")
    assert {b["multiprice_code"] for b in listed} == set(codes)
    nulls = api.all_pages("/baskets", {"where": [{"column": "multiprice_code", "operator": "null"}]})
    assert nulls and len(nulls) == codes.count(None)
    child = api.all_pages("/baskets", {"where": [{"column": "multiprice_code", "value": "preferential"}]})
    assert len(child) == codes.count("preferential")


def test_put_basket_accepts_null_as_the_base_tariff_and_answers_null(wapi):
    pending = wapi.all_pages(
        "/orders", {"where": [{"column": "payed", "value": 0}, {"column": "deleted_at", "operator": "null"}]}
    )
    basket = next(b for o in pending for b in o["baskets"] if b["multiprice_code"] is not None)
    code = basket["multiprice_code"]
    out = wapi.ok(wapi.rest("PUT", f"/baskets/{basket['id']}", {"data": {"multiprice_code": None}}))["data"]
    assert out["multiprice_code"] is None and out["original_price"] > basket["original_price"]
    back = wapi.ok(wapi.rest("PUT", f"/baskets/{basket['id']}", {"data": {"multiprice_code": code}}))["data"]
    assert back["multiprice_code"] == code and back["original_price"] == basket["original_price"]
    again = wapi.ok(wapi.rest("PUT", f"/baskets/{basket['id']}", {"data": {"multiprice_code": "full"}}))["data"]
    assert again["multiprice_code"] is None  # the code of the base tariff is accepted too, rendered null
    paid = wapi.ok(wapi.get("/orders", {"where": [{"column": "payed", "value": 1}], "perPage": 50}))["data"]
    base = next(b for o in paid for b in o["baskets"] if b["multiprice_code"] is None)
    same = wapi.rest("PUT", f"/baskets/{base['id']}", {"data": {"multiprice_code": None, "client_name": "Ия"}})
    assert wapi.ok(same)["data"]["multiprice_code"] is None  # null on a paid basket is no tariff change


def test_order_timestamps_come_last_baskets_keep_their_order(api):
    raw = api.get("/orders", {"perPage": 5})
    assert raw.status_code == 200
    for order in json.loads(raw.text)["data"]:
        assert list(order)[-4:] == ["integrations", "created_at", "updated_at", "deleted_at"]
        assert list(order)[:4] == ["id", "uniqid", "payed", "payed_at"]
        for b in order["baskets"]:
            assert list(b).index("created_at") == list(b).index("checked_at") + 1


def test_urls_end_in_32_hex(shared_sandbox):
    orders = shared_sandbox.export("orders")
    seen = set()
    for o in orders:
        assert re.fullmatch(
            r"https://qtickets\.ru/cancel-order/" + re.escape(o["uniqid"]) + r"/[0-9a-f]{32}", o["cancel_url"]
        )
        for b in o["baskets"]:
            for key, prefix in (
                ("pdf_url", "https://qtickets.ru/ticket/pdf/"),
                ("passbook_url", "https://qtickets.ru/ticket/passbook/"),
            ):
                if b[key] is None:
                    assert b["barcode"] is None or not o["payed"]
                    continue
                assert b[key].startswith(prefix) and HEX32.fullmatch(b[key][len(prefix) :])
                seen.add(b[key])
    files = sum(2 for o in orders for b in o["baskets"] if b["pdf_url"])
    assert files and len(seen) == files  # unique per basket


def test_prices_have_empty_modifiers_and_some_shows_no_price_range(shared_sandbox):
    events = shared_sandbox.export("events")
    shows = [(e, s) for e in events for s in e["shows"]]
    assert all(p["modifiers"] == [] for _e, s in shows for p in s["prices"])
    nulls = [(e, s) for e, s in shows if s["min_price"] is None]
    assert nulls and len(nulls) < len(shows) / 2
    for e, s in shows:
        active = s["is_active"] == 1 and e["is_active"] == 1
        assert (s["min_price"] is None) == (s["max_price"] is None) == (not active)
        if active:
            prices = sorted(s["prices"], key=lambda p: (p["default_price"], p["id"]))
            assert s["min_price"] == prices[0] and s["max_price"] == prices[-1]


def _leaves(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, path + (k,))
    elif isinstance(node, list):
        assert node == [], path  # only the empty spread.users lists
    else:
        yield path, node


def test_scheme_properties_shape(shared_sandbox):
    seats = shared_sandbox.export("seats")
    for event in shared_sandbox.export("events"):
        for show in event["shows"]:
            props = show["scheme_properties"]
            assert set(props) == {"admin", "zones", "seats"}
            assert all(isinstance(v, str) for _p, v in _leaves(props))
            flat = seats[str(show["id"])]
            zone_ids = {s["zone_root_id"] for s in flat.values()}
            assert set(props["zones"]) == zone_ids == set(props["admin"]["zones"])
            price_ids = {str(p["id"]) for p in show["prices"]}
            for zone_id, zone in props["zones"].items():
                assert list(zone) == ["disabled", "shared", "price_id", "label", "spread", "rows"]
                assert zone["spread"] == {"enabled": "0", "users": []} and zone["price_id"] in price_ids
                rows = {s["row"] for s in flat.values() if s["zone_root_id"] == zone_id}
                assert set(zone["rows"]) == rows == set(props["admin"]["zones"][zone_id]["rows"])
                assert all(list(r) == ["disabled", "price_id", "spread"] for r in zone["rows"].values())
            by_root = {s["root_id"]: s for s in flat.values()}
            for seat_id, seat in props["seats"].items():
                assert list(seat) == [
                    "hot",
                    "max_quantity",
                    "shared_max_quantity",
                    "show_free_quantity",
                    "disabled",
                    "price_id",
                    "spread",
                ]
                node = by_root[seat_id]
                assert seat["disabled"] == ("1" if node["disabled"] else "0")
                if node["admission"]:
                    assert seat["max_quantity"] == str(node["max_quantity"])
                else:
                    assert seat["max_quantity"] == "" and node["disabled"]
            assert {k for k, s in by_root.items() if s["disabled"] or s["admission"]} == set(props["seats"])


def test_query_string_page_is_honoured_and_the_body_wins(api):
    total = api.ok(api.get("/orders"))["paging"]["total"]
    second = api.ok(api.get("/orders", params={"page": "2"}))
    assert second["paging"] == {"perPage": 50, "currentPage": 2, "total": total}
    assert second == api.ok(api.get("/orders", {"page": 2}))
    assert api.ok(api.get("/orders", {"page": 3}, params={"page": "2"}))["paging"]["currentPage"] == 3
    assert api.ok(api.get("/orders", params={"perPage": "7"}))["paging"]["perPage"] == 7
    assert api.ok(api.get("/orders", {"perPage": 9}, params={"perPage": "7"}))["paging"]["perPage"] == 9
    events = api.ok(api.get("/events", params={"page": "2", "orderBy[id]": "desc"}))
    assert events["paging"]["currentPage"] == 2
    assert events == api.ok(api.get("/events", {"page": 2, "orderBy": {"id": "desc"}}))
    assert api.get("/orders", params={"page": "two"}).status_code == 422  # same rule as a body page


def test_a_client_paging_by_query_string_until_an_empty_page_terminates(api):
    """The third-party sync script: ?page=N until the page comes back empty."""
    seen, page = [], 1
    while page < 1000:
        body = api.ok(api.get("/clients", params={"page": str(page)}))
        if not body["data"]:
            break
        assert body["paging"]["currentPage"] == page
        seen.extend(c["id"] for c in body["data"])
        page += 1
    total = body["paging"]["total"]
    assert body == {"data": [], "paging": {"perPage": 100, "currentPage": page, "total": total}}
    assert len(seen) == len(set(seen)) == total


def test_php_array_where_from_the_query_string(api, shared_sandbox):
    events = shared_sandbox.export("events")
    live = [e["id"] for e in events if e["deleted_at"] is None]
    got = api.ok(
        api.get("/events", params={"where[0][column]": "deleted_at", "where[0][operator]": "null", "perPage": "100"})
    )["data"]
    assert [e["id"] for e in got] == live
    orders = shared_sandbox.export("orders")
    event_ids = sorted({o["event_id"] for o in orders})[:2]
    got = api.ok(
        api.get(
            "/orders",
            params={
                "where[0][column]": "event_id",
                "where[0][operator]": "in",
                "where[0][value][]": [str(i) for i in event_ids],
                "perPage": "1000",
            },
        )
    )["data"]
    assert [o["id"] for o in got] == [o["id"] for o in orders if o["event_id"] in event_ids]
    body_wins = api.ok(
        api.get(
            "/orders", {"where": [{"column": "payed", "value": 0}]}, params={"where": '[{"column":"payed","value":1}]'}
        )
    )
    assert body_wins == api.ok(api.get("/orders", {"where": [{"column": "payed", "value": 0}]}))
