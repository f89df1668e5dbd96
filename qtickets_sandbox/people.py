"""Synthetic buyers: Russian names, example.* emails, +79… phones. Deterministic given the RNG."""

from __future__ import annotations

import random

from qtickets_sandbox.model import Client, new
from qtickets_sandbox.reference_data import (
    EMAIL_DOMAINS,
    FEMALE_NAMES,
    MALE_NAMES,
    PATRONYMICS_F,
    PATRONYMICS_M,
    SURNAMES,
    female_surname,
    translit,
)

_TRANSLIT_CACHE = {}


def _tr(word: str) -> str:
    out = _TRANSLIT_CACHE.get(word)
    if out is None:
        out = _TRANSLIT_CACHE[word] = translit(word)
    return out


def person(rng: random.Random) -> tuple[str, str, str | None]:
    """(name, surname, middlename or None)."""
    if rng.random() < 0.5:
        name, surname, middle = rng.choice(MALE_NAMES), rng.choice(SURNAMES), rng.choice(PATRONYMICS_M)
    else:
        name = rng.choice(FEMALE_NAMES)
        surname, middle = female_surname(rng.choice(SURNAMES)), rng.choice(PATRONYMICS_F)
    return name, surname, (middle if rng.random() < 0.6 else None)


def phone(rng: random.Random) -> str:
    return f"+79{rng.randint(0, 999_999_999):09d}"


def email(rng: random.Random, name: str, surname: str, taken) -> str:
    n, s = _tr(name), _tr(surname)
    pattern = rng.randint(0, 3)
    local = (
        f"{n}.{s}"
        if pattern == 0
        else f"{n[0]}.{s}{rng.randint(70, 99)}"
        if pattern == 1
        else f"{s}{rng.randint(1, 9999)}"
        if pattern == 2
        else f"{n}_{s[:4]}{rng.randint(1, 99)}"
    )
    address = f"{local}@{rng.choice(EMAIL_DOMAINS)}"
    while address.lower() in taken:
        address = f"{local}{rng.randint(100, 99999)}@{rng.choice(EMAIL_DOMAINS)}"
    return address


def new_client(store, rng: random.Random) -> Client:
    name, surname, middle = person(rng)
    c = new(
        Client,
        id=store.next_id("client"),
        name=name,
        surname=surname,
        middlename=middle,
        phone=phone(rng) if rng.random() < 0.9 else None,
        vk_id="",
        facebook_id="",
        version=0,
    )
    c.email = email(rng, name, surname, store.clients_by_email)
    refresh_holder(c)
    store.add_client(c)
    return c


def refresh_holder(c: Client) -> None:
    """The tuple new baskets copy as their ticket holder (shared, so it costs nothing per basket)."""
    c.holder = (c.email, c.phone, c.name, c.surname, c.middlename)


def other_holder(rng: random.Random) -> tuple:
    """A ticket bought for somebody else (a gift): a name, sometimes no contact data."""
    name, surname, middle = person(rng)
    if rng.random() < 0.5:
        return (None, None, name, surname, middle)
    return (email(rng, name, surname, ()), phone(rng), name, surname, middle)
