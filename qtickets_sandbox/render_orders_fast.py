"""The hot path of GET /orders: an Order's JSON written straight from the record, without building dicts.

It must produce exactly `dumps(order_dict(o))` (same keys, same order, same escaping); the sandbox tests
compare both for every order of a generated store, after writes and after clock moves. Strings go through
the C escaper of the json module (ensure_ascii, like PHP), numbers through repr like json does, and the
PHP-style `\\/` is applied once to the whole order at the end, as jsonio.dumps does.
Seat ids and names are escaped once per seat and kept on the scheme (scheme.seat_json), since they repeat
across thousands of baskets.
"""

from __future__ import annotations

import hashlib
from json.encoder import encode_basestring_ascii as _esc

from qtickets_sandbox.clock import _DAYS, _HMS, fmt
from qtickets_sandbox.jsonio import encode_plain

_SITE = {1: '{"id":1,"host":"qtickets.ru"}', 2: '{"id":2,"host":"tickets.example.org"}'}


def _v(x) -> str:
    """One JSON value, as json.JSONEncoder(ensure_ascii=True) writes it."""
    if x is None:
        return "null"
    t = type(x)
    if t is str:
        return _esc(x)
    if x is True:
        return "true"
    if x is False:
        return "false"
    if t is int:
        return int.__repr__(x)
    if t is float and x == x and x not in (float("inf"), float("-inf")):
        return float.__repr__(x)
    return encode_plain(x)


def _t(ts) -> str:
    """A quoted clock.fmt(ts); the day-table lookup is inlined (about 10 timestamps per basket)."""
    if ts is None:
        return "null"
    if type(ts) is int:
        day, sec = divmod(ts + 10800, 86400)
        text = _DAYS.get(day)
        if text is not None:
            return '"' + text + _HMS[sec] + '"'
    return '"' + fmt(ts) + '"'


def _seat(scheme, seat: int) -> str:
    cache = scheme.seat_json
    if cache is None:
        cache = scheme.seat_json = [None] * len(scheme.seat_root)
    text = cache[seat]
    if text is None:
        text = cache[seat] = f'"seat_id":{_esc(scheme.seat_root[seat])},"seat_name":{_esc(scheme.seat_name[seat])}'
    return text


def ticket_file_url(kind: str, uniqid: str, basket_id: int) -> str:
    """pdf / passbook URL ending in 32 hex characters like the real ones [OBS]; the digest is an md5 of the
    kind, the order's uniqid and the basket id: deterministic and distinct per basket [INF]."""
    digest = hashlib.md5(f"{kind}:{uniqid}:{basket_id}".encode()).hexdigest()
    return f"https://qtickets.ru/ticket/{kind}/{digest}"


def _refunds(refunds) -> str:
    if not refunds:
        return "[]"
    return encode_plain([{**r, "created_at": fmt(r["created_at"])} for r in refunds])


def basket_json(b, order) -> str:
    show = b.show
    h = b.holder
    live = b.deleted_at is None and b.refunded_at is None
    files = b.barcode is not None and order.payed
    uniq = order.uniqid
    return "".join(
        (
            '{"id":',
            int.__repr__(b.id),
            ',"series":',
            _esc(show.series),
            ',"barcode":',
            _v(b.barcode),
            ',"show_id":',
            int.__repr__(show.id),
            ",",
            _seat(show.event.scheme, b.seat),
            ',"original_price":',
            _v(b.original_price),
            ',"ticket_original_price":',
            _v(b.ticket_original_price),
            ',"discount_value":',
            _v(b.discount_value),
            ',"price":',
            _v(b.price),
            ',"ticket_amount":',
            _v(b.price) if live else "0",
            ',"service_fee_amount":0,"multiprice_code":',
            _v(None if b.tariff == show.event.tariffs[0] else b.tariff),
            ',"quantity":',
            _v(b.quantity),
            ',"client_email":',
            _v(h[0]),
            ',"client_phone":',
            _v(h[1]),
            ',"client_name":',
            _v(h[2]),
            ',"client_surname":',
            _v(h[3]),
            ',"client_middlename":',
            _v(h[4]),
            ',"organization_name":null,"legal_name":null,"work_position":null,"inn":null,"kpp":null,"comment":null',
            ',"pdf_url":',
            _esc(ticket_file_url("pdf", uniq, b.id)) if files else "null",
            ',"passbook_url":',
            _esc(ticket_file_url("passbook", uniq, b.id)) if files else "null",
            ',"related_baskets":[],"services":[],"checked_at":',
            _t(b.checked_at),
            ',"created_at":',
            _t(b.created_at),
            ',"updated_at":',
            _t(b.updated_at),
            ',"deleted_at":',
            _t(b.deleted_at),
            ',"refunded_at":',
            _t(b.refunded_at),
            ',"refunded_amount":',
            _v(b.refunded_amount),
            ',"refunded_deduction_amount":',
            _v(b.refunded_deduction_amount),
            ',"refunds":',
            _refunds(b.refunds),
            "}",
        )
    )


def client_json(c) -> str:
    return "".join(
        (
            '{"id":',
            int.__repr__(c.id),
            ',"email":',
            _v(c.email),
            ',"details":{"id":',
            int.__repr__(c.id),
            ',"name":',
            _v(c.name),
            ',"middlename":',
            _v(c.middlename),
            ',"surname":',
            _v(c.surname),
            ',"phone":',
            _v(c.phone),
            ',"vk_id":',
            _v(c.vk_id),
            ',"facebook_id":',
            _v(c.facebook_id),
            "}}",
        )
    )


def order_json_bytes(o, price, original) -> bytes:
    uniq = o.uniqid
    cancel_hash = hashlib.md5(f"cancel:{uniq}".encode()).hexdigest()
    utm = encode_plain(dict(o.utm)) if o.utm else "[]"
    fields = encode_plain(dict(o.fields)) if o.fields else "[]"
    integrations = ('{"roistat":{"roistat_visit":' + _v(o.integrations) + "}}") if o.integrations else "[]"
    text = "".join(
        (
            '{"id":',
            int.__repr__(o.id),
            ',"uniqid":',
            _esc(uniq),
            ',"payed":',
            _v(o.payed),
            ',"payed_at":',
            _t(o.payed_at),
            ',"client_id":',
            int.__repr__(o.client.id),
            ',"client":',
            client_json(o.client),
            ',"site_id":',
            _v(o.site_id),
            ',"site":',
            _SITE[o.site_id],
            ',"payment_id":',
            _v(o.payment_id),
            ',"payment_type_id":',
            _v(o.payment_type_id),
            ',"payment_card_number":',
            _v(o.card),
            ',"payment_url":',
            _esc(f"https://qtickets.ru/pay/{uniq}"),
            ',"cancel_url":',
            _esc(f"https://qtickets.ru/cancel-order/{uniq}/{cancel_hash}"),
            ',"basket_user_id":',
            _v(o.basket_user_id),
            ',"backend_user_id":',
            _v(o.backend_user_id),
            ',"access_code_id":null,"discount_id":',
            _v(o.discount_id),
            ',"promo_code_id":',
            _v(o.promo_code_id),
            ',"reserved":',
            _v(o.reserved),
            ',"reserved_to":',
            _t(o.reserved_to),
            ',"reserve_extended":',
            _v(o.reserve_extended),
            ',"event_id":',
            int.__repr__(o.event.id),
            ',"price":',
            _v(price),
            ',"original_price":',
            _v(original),
            ',"currency_id":"RUB"',
            ',"utm":',
            utm,
            ',"custom":"","fields":',
            fields,
            ',"baskets":[',
            ",".join([basket_json(b, o) for b in o.baskets]),
            "]",
            ',"refunds":',
            _refunds(o.refunds),
            ',"integrations":',
            integrations,
            ',"created_at":',
            _t(o.created_at),
            ',"updated_at":',
            _t(o.updated_at),
            ',"deleted_at":',
            _t(o.deleted_at),
            "}",
        )
    )
    return text.replace("/", "\\/").encode("ascii")
