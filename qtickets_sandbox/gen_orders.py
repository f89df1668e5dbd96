"""Generate orders over the months before the anchor, then partner tickets and scans.

Shares (of the non-pending orders): ~72% paid, ~20% unpaid and expired, ~5% paid with refunded baskets,
~3% paid with cancelled baskets; ~2% of all orders are still pending (short holds or long reservations).
Orders are produced in created_at order, so ids grow with time and a seat freed by an expiry can be sold again.
"""

from __future__ import annotations

import bisect
import math
import random

from qtickets_sandbox import lifecycle, people, seating
from qtickets_sandbox.model import PartnerTicket, basket_is_valid_ticket, new
from qtickets_sandbox.order_factory import CARD_TYPES, SeatPicker, build_order, card_number
from qtickets_sandbox.people import new_client, person, phone

DAY = 86400


def sale_window(show, anchor: int) -> tuple[int, int]:
    return show.sale_start, min(show.start - 3600, anchor - 60)


def generate_orders(store, n: int) -> None:
    rng = random.Random(f"{store.seed}:orders")
    anchor = store.clock.now()
    sellable = [
        sh
        for ev in store.events
        if ev.is_active and ev.deleted_at is None
        for sh in ev.shows
        if sh.is_active and sh.deleted_at is None and sale_window(sh, anchor)[1] > sh.sale_start + 3600
    ]
    cum, total = [], 0.0
    for sh in sellable:
        total += sh.event.scheme.capacity * sh.event.popularity
        cum.append(total)
    upcoming = [sh for sh in sellable if sh.start > anchor + 6 * 3600]
    n_pending = max(1, n // 50) if upcoming else 0
    skeletons = []
    for _ in range(n - n_pending):
        sh = sellable[bisect.bisect_left(cum, rng.random() * total)]
        lo, hi = sale_window(sh, anchor)
        skeletons.append((lo + int((hi - lo) * math.sqrt(rng.random())), sh.id, 0))  # sales speed up late
    for i in range(n_pending):
        sh = rng.choice(upcoming)
        if i % 2 == 0:
            skeletons.append((anchor - rng.randint(60, 1500), sh.id, 1))  # short hold, still running
        else:
            skeletons.append((max(sh.sale_start, anchor - rng.randint(1, 10) * DAY), sh.id, 2))  # long reservation
    skeletons.sort()
    picker = SeatPicker(rng)
    for t, show_id, kind in skeletons:
        show = store.shows_by_id[show_id]
        client = rng.choice(store.clients) if store.clients and rng.random() < 0.35 else new_client(store, rng)
        order = build_order(store, rng, picker, t, show, client)
        for _retry in range(40):
            if order is not None:
                break
            alt = sellable[bisect.bisect_left(cum, rng.random() * total)]
            lo, hi = sale_window(alt, anchor)
            if lo <= t <= hi or _retry > 30:
                order = build_order(store, rng, picker, t, alt, client)
        if order is None:
            continue
        _lifecycle(store, rng, picker, order, kind, anchor)
        store.add_order(order)
    for _ in range(max(1, len(store.clients) // 20)):  # registered buyers without orders
        new_client(store, rng)
    generate_partner_tickets(store, rng, picker, max(5, round(n * 0.04)))
    generate_scans(store, rng, anchor)


def _lifecycle(store, rng, picker, order, kind, anchor) -> None:
    t = order.created_at
    show = order.baskets[0].show
    if kind == 2:
        order.reserved, order.reserve_extended = True, rng.random() < 0.5
        order.reserved_to = anchor + rng.randint(1, 5) * DAY
        return
    if kind == 1:
        return
    r = rng.random()
    status = "paid" if r < 0.72 else "expired" if r < 0.92 else "refund" if r < 0.97 else "cancel"
    pay_at = t + rng.randint(60, 1200)
    if status == "expired":
        if t + 1920 > anchor:
            return  # still inside its 30-minute hold
        lifecycle.expire_order(order, t + 1800 + rng.randint(0, 120))
        _give_back(picker, order.baskets)
        return
    if pay_at > anchor:
        return
    if order.payment_type_id in CARD_TYPES:
        order.card = card_number(rng)
    lifecycle.pay_order(store, order, pay_at)
    if status == "paid":
        return
    cap = min(anchor, show.start)
    if cap - pay_at < 1200:
        return
    when = pay_at + rng.randint(600, min(30 * DAY, cap - pay_at))
    n = len(order.baskets)
    chosen = rng.sample(order.baskets, rng.randint(1, n - 1) if n > 1 and rng.random() < 0.8 else n)
    chosen.sort(key=lambda b: b.id)
    if status == "refund":
        if rng.random() < 0.5:
            lifecycle.refund_baskets(store, order, chosen, when, amount=sum(b.price * b.quantity for b in chosen))
        else:
            deduction = round(0.1 * sum(b.price * b.quantity for b in chosen))
            lifecycle.refund_baskets(store, order, chosen, when, deduction=deduction)
    else:
        lifecycle.cancel_baskets(order, chosen, when)
    _give_back(picker, chosen)


def _give_back(picker, baskets) -> None:
    for b in baskets:
        picker.give_back(b.show, b.seat)


def generate_partner_tickets(store, rng, picker, n: int) -> None:
    anchor = store.clock.now()
    shows = [
        sh
        for ev in store.events
        if ev.partner_enabled and ev.is_active and ev.deleted_at is None
        for sh in ev.shows
        if sh.start > anchor + 3600 and sh.is_active and sh.deleted_at is None
    ]
    made = 0
    while shows and made < n:
        show = rng.choice(shows)
        ext_order = f"PO-{rng.randint(1_000_000, 9_999_999)}"
        state = rng.choices(["paid", "hold", "deleted"], [60, 15, 25])[0]
        created = anchor - rng.randint(600, 40 * DAY)
        name, surname, middle = person(rng)
        for _ in range(rng.randint(1, 3)):
            seats = picker.take(show, 1)
            seat = seats[0] if seats else picker.admission_seat(show, 1)
            if seat is None:
                break
            offer = "full" if rng.random() < 0.8 else rng.choice(show.event.tariffs)
            t = new(
                PartnerTicket,
                id=store.next_id("pticket"),
                event=show.event,
                show=show,
                seat=seat,
                offer_id=offer,
                paid=False,
                price=seating.seat_price(show, seat, offer),
                external_id=f"EXT-{rng.randint(10**8, 10**9 - 1)}",
                external_order_id=ext_order,
                client_email=people.email(rng, name, surname, ()),
                client_phone=phone(rng),
                client_name=name,
                client_surname=surname,
                client_middlename=middle,
                deleted=False,
                created_at=created,
                updated_at=created,
                user_session=f"sess-{rng.getrandbits(64):016x}",
            )
            if state == "deleted":
                t.reserved_to = created + 1800
                t.deleted = True
                t.updated_at = t.reserved_to
                picker.give_back(show, seat)
            elif state == "hold":
                t.reserved_to = anchor + rng.randint(3600, 3 * DAY)
                seating.occupy(show, seat, 1, False)
            else:
                t.paid, t.paid_at = True, created + rng.randint(60, 900)
                t.barcode = store.new_barcode()
                t.updated_at = t.paid_at
                seating.occupy(show, seat, 1, True)
            store.add_pticket(t)
            made += 1


def generate_scans(store, rng, anchor: int) -> None:
    """Past shows: most valid tickets were scanned at the door."""
    for ev in store.events:
        for show in ev.shows:
            if show.start >= anchor:
                continue
            for b in show.baskets:
                if basket_is_valid_ticket(b) and rng.random() < 0.85:
                    at = max(b.order.payed_at + 60, show.open_date + rng.randint(0, show.start - show.open_date + 1800))
                    lifecycle.scan(b, min(anchor, at))
