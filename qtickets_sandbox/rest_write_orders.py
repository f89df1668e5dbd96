"""REST v1 writes on orders, baskets and scans: cancel / refund tickets, edit a ticket, restore an order,
mark barcodes as scanned (one or a batch). Validation happens before any change; each successful write
ticks the sandbox clock once and stamps updated_at on what it changed."""

from __future__ import annotations

from qtickets_sandbox import lifecycle, seating
from qtickets_sandbox.clock import fmt, parse_iso
from qtickets_sandbox.http_types import Response, bytes_response, json_response
from qtickets_sandbox.jsonio import UNKNOWN_ERROR, not_found, php_int
from qtickets_sandbox.model import basket_is_live
from qtickets_sandbox.render_orders import basket_dict
from qtickets_sandbox.resources import SPECS, record_bytes
from qtickets_sandbox.rest_read import body_dict, find_show, valid_barcode_holder
from qtickets_sandbox.validation import ValidationFailed, check, is_number, money, optional_str, require_data
from qtickets_sandbox.webhooks import emit, emit_cancel, emit_refund, emit_scan


def _order_response(store, order) -> Response:
    return bytes_response(b'{"data":' + record_bytes(store, SPECS["orders"], order) + b"}")


def _pick_baskets(order, spec, field: str) -> list:
    """`baskets` is {"<basket_id>": [<related ids>]} (a plain list of ids is accepted too) [DOC/INF]."""
    if isinstance(spec, dict):
        ids = []
        for key, related in spec.items():
            ids.append(php_int(key))
            ids.extend(php_int(r) for r in (related if isinstance(related, list) else []))
    elif isinstance(spec, list):
        ids = [php_int(x) for x in spec]
    else:
        raise ValidationFailed({field: "The baskets field is required."})
    own = {b.id: b for b in order.baskets}
    missing = [i for i in ids if i not in own]
    if not ids or missing:
        raise ValidationFailed({field: f"Unknown baskets for this order: {missing or 'none given'}."})
    chosen = []
    for i in dict.fromkeys(ids):
        if not basket_is_live(own[i]):
            raise ValidationFailed({field: f"Basket {i} is already cancelled or refunded."})
        chosen.append(own[i])
    return chosen


def delete_baskets(req, raw_id) -> Response:
    store = req.store
    order = store.orders_by_id.get(php_int(raw_id))
    if order is None:
        return json_response(not_found("Order", raw_id), 404)
    body = body_dict(req)
    if isinstance(body.get("delete"), dict):
        chosen = _pick_baskets(order, body["delete"].get("baskets"), "delete.baskets")
        lifecycle.cancel_baskets(order, chosen, store.clock.tick())
        emit_cancel(store, order)
    elif isinstance(body.get("refund"), dict):
        refund = body["refund"]
        amount, deduction = refund.get("amount"), refund.get("deduction_amount")
        if (amount is None) == (deduction is None):
            raise ValidationFailed({"refund.amount": "Give either amount or deduction_amount (exactly one)."})
        value = amount if amount is not None else deduction
        if not is_number(value) or value < 0:
            raise ValidationFailed({"refund.amount": "The amount must be a non-negative number."})
        if not order.payed:
            raise ValidationFailed({"refund": "Only paid orders can be refunded."})
        chosen = _pick_baskets(order, refund.get("baskets"), "refund.baskets")
        total = sum(b.price * b.quantity for b in chosen)
        if value > total:
            raise ValidationFailed({"refund.amount": f"The amount may not be greater than {money(total)}."})
        lifecycle.refund_baskets(
            store,
            order,
            chosen,
            store.clock.tick(),
            amount=money(amount) if amount is not None else None,
            deduction=money(deduction) if deduction is not None else None,
        )
        emit_refund(store, order, chosen)
    else:
        raise ValidationFailed({"delete": "Either delete or refund is required."})
    store.changed()
    return _order_response(store, order)


def put_basket(req, raw_id) -> Response:
    store = req.store
    basket = store.baskets_by_id.get(php_int(raw_id))
    if basket is None:
        return json_response(not_found("Basket", raw_id), 404)
    data = require_data(req.json)
    errors = {}
    holder = list(basket.holder)
    for pos, field in ((0, "client_email"), (2, "client_name"), (3, "client_surname"), (4, "client_middlename")):
        holder[pos] = optional_str(data, field, errors, holder[pos])
    tariff = data.get("multiprice_code", basket.tariff)
    if tariff is None:  # rendered as null for the base tariff, so null means the base tariff here too
        tariff = basket.show.event.tariffs[0]
    if tariff not in basket.show.event.tariffs:
        errors["multiprice_code"] = f"Unknown tariff {tariff!r} for this event."
    price_fields = [f for f in ("ticket_original_price", "discount_value") if f in data]
    if (price_fields or tariff != basket.tariff) and basket.order.payed:
        errors[(price_fields or ["multiprice_code"])[0]] = "Prices can only be changed in unpaid orders."
    for f in price_fields:
        if not is_number(data[f]) or data[f] < 0:
            errors[f] = f"The {f} must be a non-negative number."
    check(errors)
    original = (
        money(data["ticket_original_price"])
        if "ticket_original_price" in data
        else (
            seating.seat_price(basket.show, basket.seat, tariff) if tariff != basket.tariff else basket.original_price
        )
    )
    discount = money(data["discount_value"]) if "discount_value" in data else basket.discount_value
    if discount > original:
        raise ValidationFailed({"discount_value": "The discount may not exceed the ticket price."})
    basket.holder = tuple(holder)
    basket.tariff = tariff
    basket.original_price = basket.ticket_original_price = original
    basket.discount_value, basket.price = discount, money(original - discount)
    lifecycle._touch(basket.order, [basket], store.clock.tick())
    emit(store, "updated", basket.order)
    store.changed()
    return json_response({"data": basket_dict(basket)})


def restore_order(req, raw_id) -> Response:
    store = req.store
    order = store.orders_by_id.get(php_int(raw_id))
    if order is None:
        return json_response(not_found("Order", raw_id), 404)
    if order.refunds:
        raise ValidationFailed({"order": "The order has refunds and cannot be restored."})
    if order.deleted_at is None and all(b.deleted_at is None for b in order.baskets):
        return _order_response(store, order)
    ts = store.clock.now() + 1
    taken = lifecycle.restore_order(order, ts)
    if taken:
        raise ValidationFailed({"baskets": f"Seats are no longer available: {', '.join(taken)}."})
    store.clock.tick()
    emit(store, "updated", order)
    store.changed()
    return _order_response(store, order)


def _mark(store, holder, checked: int, ts: int) -> None:
    if hasattr(holder, "order"):
        lifecycle.scan(holder, checked, ts)
        emit_scan(store, holder)
    else:
        holder.checked_at, holder.updated_at = checked, ts
        holder.show.touched += 1


def scan_barcode(req, raw_id, code) -> Response:
    store = req.store
    show = find_show(req, raw_id)
    if show is None:
        return json_response(not_found("Show", raw_id), 404)
    holder = valid_barcode_holder(store, show, code)
    if holder is None:
        return json_response(not_found("Barcode", code), 404)
    body = body_dict(req)
    checked = None
    if body.get("checked_at") is not None:
        checked = parse_iso(body.get("checked_at"))
        if checked is None:
            raise ValidationFailed({"checked_at": "The checked_at is not a valid date."})
    ts = store.clock.tick()
    checked = ts if checked is None else checked
    _mark(store, holder, checked, ts)
    store.changed()
    return json_response({"success": True, "barcode": code, "checked_at": fmt(checked)})


def batch_scans(req, raw_id) -> Response:
    store = req.store
    show = find_show(req, raw_id)
    if show is None:
        return json_response(not_found("Show", raw_id), 404)
    if not isinstance(req.json, list):
        raise ValidationFailed({"body": "An array of {barcode, checked_at} objects is required."})
    ts = store.clock.tick()
    results, ok = [], 0
    for item in req.json:
        code = str(item.get("barcode")) if isinstance(item, dict) and item.get("barcode") is not None else None
        holder = valid_barcode_holder(store, show, code) if code else None
        checked = parse_iso(item.get("checked_at")) if isinstance(item, dict) and item.get("checked_at") else ts
        if holder is None or checked is None:
            results.append(
                {
                    "barcode": code,
                    "success": False,
                    "error": "Barcode not found" if holder is None else "Invalid checked_at",
                }
            )
            continue
        _mark(store, holder, checked, ts)
        ok += 1
        results.append({"barcode": code, "success": True, "checked_at": fmt(checked)})
    store.changed()
    return json_response({"success": ok == len(results), "processed": ok, "results": results})


def post_orders(req) -> Response:
    """Observed: POST /orders with a list-style body -> 503. Order creation needs vendor approval: always 503."""
    return json_response(UNKNOWN_ERROR, 503)
