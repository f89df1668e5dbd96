"""State transitions of orders and baskets, shared by the generator, the REST writes and /__sandbox/advance.

Each transition stamps `updated_at` on what it touched and keeps seat occupancy (seating.py) and the
barcode index consistent. Callers hold store.lock and call store.changed() afterwards.
"""

from __future__ import annotations

from qtickets_sandbox import seating
from qtickets_sandbox.model import Basket, Order, basket_is_live


def _touch(order: Order, baskets, ts: int) -> None:
    for b in baskets:
        if b.updated_at is None or b.updated_at < ts:
            b.updated_at = ts
        b.show.touched += 1  # the show's barcodes and cached fan-out answers may have changed
    if order.updated_at is None or order.updated_at < ts:
        order.updated_at = ts
    order.json = None


def live_baskets(order: Order) -> list[Basket]:
    return [b for b in order.baskets if b.deleted_at is None and b.refunded_at is None]


def pay_order(store, order: Order, ts: int) -> None:
    """Payment: barcodes are assigned and the seats' paid quantity grows."""
    order.payed = True
    order.payed_at = ts
    for b in order.baskets:
        if b.barcode is None:
            b.barcode = store.new_barcode()
            store.barcode_index[b.barcode] = b
        if basket_is_live(b):
            seating.mark_paid(b.show, b.seat, b.quantity)
    _touch(order, order.baskets, ts)


def expire_order(order: Order, ts: int) -> None:
    """An unpaid reservation runs out: deleted_at on the order and on every basket, seats freed."""
    for b in order.baskets:
        if basket_is_live(b):
            seating.release(b.show, b.seat, b.quantity, order.payed)
        if b.deleted_at is None:
            b.deleted_at = ts
    order.deleted_at = ts
    _touch(order, order.baskets, ts)


def cancel_baskets(order: Order, baskets, ts: int) -> None:
    """Tickets cancelled (DELETE /orders/{id}/baskets `delete`); the order goes when no live basket is left."""
    for b in baskets:
        if basket_is_live(b):
            seating.release(b.show, b.seat, b.quantity, order.payed)
        b.deleted_at = ts
    if not live_baskets(order):
        order.deleted_at = ts
    _touch(order, baskets, ts)


def refund_baskets(store, order: Order, baskets, ts: int, amount=None, deduction=None) -> dict:
    """Refund: `amount` (total refunded) or `deduction` (withheld; refund = face value - deduction),
    split over the baskets pro rata to price x quantity. Frees the seats; barcodes stop being valid."""
    values = [b.price * b.quantity for b in baskets]
    total = sum(values)
    if amount is None:
        amount = max(0, total - deduction)
    deduction = round(total - amount, 2)
    rid = store.next_id("refund")
    shares_left_a, shares_left_d = amount, deduction
    for i, b in enumerate(baskets):
        if i == len(baskets) - 1:
            part_a, part_d = round(shares_left_a, 2), round(shares_left_d, 2)
        else:
            ratio = values[i] / total if total else 1.0 / len(baskets)
            part_a, part_d = round(amount * ratio, 2), round(deduction * ratio, 2)
            shares_left_a -= part_a
            shares_left_d -= part_d
        if basket_is_live(b):
            seating.release(b.show, b.seat, b.quantity, order.payed)
        b.refunded_at = ts
        b.refunded_amount = _num(part_a)
        b.refunded_deduction_amount = _num(part_d)
        b.refunds = (b.refunds or []) + [
            {"id": rid, "amount": b.refunded_amount, "deduction_amount": b.refunded_deduction_amount, "created_at": ts}
        ]
    refund = {
        "id": rid,
        "amount": _num(round(amount, 2)),
        "deduction_amount": _num(deduction),
        "baskets": [b.id for b in baskets],
        "created_at": ts,
    }
    order.refunds = (order.refunds or []) + [refund]
    _touch(order, baskets, ts)
    return refund


def restore_order(order: Order, ts: int) -> list[str]:
    """Undo a cancellation. Returns the seat ids that are taken by now (then nothing changes)."""
    revived = [b for b in order.baskets if b.refunded_at is None and b.deleted_at is not None]
    if order.deleted_at is None and not revived:
        return []
    taken = [
        b.show.event.scheme.seat_root[b.seat] for b in revived if not seating.is_available(b.show, b.seat, b.quantity)
    ]
    if taken:
        return taken
    order.deleted_at = None
    for b in revived:
        b.deleted_at = None
        seating.occupy(b.show, b.seat, b.quantity, order.payed)
    if not order.payed:
        order.reserved_to = ts + 1800
    _touch(order, revived, ts)
    return []


def scan(basket: Basket, checked_at: int, ts: int | None = None) -> None:
    """Door scan at `checked_at`; the change itself happens at `ts` (the clock), which stamps updated_at."""
    basket.checked_at = checked_at
    _touch(basket.order, [basket], checked_at if ts is None else ts)


def _num(value):
    """Money as PHP would print it: whole numbers as ints."""
    value = round(float(value), 2)
    return int(value) if value == int(value) else value
