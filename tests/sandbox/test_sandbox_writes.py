"""REST write operations change state (and updated_at), keep seats/barcodes consistent and refuse what the
docs forbid. A private sandbox per module."""

from __future__ import annotations

from datetime import datetime


def _paid_order(wapi, min_baskets=1, skip=()):
    for o in wapi.all_pages(
        "/orders", {"where": [{"column": "payed", "value": 1}, {"column": "deleted_at", "operator": "null"}]}
    ):
        live = [b for b in o["baskets"] if b["deleted_at"] is None and b["refunded_at"] is None]
        if len(live) >= min_baskets and len(live) == len(o["baskets"]) and o["id"] not in skip:
            return o
    raise AssertionError("no suitable order")


def _seat(wapi, show_id, seat_id):
    seats = wapi.ok(wapi.get(f"/shows/{show_id}/seats", {"flat": True}))["data"]
    return next(s for s in seats.values() if s["root_id"] == seat_id)


def _barcodes(wapi, show_id):
    return {i["barcode"] for i in wapi.ok(wapi.get(f"/shows/{show_id}/barcodes"))}


def later(a, b):
    return datetime.fromisoformat(a) > datetime.fromisoformat(b)


def test_delete_baskets_cancels_tickets_and_frees_seats(wapi):
    order = _paid_order(wapi, 2)
    first, second = order["baskets"][0], order["baskets"][1]
    before = _seat(wapi, first["show_id"], first["seat_id"])
    resp = wapi.rest("DELETE", f"/orders/{order['id']}/baskets", {"delete": {"baskets": {str(first["id"]): []}}})
    out = wapi.ok(resp)["data"]
    got = {b["id"]: b for b in out["baskets"]}
    assert got[first["id"]]["deleted_at"] and got[second["id"]]["deleted_at"] is None
    assert out["deleted_at"] is None and later(out["updated_at"], order["updated_at"])
    assert out["price"] == sum(b["price"] * b["quantity"] for b in out["baskets"] if b["deleted_at"] is None)
    after = _seat(wapi, first["show_id"], first["seat_id"])
    assert after["ordered_quantity"] == before["ordered_quantity"] - first["quantity"]
    assert first["barcode"] not in _barcodes(wapi, first["show_id"])
    rest = [str(b["id"]) for b in out["baskets"] if b["deleted_at"] is None]
    final = wapi.ok(
        wapi.rest("DELETE", f"/orders/{order['id']}/baskets", {"delete": {"baskets": {i: [] for i in rest}}})
    )["data"]
    assert final["deleted_at"] is not None  # no live basket left -> the order is cancelled
    again = wapi.rest("DELETE", f"/orders/{order['id']}/baskets", {"delete": {"baskets": {rest[0]: []}}})
    assert again.status_code == 422


def test_restore_a_cancelled_order(wapi):
    order = _paid_order(wapi)
    ids = {str(b["id"]): [] for b in order["baskets"]}
    wapi.ok(wapi.rest("DELETE", f"/orders/{order['id']}/baskets", {"delete": {"baskets": ids}}))
    restored = wapi.ok(wapi.rest("POST", f"/orders/{order['id']}/restore", {}))["data"]
    assert restored["deleted_at"] is None and all(b["deleted_at"] is None for b in restored["baskets"])
    b = order["baskets"][0]
    assert b["barcode"] in _barcodes(wapi, b["show_id"])


def test_refund_with_amount_then_restore_is_refused(wapi):
    order = _paid_order(wapi, 2)
    target = order["baskets"][0]
    body = {"refund": {"amount": target["price"] * target["quantity"], "baskets": {str(target["id"]): []}}}
    out = wapi.ok(wapi.rest("DELETE", f"/orders/{order['id']}/baskets", body))["data"]
    b = next(x for x in out["baskets"] if x["id"] == target["id"])
    assert b["refunded_at"] and b["refunded_amount"] == target["price"] * target["quantity"]
    assert b["refunded_deduction_amount"] == 0 and len(b["refunds"]) == 1
    assert len(out["refunds"]) == len(order["refunds"]) + 1 and out["refunds"][-1]["baskets"] == [target["id"]]
    assert target["barcode"] not in _barcodes(wapi, target["show_id"])
    refused = wapi.rest("POST", f"/orders/{order['id']}/restore", {})
    assert refused.status_code == 422 and refused.json()["code"] == "VALIDATION_ERROR"


def test_refund_with_deduction_and_validation(wapi):
    order = _paid_order(wapi, 1, skip=())
    target = order["baskets"][-1]
    url = f"/orders/{order['id']}/baskets"
    both = {"refund": {"amount": 1, "deduction_amount": 1, "baskets": {str(target["id"]): []}}}
    assert wapi.rest("DELETE", url, both).status_code == 422
    assert (
        wapi.rest("DELETE", url, {"refund": {"amount": 10**9, "baskets": {str(target["id"]): []}}}).status_code == 422
    )
    assert wapi.rest("DELETE", url, {"refund": {"amount": 1, "baskets": {"1": []}}}).status_code == 422
    assert wapi.rest("DELETE", url, {}).status_code == 422
    out = wapi.ok(wapi.rest("DELETE", url, {"refund": {"deduction_amount": 100, "baskets": {str(target["id"]): []}}}))
    b = next(x for x in out["data"]["baskets"] if x["id"] == target["id"])
    assert b["refunded_deduction_amount"] == 100
    assert b["refunded_amount"] == target["price"] * target["quantity"] - 100
    assert wapi.rest("DELETE", "/orders/999999999/baskets", {"delete": {"baskets": {"1": []}}}).status_code == 404


def test_edit_a_basket(wapi):
    order = _paid_order(wapi)
    b = order["baskets"][0]
    out = wapi.ok(
        wapi.rest(
            "PUT",
            f"/baskets/{b['id']}",
            {"data": {"client_name": "Пётр", "client_surname": "Новый", "client_email": "petr.new@example.org"}},
        )
    )["data"]
    assert out["client_name"] == "Пётр" and out["client_email"] == "petr.new@example.org"
    assert later(out["updated_at"], b["updated_at"])
    order_now = wapi.ok(wapi.get(f"/orders/{order['id']}"))["data"]
    assert order_now["baskets"][0]["client_surname"] == "Новый" and later(order_now["updated_at"], order["updated_at"])
    refused = wapi.rest("PUT", f"/baskets/{b['id']}", {"data": {"discount_value": 10}})
    assert refused.status_code == 422  # prices are editable only in unpaid orders
    assert wapi.rest("PUT", f"/baskets/{b['id']}", {"client_name": "flat"}).status_code == 422
    assert wapi.rest("PUT", "/baskets/1", {"data": {}}).status_code == 404


def test_edit_prices_of_an_unpaid_basket(wapi):
    pending = wapi.all_pages(
        "/orders", {"where": [{"column": "payed", "value": 0}, {"column": "deleted_at", "operator": "null"}]}
    )
    b = pending[0]["baskets"][0]
    out = wapi.ok(
        wapi.rest("PUT", f"/baskets/{b['id']}", {"data": {"ticket_original_price": 1000, "discount_value": 150}})
    )["data"]
    assert out["price"] == 850 and out["original_price"] == 1000 and out["discount_value"] == 150


def test_create_and_update_a_client_by_email(wapi, own_sandbox):
    before = own_sandbox.stats()["clients"]
    created = wapi.ok(
        wapi.rest(
            "POST",
            "/clients",
            {"data": {"email": "Sandbox.Buyer@example.com", "details": {"name": "Анна", "surname": "Тестова"}}},
        )
    )
    cid = created["data"]["id"]
    assert own_sandbox.stats()["clients"] == before + 1
    updated = wapi.ok(
        wapi.rest(
            "POST", "/clients", {"data": {"email": "sandbox.buyer@example.com", "details": {"phone": "+79001234567"}}}
        )
    )["data"]
    assert updated["id"] == cid and updated["details"]["phone"] == "+79001234567"
    assert updated["details"]["name"] == "Анна" and own_sandbox.stats()["clients"] == before + 1
    assert wapi.ok(wapi.get(f"/clients/{cid}"))["data"] == updated


def test_create_and_edit_an_event(wapi):
    scheme_id = wapi.ok(wapi.get("/events", {"perPage": 1}))["data"][0]["scheme_id"]
    body = {
        "data": {
            "name": "Песочный концерт",
            "is_active": 1,
            "scheme_id": scheme_id,
            "city_id": 1,
            "currency_id": "RUB",
            "description": "Тест",
            "shows": [
                {
                    "start_date": "2026-12-20T19:00:00+03:00",
                    "finish_date": "2026-12-20T21:00:00+03:00",
                    "prices": [{"default_price": 1500, "color_theme": 1}, {"default_price": 2500, "color_theme": 5}],
                }
            ],
        }
    }
    ev = wapi.ok(wapi.rest("POST", "/events", body))["data"]
    assert (
        ev["name"] == "Песочный концерт" and len(ev["shows"]) == 1 and ev["shows"][0]["prices"][0]["color_theme"] == "1"
    )
    show_id = ev["shows"][0]["id"]
    seats = wapi.ok(wapi.get(f"/shows/{show_id}/seats", {"flat": True}))["data"]
    assert seats and all(s["ordered_quantity"] == 0 for s in seats.values())
    edit = {
        "data": {
            "name": "Песочный концерт (перенос)",
            "shows": [
                {"id": show_id, "start_date": "2026-12-21T19:00:00+03:00"},
                {"start_date": "2026-12-22T19:00:00+03:00", "prices": [{"default_price": 1200, "color_theme": 2}]},
            ],
        }
    }
    out = wapi.ok(wapi.rest("PUT", f"/events/{ev['id']}", edit))["data"]
    assert out["name"].endswith("(перенос)") and len(out["shows"]) == 2
    assert out["shows"][0]["start_date"] == "2026-12-21T19:00:00+03:00"
    assert later(out["updated_at"], ev["updated_at"]) and later(
        out["shows"][0]["updated_at"], ev["shows"][0]["updated_at"]
    )
    assert wapi.ok(wapi.get(f"/events/{ev['id']}"))["data"] == out
    assert wapi.rest("PUT", f"/events/{ev['id']}", {"data": {"shows": [{"id": 1}]}}).status_code == 422
    assert wapi.rest("PUT", "/events/999999", {"data": {"name": "x"}}).status_code == 404


def test_create_and_edit_a_promo_code(wapi):
    discount = wapi.ok(wapi.get("/discounts", {"where": [{"column": "deleted_at", "operator": "null"}]}))["data"][0]
    body = {
        "data": {
            "is_active": 1,
            "discount_id": discount["id"],
            "code": "SANDBOX-2026",
            "max_uses_count": 5,
            "active_from": None,
            "active_to": "2026-12-31T23:59:59+03:00",
        }
    }
    promo = wapi.ok(wapi.rest("POST", "/promo-codes", body))["data"]
    assert promo["code"] == "SANDBOX-2026" and promo["discount_id"] == discount["id"] and promo["type"] == 0
    assert wapi.rest("POST", "/promo-codes", body).status_code == 422  # duplicate code
    out = wapi.ok(wapi.rest("PUT", f"/promo-codes/{promo['id']}", {"data": {"is_active": 0, "max_uses_count": 9}}))
    assert out["data"]["is_active"] == 0 and out["data"]["max_uses_count"] == 9
    assert later(out["data"]["updated_at"], promo["updated_at"])
    listed = wapi.all_pages("/promo-codes", {"where": [{"column": "id", "value": promo["id"]}]})
    assert listed == [out["data"]]
    assert wapi.rest("PUT", "/promo-codes/999999", {"data": {"is_active": 1}}).status_code == 404


def test_scan_one_barcode_and_a_batch(wapi):
    order = _paid_order(wapi, 2)
    show_id = order["baskets"][0]["show_id"]
    codes = [b["barcode"] for b in order["baskets"] if b["show_id"] == show_id]
    unscanned = [c for c in codes if wapi.ok(wapi.get(f"/shows/{show_id}/barcode/{c}"))["checked_at"] is None]
    code = codes[0]
    out = wapi.ok(wapi.rest("POST", f"/shows/{show_id}/barcode/{code}", {"checked_at": "2026-11-01T12:30:00+03:00"}))
    assert out == {"success": True, "barcode": code, "checked_at": "2026-11-01T12:30:00+03:00"}
    assert wapi.ok(wapi.get(f"/shows/{show_id}/barcode/{code}"))["checked_at"] == "2026-11-01T12:30:00+03:00"
    batch = [{"barcode": c, "checked_at": "2026-11-01T12:31:00+03:00"} for c in codes[1:]] + [
        {"barcode": "000000000000", "checked_at": "2026-11-01T12:31:00+03:00"}
    ]
    res = wapi.ok(wapi.rest("POST", f"/shows/{show_id}/barcodes", batch))
    assert res["processed"] == len(codes) - 1 and res["results"][-1]["success"] is False
    order_now = wapi.ok(wapi.get(f"/orders/{order['id']}"))["data"]
    assert all(b["checked_at"] for b in order_now["baskets"] if b["show_id"] == show_id)
    assert later(order_now["updated_at"], order["updated_at"]) and unscanned is not None
    assert wapi.rest("POST", f"/shows/{show_id}/barcodes", {"barcode": code}).status_code == 422
    assert wapi.rest("POST", f"/shows/{show_id}/barcode/000000000000", {}).status_code == 404


def test_writes_bump_the_orders_updated_at_cursor(wapi):
    """An incremental loader filtering updated_at >= T sees every order touched after T."""
    newest = wapi.ok(wapi.get("/orders", {"orderBy": {"updated_at": "desc"}, "perPage": 1}))["data"][0]
    order = _paid_order(wapi, 1, skip={newest["id"]})
    b = order["baskets"][0]
    wapi.ok(wapi.rest("PUT", f"/baskets/{b['id']}", {"data": {"client_middlename": "Иванович"}}))
    changed = wapi.all_pages(
        "/orders", {"where": [{"column": "updated_at", "operator": ">", "value": newest["updated_at"]}]}
    )
    assert [o["id"] for o in changed] == [order["id"]]
