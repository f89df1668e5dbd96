"""Seat occupancy of a show and seat prices. Every change bumps the show's version (-> last_update_hash)."""

from __future__ import annotations

import hashlib

from qtickets_sandbox.model import Show
from qtickets_sandbox.reference_data import TARIFFS


def free_quantity(show: Show, seat: int) -> int:
    left = show.event.scheme.seat_max[seat] - show.ordered[seat]
    return left if left > 0 else 0


def is_available(show: Show, seat: int, quantity: int = 1) -> bool:
    return seat not in show.disabled and free_quantity(show, seat) >= quantity


def occupy(show: Show, seat: int, quantity: int, paid: bool) -> None:
    show.ordered[seat] += quantity
    if paid:
        show.paid[seat] += quantity
    show.version += 1


def release(show: Show, seat: int, quantity: int, paid: bool) -> None:
    show.ordered[seat] -= quantity
    if paid:
        show.paid[seat] -= quantity
    show.version += 1


def mark_paid(show: Show, seat: int, quantity: int) -> None:
    show.paid[seat] += quantity
    show.version += 1


def last_update_hash(seed: int, show: Show) -> str:
    """40-hex, changes whenever the show's seats change (sales, holds, payments, refunds, edits)."""
    return hashlib.sha1(f"{seed}:{show.id}:{show.version}".encode()).hexdigest()


def tier_price(show: Show, seat: int):
    scheme = show.event.scheme
    return show.prices[show.zone_price[scheme.seat_zone[seat]]]


def seat_price(show: Show, seat: int, tariff: str) -> int:
    """Face price of a seat under a tariff (full / preferential / child), whole roubles rounded to 10."""
    base = tier_price(show, seat)[1]
    factor = TARIFFS.get(tariff, ("", 1.0))[1]
    return base if factor == 1.0 else int(round(base * factor / 10.0)) * 10


def tariff_codes(show: Show) -> list[str]:
    return show.event.tariffs
