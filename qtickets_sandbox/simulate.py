"""POST /__sandbox/advance: move the clock and let the business happen in the elapsed window.

New orders (some paid within the window, the rest pending), payments or expiries of pending orders,
expired partner holds, refunds and cancellations of paid tickets, door scans of shows under way, new buyers.
Decisions are derived from the seeded simulation RNG and from record ids, so the same calls give the same data.
"""

from __future__ import annotations

from qtickets_sandbox import lifecycle
from qtickets_sandbox.clock import fmt
from qtickets_sandbox.model import basket_is_live, basket_is_valid_ticket
from qtickets_sandbox.order_factory import CARD_TYPES, SeatPicker, build_order, card_number
from qtickets_sandbox.partners_tickets import expire_holds
from qtickets_sandbox.people import new_client
from qtickets_sandbox.webhooks import emit, emit_cancel, emit_refund, emit_scan


def _pay_plan(order) -> tuple[bool, int]:
    """Deterministic per order: does the buyer pay, and how long after creation."""
    h = (order.id * 2654435761) & 0xFFFFFFFF
    return h % 10 < 6, order.created_at + 60 + h % 1500


def advance(store, minutes: float) -> dict:
    rng = store.sim_rng
    old, now = store.clock.advance(int(round(minutes * 60)))
    store.advance_count += 1
    s = {
        "from": fmt(old),
        "to": fmt(now),
        "minutes": minutes,
        "orders_created": 0,
        "orders_paid": 0,
        "orders_expired": 0,
        "baskets_refunded": 0,
        "baskets_cancelled": 0,
        "scans": 0,
        "clients_created": 0,
        "partner_holds_expired": 0,
        "created_order_ids": [],
    }
    if now == old:
        return s
    clients_before = len(store.clients)
    _new_orders(store, rng, old, now, s)
    _settle_pending(store, rng, old, now, s)
    s["partner_holds_expired"] = expire_holds(store)
    _refunds(store, rng, old, now, s)
    _scans(store, rng, old, now, s)
    s["clients_created"] = len(store.clients) - clients_before
    store.changed()
    return s


def _new_orders(store, rng, old, now, s) -> None:
    count = max(2, round((now - old) / 60 * store.n_orders_requested / 43200))
    picker = SeatPicker(rng)
    candidates = [
        sh
        for ev in store.events
        if ev.is_active and ev.deleted_at is None
        for sh in ev.shows
        if sh.is_active and sh.deleted_at is None and sh.sale_start <= now and sh.start - 3600 > old
    ]
    if not candidates:
        return
    for t in sorted(old + rng.randint(1, now - old) for _ in range(min(count, 50000))):
        order = None
        for _ in range(30):  # rejection sampling: a show on sale at t with room left
            show = rng.choice(candidates)
            if show.sale_start <= t < show.start - 3600:
                client = rng.choice(store.clients) if rng.random() < 0.35 else new_client(store, rng)
                order = build_order(store, rng, picker, t, show, client)
                if order is not None:
                    break
        if order is None:
            continue
        store.add_order(order)
        emit(store, "created", order)
        s["orders_created"] += 1
        if len(s["created_order_ids"]) < 1000:
            s["created_order_ids"].append(order.id)


def _settle_pending(store, rng, old, now, s) -> None:
    for order in store.orders:
        if order.payed or order.deleted_at is not None:
            continue
        pays, pay_at = _pay_plan(order)
        if order.reserved and order.reserved_to > now:
            continue
        if pays and old < pay_at <= now and pay_at < order.reserved_to:
            if order.payment_type_id in CARD_TYPES:
                order.card = card_number(rng)
            lifecycle.pay_order(store, order, pay_at)
            emit(store, "payed", order)
            s["orders_paid"] += 1
        elif order.reserved_to <= now:
            lifecycle.expire_order(order, max(order.reserved_to, old + 1))
            emit(store, "deleted", order)
            s["orders_expired"] += 1


def _refunds(store, rng, old, now, s) -> None:
    recent = [o for o in store.orders[-5000:] if o.payed and o.deleted_at is None]
    for _ in range(max(1, s["orders_created"] // 10)):
        if not recent:
            return
        order = rng.choice(recent)
        live = [b for b in order.baskets if basket_is_live(b) and b.show.start > now]
        if not live:
            continue
        basket, at = rng.choice(live), rng.randint(old + 1, now)
        if rng.random() < 0.7:
            lifecycle.refund_baskets(store, order, [basket], at, amount=basket.price * basket.quantity)
            emit_refund(store, order, [basket])
            s["baskets_refunded"] += 1
        else:
            lifecycle.cancel_baskets(order, [basket], at)
            emit_cancel(store, order)
            s["baskets_cancelled"] += 1


def _scans(store, rng, old, now, s) -> None:
    for ev in store.events:
        for show in ev.shows:
            lo, hi = max(show.open_date, old + 1), min(show.start + 1800, now)
            if lo > hi:
                continue
            for b in show.baskets:
                if b.checked_at is None and basket_is_valid_ticket(b) and rng.random() < 0.8:
                    lifecycle.scan(b, rng.randint(lo, hi))
                    emit_scan(store, b)
                    s["scans"] += 1
