"""Partners ticket methods: add, update, remove, check, find (single or `batch`).

Tickets are held (reserved_to), paid (barcode assigned on payment) or deleted (removed or hold expired).
They occupy seats exactly like orders do, so /shows/{id}/seats and /shows/{id}/barcodes see them.
Batches are all-or-nothing: every item is validated before anything changes [INF].
"""

from __future__ import annotations

import heapq

from qtickets_sandbox import seating
from qtickets_sandbox.clock import parse_iso
from qtickets_sandbox.model import PartnerTicket, new
from qtickets_sandbox.partners_common import PartnerError, ticket_dict
from qtickets_sandbox.validation import is_number, money

CLIENT_FIELDS = ("client_email", "client_phone", "client_name", "client_surname", "client_middlename")
FIND_KEYS = ("external_order_id", "external_id", "barcode", "id")


def items_of(params) -> tuple[list, bool]:
    batch = params.get("batch")
    if batch is None:
        return [params], False
    if not isinstance(batch, list) or not batch or not all(isinstance(i, dict) for i in batch):
        raise PartnerError("VALIDATION_ERROR", "batch must be a non-empty array of objects")
    return batch, True


def _flag(v) -> bool:
    return v in (1, True, "1", "true")


def _offer(ev, item) -> str:
    offer = item.get("offer_id")
    if offer in (None, ""):
        return ev.tariffs[0]
    if offer not in ev.tariffs:
        raise PartnerError("VALIDATION_ERROR", f'Unknown offer_id "{offer}"')
    return offer


def _seat(show, seat_id) -> int:
    if not isinstance(seat_id, str) or not seat_id:
        raise PartnerError("VALIDATION_ERROR", "seat_id is required")
    seat = show.event.scheme.seat_index.get(seat_id)
    if seat is None:
        raise PartnerError("SEAT_NOT_FOUND", f'Seat "{seat_id}" not found')
    return seat


def add(store, ev, show, params):
    items, is_batch = items_of(params)
    now, planned, wanted = store.clock.now(), [], {}
    taken_ext = {t.external_id for t in store.ptickets if not t.deleted and t.external_id}
    for _n, item in enumerate(items):
        seat = _seat(show, item.get("seat_id"))
        offer = _offer(ev, item)
        paid = _flag(item.get("paid")) or item.get("paid_at") not in (None, "")
        paid_at = parse_iso(item.get("paid_at")) if item.get("paid_at") not in (None, "") else None
        if item.get("paid_at") not in (None, "") and paid_at is None:
            raise PartnerError("VALIDATION_ERROR", "paid_at is not a valid date")
        reserved_to = parse_iso(item.get("reserved_to")) if item.get("reserved_to") else None
        if not paid and (reserved_to is None or reserved_to <= now):
            raise PartnerError("VALIDATION_ERROR", "reserved_to (a future date) is required for an unpaid ticket")
        session = item.get("user_session")
        if session is not None and len(str(session)) > 40:
            raise PartnerError("VALIDATION_ERROR", "user_session must be at most 40 characters")
        ext = item.get("external_id")
        if ext not in (None, "") and (str(ext) in taken_ext or any(p["external_id"] == str(ext) for p in planned)):
            raise PartnerError("VALIDATION_ERROR", f'external_id "{ext}" is already used')
        price = item.get("price")
        if price is not None and not is_number(price) and not _numeric_str(price):
            raise PartnerError("VALIDATION_ERROR", "price must be a number")
        wanted[seat] = wanted.get(seat, 0) + 1
        if not seating.is_available(show, seat, wanted[seat]):
            raise PartnerError("SEAT_NOT_AVAILABLE", f'Seat "{item.get("seat_id")}" is not available')
        planned.append(
            {
                "seat": seat,
                "offer": offer,
                "paid": paid,
                "paid_at": paid_at,
                "reserved_to": reserved_to,
                "external_id": None if ext in (None, "") else str(ext),
                "item": item,
                "price": money(float(price)) if price is not None else seating.seat_price(show, seat, offer),
            }
        )
    ts = store.clock.tick()
    made = []
    for p in planned:
        item = p["item"]
        t = new(
            PartnerTicket,
            id=store.next_id("pticket"),
            event=ev,
            show=show,
            seat=p["seat"],
            offer_id=p["offer"],
            paid=False,
            reserved_to=p["reserved_to"],
            external_id=p["external_id"],
            external_order_id=_str(item.get("external_order_id")),
            price=p["price"],
            payment_type_id=_str(item.get("payment_type_id")),
            fanid=_str(item.get("fanid")),
            visitor_user_id=item.get("visitor_user_id"),
            user_session=_str(item.get("user_session")),
            deleted=False,
            created_at=ts,
            updated_at=ts,
            **{
                f: _str(item.get(f))
                for f in ("client_email", "client_phone", "client_name", "client_surname", "client_middlename")
            },
        )
        seating.occupy(show, t.seat, 1, False)
        if p["paid"]:
            _pay(store, t, p["paid_at"] or ts, ts)
        store.add_pticket(t)
        made.append(t)
    store.changed()
    return [ticket_dict(store, t) for t in made] if is_batch else ticket_dict(store, made[0], id_as_str=True)


def _numeric_str(v) -> bool:
    try:
        float(v)
        return True
    except (TypeError, ValueError):
        return False


def _str(v):
    return None if v is None else str(v)


def _pay(store, t, paid_at, ts) -> None:
    t.paid, t.paid_at, t.reserved_to = True, paid_at, t.reserved_to
    if t.barcode is None:
        t.barcode = store.new_barcode()
        store.barcode_index[t.barcode] = t
    seating.mark_paid(t.show, t.seat, 1)
    t.updated_at = ts


def _find_ticket(store, show, item) -> PartnerTicket:
    tid, ext = item.get("id"), item.get("external_id")
    for t in show.ptickets:
        if not t.deleted and (
            (tid not in (None, "") and str(t.id) == str(tid))
            or (tid in (None, "") and ext not in (None, "") and t.external_id == str(ext))
        ):
            return t
    raise PartnerError("TICKET_NOT_FOUND", f'Ticket "{tid if tid not in (None, "") else ext}" not found')


def update(store, ev, show, params):
    items, is_batch = items_of(params)
    now, plans = store.clock.now(), []
    for item in items:
        t = _find_ticket(store, show, item)
        plan = {"t": t, "item": item, "pay": _flag(item.get("paid")) or item.get("paid_at") not in (None, "")}
        if item.get("paid_at") not in (None, "") and parse_iso(item.get("paid_at")) is None:
            raise PartnerError("VALIDATION_ERROR", "paid_at is not a valid date")
        if item.get("reserved_to") not in (None, ""):
            rt = parse_iso(item.get("reserved_to"))
            if rt is None or rt <= now:
                raise PartnerError("VALIDATION_ERROR", "reserved_to must be a future date")
            plan["reserved_to"] = rt
        if item.get("price") is not None and not _numeric_str(item.get("price")):
            raise PartnerError("VALIDATION_ERROR", "price must be a number")
        plans.append(plan)
    ts = store.clock.tick()
    for p in plans:
        t, item = p["t"], p["item"]
        for f in CLIENT_FIELDS + ("external_order_id", "payment_type_id"):
            if f in item:
                setattr(t, f, _str(item[f]))
        if item.get("price") is not None:
            t.price = money(float(item["price"]))
        if "reserved_to" in p and not t.paid:
            t.reserved_to = p["reserved_to"]
            t.show.version += 1
            store.track_hold(t)
        if p["pay"] and not t.paid:
            paid_at = parse_iso(item.get("paid_at")) if item.get("paid_at") not in (None, "") else ts
            _pay(store, t, paid_at, ts)
        t.updated_at = ts
        t.show.touched += 1
    store.changed()
    out = [ticket_dict(store, p["t"], id_as_str=not is_batch) for p in plans]
    return out if is_batch else out[0]


def remove(store, ev, show, params) -> bool:
    items, _ = items_of(params)
    tickets = [_find_ticket(store, show, item) for item in items]
    ts = store.clock.tick()
    for t in dict.fromkeys(tickets):
        t.deleted, t.updated_at = True, ts
        seating.release(t.show, t.seat, 1, t.paid)
    store.changed()
    return True


def check(store, ev, show, params):
    items, is_batch = items_of(params)
    out = []
    scheme = show.event.scheme
    for item in items:
        seat = _seat(show, item.get("seat_id"))
        offer = _offer(ev, item)
        d = {
            "seat_id": scheme.seat_root[seat],
            "offer_id": item.get("offer_id"),
            "available": seating.is_available(show, seat),
            "coords": [scheme.seat_x[seat], scheme.seat_y[seat]],
            "row": scheme.seat_row[seat],
            "place": scheme.seat_place[seat],
            "price": seating.seat_price(show, seat, offer),
            "currency_id": "RUB",
        }
        if scheme.seat_max[seat] > 1:
            d.update({"admission": True, "free_quantity": seating.free_quantity(show, seat)})
        out.append(d)
    return out if is_batch else out[0]


def find(store, ev, show, params) -> list:
    """Filter keys combine with AND; each value a string or an array. With an event in the URL an empty
    filter returns every ticket of that event (deleted included) [INF]; without one a filter is required."""
    flt = params.get("filter")
    if flt in (None, "", []):
        flt = {}
    if not isinstance(flt, dict):
        raise PartnerError("VALIDATION_ERROR", "filter must be an object")
    unknown = [k for k in flt if k not in FIND_KEYS]
    if unknown:
        raise PartnerError("VALIDATION_ERROR", f"Unknown filter keys: {', '.join(map(str, unknown))}")
    if not flt and ev is None:
        raise PartnerError("VALIDATION_ERROR", "filter is required")
    wanted = {k: {str(x) for x in (v if isinstance(v, list) else [v])} for k, v in flt.items()}
    pool = (
        show.ptickets
        if show is not None
        else [t for s in ev.shows for t in s.ptickets]
        if ev is not None
        else store.ptickets
    )
    out = []
    for t in sorted(pool, key=lambda x: x.id):
        values = {
            "external_order_id": t.external_order_id,
            "external_id": t.external_id,
            "barcode": t.barcode,
            "id": str(t.id),
        }
        if all(values[k] is not None and values[k] in vs for k, vs in wanted.items()):
            out.append(ticket_dict(store, t, with_deleted=True))
    return out


def expire_holds(store) -> int:
    """Unpaid tickets whose reserved_to has passed become deleted and free their seats. Runs before every
    Partners call, so it pops due holds off store.hold_heap instead of scanning every ticket."""
    now, heap, n = store.clock.now(), store.hold_heap, 0
    while heap and heap[0][0] <= now:
        _due, tid = heapq.heappop(heap)
        t = store.ptickets_by_id.get(tid)
        if t is None or t.deleted or t.paid or t.reserved_to is None or t.reserved_to > now:
            continue  # paid, removed, already expired, or extended (a newer entry is in the heap)
        t.deleted, t.updated_at = True, t.reserved_to
        seating.release(t.show, t.seat, 1, False)
        n += 1
    if n:
        store.changed()
    return n
