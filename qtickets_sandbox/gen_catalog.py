"""Generate the catalogue: events (several cities, a few inactive or deleted), their shows (some past, most
upcoming), price tiers pointing at colour themes, tariffs, discounts and promo codes."""

from __future__ import annotations

import random
from array import array
from datetime import datetime

from qtickets_sandbox.clock import MSK
from qtickets_sandbox.model import Discount, Event, PromoCode, Show, new
from qtickets_sandbox.reference_data import AGES, CITIES, EVENT_TITLES, EVENT_TYPES, translit
from qtickets_sandbox.schemes import build_schemes
from qtickets_sandbox.store import Store

DAY = 86400
MONTHS_RU = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]
PAYMENTS = [
    {
        "id": 701,
        "is_active": True,
        "name": "Банковская карта (PayAnyWay)",
        "handler": "payanyway",
        "agree_url": "https://qtickets.ru/agreement",
    },
    {"id": 702, "is_active": True, "name": "СБП", "handler": "sbp", "agree_url": "https://qtickets.ru/agreement"},
]


def generate_catalog(store: Store, n_orders: int) -> None:
    rng = random.Random(f"{store.seed}:catalog")
    store.schemes = build_schemes(rng)
    by_city = {}
    for sc in store.schemes:
        by_city.setdefault(sc.city[0], []).append(sc)
    n_events = max(6, round(n_orders / 150))
    city_weights = [c[5] for c in CITIES]
    for i in range(n_events):
        city = CITIES[i] if i < len(CITIES) else rng.choices(CITIES, city_weights)[0]
        store.add_event(_event(store, rng, city, rng.choice(by_city[city[0]])))
    _discounts(store, rng, n_orders)


def _event(store, rng, city, scheme) -> Event:
    anchor = store.clock.now()
    eid = store.next_id("event")
    type_id = rng.choice(sorted(EVENT_TYPES))
    name = rng.choice(EVENT_TITLES[type_id])
    created = anchor - rng.randint(60 * DAY, 400 * DAY) + rng.randint(0, DAY)
    ev = new(
        Event,
        id=eid,
        name=name,
        scheme=scheme,
        city=city,
        event_type_id=type_id,
        is_active=1 if rng.random() < 0.93 else 0,
        created_at=created,
        updated_at=created,
        description=f"{EVENT_TYPES[type_id]} «{name}» в {city[1]}. Продолжительность около двух часов.",
        ticket_id=31,
        mail_template_id=41,
        age=rng.choice(AGES),
        payments=PAYMENTS,
        place_name=scheme.place_name,
        place_address=f"{city[1]}, {scheme.place_address}",
        place_description=scheme.place_description,
        discounts=[],
    )
    ev.slug = f"{translit(name)}-{eid}"
    ev.site_url = f"https://{city[4]}.qtickets.events/{eid}-{ev.slug}"
    ev.poster = {
        "id": 880000 + eid,
        "content_type": "image/jpeg",
        "file_size": rng.randint(80_000, 900_000),
        "url": f"https://qtickets.ru/uploads/posters/{eid}.jpg",
    }
    ev.tariffs = ["full"] + rng.sample(["preferential", "child"], rng.choice([1, 1, 2]))
    ev.partner_enabled = rng.random() < 0.85
    ev.fanid_required = False
    ev.doc_verification = city[0] == 1 and rng.random() < 0.3
    ev.pushkin_id = rng.randint(100000, 999999) if rng.random() < 0.3 else None
    ev.popularity = rng.choice([0.4, 0.7, 1.0, 1.0, 1.5, 2.5])
    if rng.random() < 0.04:
        ev.deleted_at = min(anchor - DAY, created + rng.randint(DAY, 30 * DAY))
        ev.updated_at = ev.deleted_at
    ev.shows = _shows(store, rng, ev)
    if ev.updated_at < ev.shows[-1].updated_at:
        ev.updated_at = ev.shows[-1].updated_at
    return ev


def _shows(store, rng, ev) -> list[Show]:
    anchor = store.clock.now()
    count = rng.choices([1, 2, 3, 4], [40, 30, 20, 10])[0]
    past = rng.random() < 0.25
    first_day = anchor + (rng.randint(-120, -2) if past else rng.randint(3, 180)) * DAY
    first_day -= (first_day + 3 * 3600) % DAY  # midnight, Moscow time
    shows, scheme = [], ev.scheme
    day = first_day
    for _n in range(count):
        start = day + rng.choice([12, 15, 19, 19, 19, 20]) * 3600 + rng.choice([0, 0, 1800])
        sid = store.next_id("show")
        sh = new(
            Show,
            id=sid,
            event=ev,
            is_active=1 if rng.random() < 0.96 else 0,
            start=start,
            open_date=start - 3600,
            finish=start + rng.choice([90, 120, 150, 180]) * 60,
            sale_start=ev.created_at + rng.randint(0, 5 * DAY),
            sale_finish=start,
            created_at=ev.created_at,
            updated_at=ev.created_at,
            version=1,
            touched=0,
            series=str(rng.randint(100_000_000, 999_999_999)),
            baskets=[],
            ptickets=[],
        )
        sh.name = _ru_date(start)
        base = rng.choice([500, 700, 900, 1200, 1500, 2000, 2500, 3000])
        tiers = sorted({z.tier for z in scheme.zones})
        colors = rng.sample([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], len(tiers))
        sh.prices = []
        for k, tier in enumerate(tiers):
            price = int(round(base * (1 + 0.5 * tier) / 100.0)) * 100
            sh.prices.append([store.next_id("price"), price, colors[k], []])
        tier_pos = {tier: k for k, tier in enumerate(tiers)}
        sh.zone_price = [tier_pos[z.tier] for z in scheme.zones]
        sh.ordered = array("H", bytes(2 * len(scheme.seat_root)))
        sh.paid = array("H", bytes(2 * len(scheme.seat_root)))
        sh.disabled = scheme.disabled
        if rng.random() < 0.03:
            sh.deleted_at = min(anchor - 60, ev.created_at + rng.randint(DAY, 20 * DAY))
            sh.updated_at = sh.deleted_at
        shows.append(sh)
        day += rng.randint(1, 7) * DAY
    return shows


def _ru_date(ts: int) -> str:
    d = datetime.fromtimestamp(ts, MSK)
    return f"{d.day} {MONTHS_RU[d.month - 1]} {d.year}, {d.hour:02d}:{d.minute:02d}"


def _discounts(store, rng, n_orders) -> None:
    anchor = store.clock.now()
    live_events = [e for e in store.events if e.deleted_at is None]
    for _ in range(max(3, round(n_orders / 500))):
        did = store.next_id("discount")
        pct = rng.choice([5, 10, 10, 15, 20, 30])
        created = anchor - rng.randint(30 * DAY, 300 * DAY)
        d = new(
            Discount,
            id=did,
            is_active=1 if rng.random() < 0.85 else 0,
            type="P",
            percent=pct,
            name=rng.choice(
                ["Ранняя продажа", "Студентам", "Пенсионерам", "Групповая", "Чёрная пятница", "Для подписчиков"]
            )
            + f" {pct}%",
            created_at=created,
            updated_at=created,
            promos=[],
        )
        if rng.random() < 0.5:
            d.active_from = created
            d.active_to = anchor + rng.randint(-20, 200) * DAY
        d.events = rng.sample(live_events, min(len(live_events), rng.randint(1, 3)))
        if rng.random() < 0.1:
            d.deleted_at = created + rng.randint(DAY, 20 * DAY)
            d.updated_at = d.deleted_at
        elif d.is_active:
            for ev in d.events:
                ev.discounts.append(d)
        store.discounts.append(d)
        store.discounts_by_id[did] = d
        for _k in range(rng.choice([0, 1, 2, 2, 3, 4])):
            _promo(store, rng, d)
    # the API groups promo codes by discount, not by id: keep creation order shuffled within a discount
    store.promos.sort(key=lambda p: (p.discount_id, p.code))


def _promo(store, rng, d) -> None:
    pid = store.next_id("promo")
    if rng.random() < 0.5:
        code = f"{rng.randint(100000, 999999)}-{rng.randint(10000, 99999)}-{rng.randint(1, 9)}"
    else:
        code = rng.choice(["promo", "sale", "vesna", "osen", "friends", "vip"]) + str(rng.randint(5, 99))
    created = d.created_at + rng.randint(0, 10 * DAY)
    p = new(
        PromoCode,
        id=pid,
        is_active=1 if rng.random() < 0.9 else 0,
        type=0,
        discount_id=d.id,
        code=code,
        max_uses_count=rng.choice([0, 0, 1, 5, 10, 100]),
        created_at=created,
        updated_at=created,
    )
    if rng.random() < 0.4:
        p.active_from, p.active_to = created, created + rng.randint(10, 120) * DAY
    if rng.random() < 0.08:
        p.deleted_at = created + DAY
        p.updated_at = p.deleted_at
    d.promos.append(p)
    store.promos.append(p)
    store.promos_by_id[pid] = p
