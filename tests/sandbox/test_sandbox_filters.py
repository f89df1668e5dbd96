"""`where` operators, booleans as 1/0, dates as instants, dotted columns and orderBy — each result checked
against a local re-evaluation over the full export (the oracle)."""

from __future__ import annotations

from datetime import datetime

import pytest


@pytest.fixture(scope="module")
def orders(shared_sandbox):
    return shared_sandbox.export("orders")


def ts(value):
    return None if value is None else datetime.fromisoformat(value).timestamp()


def ids(api, where, order_by=None, path="/orders"):
    body = {"where": where}
    if order_by:
        body["orderBy"] = order_by
    return [o["id"] for o in api.all_pages(path, body)]


def test_equals_default_and_booleans_as_ints(api, orders):
    paid = [o["id"] for o in orders if o["payed"]]
    assert ids(api, [{"column": "payed", "value": 1}]) == paid
    assert ids(api, [{"column": "payed", "operator": "=", "value": True}]) == paid
    assert ids(api, [{"column": "payed", "value": 0}]) == [o["id"] for o in orders if not o["payed"]]


def test_not_equal_and_combined_and(api, orders):
    event_id = orders[0]["event_id"]
    got = ids(api, [{"column": "payed", "value": 1}, {"column": "event_id", "operator": "!=", "value": event_id}])
    assert got == [o["id"] for o in orders if o["payed"] and o["event_id"] != event_id]


@pytest.mark.parametrize("op", ["<", ">", "<=", ">="])
def test_date_comparisons_as_instants(api, orders, op):
    pivot = orders[len(orders) // 2]["created_at"]
    as_utc = datetime.fromisoformat(pivot).astimezone().isoformat()  # same instant, other offset
    cmp = {"<": lambda a, b: a < b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b}
    expected = [o["id"] for o in orders if cmp[op](ts(o["created_at"]), ts(pivot))]
    assert ids(api, [{"column": "created_at", "operator": op, "value": pivot}]) == expected
    assert ids(api, [{"column": "created_at", "operator": op, "value": as_utc}]) == expected


def test_date_only_value_and_numeric_comparison(api, orders):
    day = orders[len(orders) // 3]["created_at"][:10]
    expected = [o["id"] for o in orders if o["created_at"][:10] >= day]
    assert ids(api, [{"column": "created_at", "operator": ">=", "value": day}]) == expected
    assert ids(api, [{"column": "price", "operator": ">", "value": 5000}]) == [
        o["id"] for o in orders if o["price"] > 5000
    ]


def test_null_and_not_null(api, orders):
    assert ids(api, [{"column": "deleted_at", "operator": "null"}]) == [
        o["id"] for o in orders if o["deleted_at"] is None
    ]
    assert ids(api, [{"column": "payed_at", "operator": "not null"}]) == [
        o["id"] for o in orders if o["payed_at"] is not None
    ]
    assert ids(api, [{"column": "deleted_at", "value": None}]) == [o["id"] for o in orders if o["deleted_at"] is None]


def test_in_family(api, orders):
    events = sorted({o["event_id"] for o in orders})[:2]
    assert ids(api, [{"column": "event_id", "operator": "in", "value": events}]) == [
        o["id"] for o in orders if o["event_id"] in events
    ]
    assert ids(api, [{"column": "event_id", "operator": "not in", "value": events}]) == [
        o["id"] for o in orders if o["event_id"] not in events
    ]
    show = orders[0]["baskets"][0]["show_id"]
    assert ids(api, [{"column": "baskets.show_id", "operator": "in array", "value": [show]}]) == [
        o["id"] for o in orders if any(b["show_id"] == show for b in o["baskets"])
    ]
    assert ids(api, [{"column": "baskets.show_id", "operator": "not in array", "value": [show]}]) == [
        o["id"] for o in orders if all(b["show_id"] != show for b in o["baskets"])
    ]


def test_dotted_column_on_nested_object(api, orders):
    email = orders[5]["client"]["email"]
    assert ids(api, [{"column": "client.email", "value": email}]) == [
        o["id"] for o in orders if o["client"]["email"] == email
    ]


def test_order_by_asc_desc_with_nulls(api, orders):
    asc = ids(api, [], {"payed_at": "asc"})
    desc = ids(api, [], {"payed_at": "desc"})
    key = {o["id"]: ts(o["payed_at"]) for o in orders}
    nulls = sum(1 for v in key.values() if v is None)
    assert all(key[i] is None for i in asc[:nulls]) and all(key[i] is None for i in desc[-nulls:])
    assert [key[i] for i in asc[nulls:]] == sorted(v for v in key.values() if v is not None)
    assert [key[i] for i in desc[:-nulls]] == sorted((v for v in key.values() if v is not None), reverse=True)
    assert ids(api, [], {"id": "desc"}) == sorted(key, reverse=True)


def test_filters_on_other_resources(api, shared_sandbox):
    events = shared_sandbox.export("events")
    assert [
        e["id"]
        for e in api.all_pages(
            "/events", {"where": [{"column": "deleted_at", "operator": "null"}, {"column": "is_active", "value": 1}]}
        )
    ] == [e["id"] for e in events if e["deleted_at"] is None and e["is_active"] == 1]
    promos = shared_sandbox.export("promo_codes")
    did = promos[0]["discount_id"]
    got = api.ok(api.get("/promo-codes", {"where": [{"column": "discount_id", "value": did}]}))["data"]
    assert [p["id"] for p in got] == [p["id"] for p in promos if p["discount_id"] == did]


@pytest.mark.parametrize(
    "where",
    [
        [{"column": "invalid_column", "value": 1}],
        [{"column": "payed", "operator": "like", "value": 1}],
        [{"column": "created_at", "operator": ">=", "value": "not a date"}],
        "payed=1",
    ],
)
def test_bad_filters_are_validation_errors(api, where):
    resp = api.get("/orders", {"where": where})
    body = api.ok(resp, 422)
    assert body["code"] == "VALIDATION_ERROR" and body["status"] == 422 and isinstance(body["info"], dict)


def test_bad_order_by_and_paging_values(api):
    assert api.get("/orders", {"orderBy": {"id": "sideways"}}).status_code == 422
    assert api.get("/orders", {"orderBy": {"nope": "asc"}}).status_code == 422
    assert api.get("/orders", {"perPage": "lots"}).status_code == 422
