"""Build one order (client, 1-4 baskets on free seats, discount, UTM, payment data) — used by the generator
and by /__sandbox/advance. The caller then applies a lifecycle (pay, expire, refund, cancel)."""

from __future__ import annotations

import random
from array import array

from qtickets_sandbox import seating
from qtickets_sandbox.model import Basket, Order, new
from qtickets_sandbox.people import other_holder
from qtickets_sandbox.reference_data import CARD_BINS, PAYMENT_TYPES, UTM_CAMPAIGNS, UTM_SOURCES

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_PT_CODES = [p[0] for p in PAYMENT_TYPES]
_PT_CUM = []
for _code, _w in PAYMENT_TYPES:
    _PT_CUM.append((_PT_CUM[-1] if _PT_CUM else 0) + _w)
_K_CUM = [45, 75, 90, 100]
CARD_TYPES = {"card", "bankcard", "pushka_card"}


class SeatPicker:
    """Free fixed seats per show in a shuffled stack (built lazily from the occupancy arrays)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.free = {}
        self.admission = {}

    def _stack(self, show):
        stack = self.free.get(show.id)
        if stack is None:
            sc, ordered, disabled = show.event.scheme, show.ordered, show.disabled
            seats = [
                i for i in range(len(sc.seat_root)) if sc.seat_max[i] == 1 and ordered[i] == 0 and i not in disabled
            ]
            self.rng.shuffle(seats)
            stack = self.free[show.id] = array("H", seats)
            self.admission[show.id] = [i for i in range(len(sc.seat_root)) if sc.seat_max[i] > 1 and i not in disabled]
        return stack

    def take(self, show, k: int) -> list[int]:
        stack, ordered, got = self._stack(show), show.ordered, []
        while stack and len(got) < k:
            seat = stack.pop()
            if ordered[seat] == 0:
                got.append(seat)
        return got

    def admission_seat(self, show, quantity: int):
        self._stack(show)
        for seat in self.admission[show.id]:
            if seating.free_quantity(show, seat) >= quantity:
                return seat
        return None

    def give_back(self, show, seat: int) -> None:
        if show.event.scheme.seat_max[seat] == 1:
            stack = self._stack(show)
            stack.insert(self.rng.randrange(len(stack) + 1), seat)


def build_order(store, rng: random.Random, picker: SeatPicker, t: int, show, client, paid_now=False):
    """An unpaid order created at `t` whose seats are occupied; None if the show has no room."""
    ev = show.event
    k = rng.choices((1, 2, 3, 4), cum_weights=_K_CUM)[0]
    seats = []
    if rng.random() < 0.3:
        adm = picker.admission_seat(show, k)
        if adm is not None:
            rng.random()  # kept so the random stream (and the rest of the data) stays as before
            seats = [(adm, 1)] * k  # one basket per admission ticket: quantity is 1 in all real data [OBS]
    if not seats:
        seats = [(s, 1) for s in picker.take(show, k)]
        if not seats:
            return None
    order = new(
        Order,
        id=store.next_id("order"),
        uniqid="".join(rng.choices(ALNUM, k=10)),
        payed=False,
        created_at=t,
        updated_at=t,
        client=client,
        event=ev,
        reserved=False,
        reserve_extended=False,
        reserved_to=t + 1800,
        basket_user_id=rng.randint(100000, 9999999),
        baskets=[],
        refunds=None,
    )
    order.site_id = 1 if rng.random() < 0.8 else 2
    order.payment_id = ev.payments[0]["id"] if rng.random() < 0.8 else ev.payments[-1]["id"]
    ptype = rng.choices(_PT_CODES, cum_weights=_PT_CUM)[0]
    order.payment_type_id = "card" if ptype == "pushka_card" and ev.pushkin_id is None else ptype
    if rng.random() < 0.05:
        order.backend_user_id = rng.choice([11, 12, 17])
    if rng.random() < 0.5:
        src, medium = rng.choice(UTM_SOURCES)
        utm = [("utm_source", src), ("utm_medium", medium), ("utm_campaign", rng.choice(UTM_CAMPAIGNS))]
        if rng.random() < 0.4:
            utm.append(("utm_content", f"banner_{rng.randint(1, 12)}"))
        if rng.random() < 0.3:
            utm.append(("utm_term", rng.choice(["билеты", "концерт", "афиша", "спектакль"])))
        order.utm = tuple(utm)
    if rng.random() < 0.04:
        order.fields = (
            ("organization_name", "ООО «Ромашка-Сервис»"),
            ("inn", str(rng.randint(10**9, 10**10 - 1))),
            ("kpp", str(rng.randint(10**8, 10**9 - 1))),
        )
    if rng.random() < 0.1:
        order.integrations = str(rng.randint(100000, 999999))
    discount = promo = None
    offers = [d for d in ev.discounts if d.is_active and d.deleted_at is None]
    if offers and rng.random() < 0.3:
        discount = rng.choice(offers)
        live_promos = [p for p in discount.promos if p.deleted_at is None and p.is_active]
        if live_promos and rng.random() < 0.5:
            promo = rng.choice(live_promos)
    order.discount_id = discount.id if discount else None
    order.promo_code_id = promo.id if promo else None
    for seat, qty in seats:
        tariff = "full" if len(ev.tariffs) == 1 or rng.random() < 0.75 else rng.choice(ev.tariffs[1:])
        original = seating.seat_price(show, seat, tariff)
        dv = int(round(original * discount.percent / 100.0)) if discount else 0
        b = new(
            Basket,
            id=store.next_id("basket"),
            order=order,
            show=show,
            seat=seat,
            tariff=tariff,
            quantity=qty,
            original_price=original,
            ticket_original_price=original,
            discount_value=dv,
            price=original - dv,
            created_at=t,
            updated_at=t,
        )
        b.holder = client.holder if rng.random() < 0.85 else other_holder(rng)
        seating.occupy(show, seat, qty, False)
        order.baskets.append(b)
    return order


def card_number(rng: random.Random) -> str:
    return f"{rng.choice(CARD_BINS)}******{rng.randint(1000, 9999)}"
