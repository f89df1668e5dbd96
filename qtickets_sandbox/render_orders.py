"""Orders, baskets and clients as the REST API renders them, with the PHP quirks of real responses:
`utm`/`fields`/`integrations` are `[]` when empty, `custom` is "", flags are JSON booleans.

An order's serialised bytes are cached on the record (invalidated by lifecycle._touch and by client edits),
which is what makes paging a million orders cheap.
"""

from __future__ import annotations

import hashlib

from qtickets_sandbox.clock import fmt
from qtickets_sandbox.model import multiprice_code
from qtickets_sandbox.render_orders_fast import order_json_bytes, ticket_file_url

SITES = {1: {"id": 1, "host": "qtickets.ru"}, 2: {"id": 2, "host": "tickets.example.org"}}


def client_dict(c) -> dict:
    return {
        "id": c.id,
        "email": c.email,
        "details": {
            "id": c.id,
            "name": c.name,
            "middlename": c.middlename,
            "surname": c.surname,
            "phone": c.phone,
            "vk_id": c.vk_id,
            "facebook_id": c.facebook_id,
        },
    }


def _refund_dict(r: dict) -> dict:
    out = dict(r)
    out["created_at"] = fmt(r["created_at"])
    return out


def basket_dict(b, with_order_id: bool = False) -> dict:
    show = b.show
    scheme = show.event.scheme
    holder = b.holder
    live = b.deleted_at is None and b.refunded_at is None
    order = b.order
    files = b.barcode is not None and order.payed
    d = {
        "id": b.id,
        "series": show.series,
        "barcode": b.barcode,
        "show_id": show.id,
        "seat_id": scheme.seat_root[b.seat],
        "seat_name": scheme.seat_name[b.seat],
        "original_price": b.original_price,
        "ticket_original_price": b.ticket_original_price,
        "discount_value": b.discount_value,
        "price": b.price,
        "ticket_amount": b.price if live else 0,
        "service_fee_amount": 0,
        "multiprice_code": multiprice_code(b),
        "quantity": b.quantity,
        "client_email": holder[0],
        "client_phone": holder[1],
        "client_name": holder[2],
        "client_surname": holder[3],
        "client_middlename": holder[4],
        "organization_name": None,
        "legal_name": None,
        "work_position": None,
        "inn": None,
        "kpp": None,
        "comment": None,
        "pdf_url": ticket_file_url("pdf", order.uniqid, b.id) if files else None,
        "passbook_url": ticket_file_url("passbook", order.uniqid, b.id) if files else None,
        "related_baskets": [],
        "services": [],
        "checked_at": fmt(b.checked_at),
        "created_at": fmt(b.created_at),
        "updated_at": fmt(b.updated_at),
        "deleted_at": fmt(b.deleted_at),
        "refunded_at": fmt(b.refunded_at),
        "refunded_amount": b.refunded_amount,
        "refunded_deduction_amount": b.refunded_deduction_amount,
        "refunds": [_refund_dict(r) for r in b.refunds] if b.refunds else [],
    }
    if with_order_id:
        d["order_id"] = order.id
    return d


def order_totals(o) -> tuple:
    """(price, original_price) as observed in real orders [OBS]:
    price = Σ price × quantity over the live baskets (a fully cancelled or expired order keeps its total);
    original_price = Σ basket original_price over all baskets (it does not drop when tickets are cancelled).
    Generated baskets always have quantity 1, as in all real data, so the two sums are alike."""
    baskets = o.baskets
    live = [b for b in baskets if b.deleted_at is None and b.refunded_at is None] or baskets
    return sum(b.price * b.quantity for b in live), sum(b.original_price for b in baskets)


def order_dict(o) -> dict:
    price, original = order_totals(o)
    cancel_hash = hashlib.md5(f"cancel:{o.uniqid}".encode()).hexdigest()
    return {
        "id": o.id,
        "uniqid": o.uniqid,
        "payed": o.payed,
        "payed_at": fmt(o.payed_at),
        "client_id": o.client.id,
        "client": client_dict(o.client),
        "site_id": o.site_id,
        "site": SITES[o.site_id],
        "payment_id": o.payment_id,
        "payment_type_id": o.payment_type_id,
        "payment_card_number": o.card,
        "payment_url": f"https://qtickets.ru/pay/{o.uniqid}",
        "cancel_url": f"https://qtickets.ru/cancel-order/{o.uniqid}/{cancel_hash}",
        "basket_user_id": o.basket_user_id,
        "backend_user_id": o.backend_user_id,
        "access_code_id": None,
        "discount_id": o.discount_id,
        "promo_code_id": o.promo_code_id,
        "reserved": o.reserved,
        "reserved_to": fmt(o.reserved_to),
        "reserve_extended": o.reserve_extended,
        "event_id": o.event.id,
        "price": price,
        "original_price": original,
        "currency_id": "RUB",
        "utm": dict(o.utm) if o.utm else [],
        "custom": "",
        "fields": dict(o.fields) if o.fields else [],
        "baskets": [basket_dict(b) for b in o.baskets],
        "refunds": [_refund_dict(r) for r in o.refunds] if o.refunds else [],
        "integrations": {"roistat": {"roistat_visit": o.integrations}} if o.integrations else [],
        # the real order object ends with its timestamps, after integrations [OBS]
        "created_at": fmt(o.created_at),
        "updated_at": fmt(o.updated_at),
        "deleted_at": fmt(o.deleted_at),
    }


def order_bytes(o) -> bytes:
    """Cached serialisation; the embedded client's version is part of the cache validity."""
    if o.json is not None and o.json_client_version == o.client.version:
        return o.json
    price, original = order_totals(o)
    o.json = order_json_bytes(o, price, original)  # == dumps(order_dict(o)), without the dicts
    o.json_client_version = o.client.version
    return o.json


ORDER_KEYS = [
    "id",
    "uniqid",
    "payed",
    "payed_at",
    "client_id",
    "client",
    "site_id",
    "site",
    "payment_id",
    "payment_type_id",
    "payment_card_number",
    "payment_url",
    "cancel_url",
    "basket_user_id",
    "backend_user_id",
    "access_code_id",
    "discount_id",
    "promo_code_id",
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
    "created_at",
    "updated_at",
    "deleted_at",
]

# column -> (kind, getter on the record): the fast path of `where`/`orderBy` (no rendering needed)
ORDER_COLUMNS = {
    "id": ("int", lambda o: o.id),
    "uniqid": ("str", lambda o: o.uniqid),
    "payed": ("bool", lambda o: o.payed),
    "payed_at": ("time", lambda o: o.payed_at),
    "created_at": ("time", lambda o: o.created_at),
    "updated_at": ("time", lambda o: o.updated_at),
    "deleted_at": ("time", lambda o: o.deleted_at),
    "reserved_to": ("time", lambda o: o.reserved_to),
    "client_id": ("int", lambda o: o.client.id),
    "site_id": ("int", lambda o: o.site_id),
    "payment_id": ("int", lambda o: o.payment_id),
    "payment_type_id": ("str", lambda o: o.payment_type_id),
    "payment_card_number": ("str", lambda o: o.card),
    "basket_user_id": ("int", lambda o: o.basket_user_id),
    "backend_user_id": ("int", lambda o: o.backend_user_id),
    "access_code_id": ("int", lambda o: None),
    "discount_id": ("int", lambda o: o.discount_id),
    "promo_code_id": ("int", lambda o: o.promo_code_id),
    "reserved": ("bool", lambda o: o.reserved),
    "reserve_extended": ("bool", lambda o: o.reserve_extended),
    "event_id": ("int", lambda o: o.event.id),
    "price": ("num", lambda o: order_totals(o)[0]),
    "original_price": ("num", lambda o: order_totals(o)[1]),
    "currency_id": ("str", lambda o: "RUB"),
}

BASKET_COLUMNS = {
    "id": ("int", lambda b: b.id),
    "barcode": ("str", lambda b: b.barcode),
    "show_id": ("int", lambda b: b.show.id),
    "seat_id": ("str", lambda b: b.show.event.scheme.seat_root[b.seat]),
    "order_id": ("int", lambda b: b.order.id),
    "quantity": ("int", lambda b: b.quantity),
    "price": ("num", lambda b: b.price),
    "multiprice_code": ("str", multiprice_code),
    "checked_at": ("time", lambda b: b.checked_at),
    "created_at": ("time", lambda b: b.created_at),
    "updated_at": ("time", lambda b: b.updated_at),
    "deleted_at": ("time", lambda b: b.deleted_at),
    "refunded_at": ("time", lambda b: b.refunded_at),
}
BASKET_KEYS = [
    "id",
    "series",
    "barcode",
    "show_id",
    "seat_id",
    "seat_name",
    "original_price",
    "ticket_original_price",
    "discount_value",
    "price",
    "ticket_amount",
    "service_fee_amount",
    "multiprice_code",
    "quantity",
    "client_email",
    "client_phone",
    "client_name",
    "client_surname",
    "client_middlename",
    "organization_name",
    "legal_name",
    "work_position",
    "inn",
    "kpp",
    "comment",
    "pdf_url",
    "passbook_url",
    "related_baskets",
    "services",
    "checked_at",
    "created_at",
    "updated_at",
    "deleted_at",
    "refunded_at",
    "refunded_amount",
    "refunded_deduction_amount",
    "refunds",
    "order_id",
]

CLIENT_KEYS = ["id", "email", "details"]
CLIENT_COLUMNS = {"id": ("int", lambda c: c.id), "email": ("str", lambda c: c.email)}
