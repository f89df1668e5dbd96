"""Seat plans of the venues: zones, rows, seats with coordinates, admission zones and disabled seats.

Three layouts: a theatre (parterre, amphitheatre, balcony, two boxes), a concert hall (parterre, balcony,
VIP) and a club (an admission dance floor with max_quantity N plus a small seated VIP area).
Seat ids follow the real format `ZONE-row;place`; an admission zone is one node `ZONE-1;1`.
"""

from __future__ import annotations

import random

from qtickets_sandbox.model import Scheme, Zone, new
from qtickets_sandbox.reference_data import CITIES, VENUES

# kind -> [(zone id, zone name, rows range, places range, tier, admission capacity or 0)]
LAYOUTS = {
    "theatre": [
        ("PARTERRE", "Партер", (10, 18), (16, 26), 2, 0),
        ("AMPHITHEATRE", "Амфитеатр", (4, 8), (18, 28), 1, 0),
        ("BALCONY", "Балкон", (3, 6), (16, 24), 0, 0),
        ("LEFT_BOX", "Ложа левая", (1, 2), (4, 6), 3, 0),
        ("RIGHT_BOX", "Ложа правая", (1, 2), (4, 6), 3, 0),
    ],
    "hall": [
        ("VIP", "VIP", (2, 4), (10, 16), 2, 0),
        ("PARTERRE", "Партер", (12, 22), (20, 30), 1, 0),
        ("BALCONY", "Балкон", (4, 8), (20, 30), 0, 0),
    ],
    "club": [
        ("DANCEFLOOR", "Танцевальный партер", (1, 1), (1, 1), 0, (150, 600)),
        ("VIP", "VIP-столы", (2, 5), (6, 10), 1, 0),
    ],
}
SEAT_STEP = 30.0


def build_schemes(rng: random.Random) -> list[Scheme]:
    schemes = []
    scheme_id, venue_id = 1001, 501
    cities = {c[0]: c for c in CITIES}
    for city_id in sorted(VENUES):
        for name, address, kind in VENUES[city_id]:
            schemes.append(_build(rng, scheme_id, venue_id, kind, name, address, cities[city_id]))
            scheme_id += 1
            venue_id += 1
    return schemes


def _build(rng, scheme_id, venue_id, kind, name, address, city) -> Scheme:
    s = new(
        Scheme,
        id=scheme_id,
        venue_id=venue_id,
        kind=kind,
        place_name=name,
        place_address=address,
        place_description=f"{name}: вход с главного фасада, гардероб на первом этаже.",
        city=city,
    )
    s.zones, s.seat_root, s.seat_zone, s.seat_row, s.seat_place = [], [], [], [], []
    s.seat_x, s.seat_y, s.seat_max, s.seat_name = [], [], [], []
    disabled = set()
    y = 60.0
    width = 0.0
    for zone_id, zone_name, rows_rng, places_rng, tier, admission in LAYOUTS[kind]:
        z = new(
            Zone,
            idx=len(s.zones),
            id=zone_id,
            name=zone_name,
            description=f"Зона «{zone_name}»",
            admission=bool(admission),
            tier=tier,
            x=40.0,
            y=y,
            start=len(s.seat_root),
        )
        if admission:
            capacity = rng.randint(*admission)
            _add_seat(s, z.idx, f"{zone_id}-1;1", zone_name, 1, 1, 40.0 + 200.0, y + 60.0, capacity)
            z.w, z.h = 480.0, 160.0
        else:
            rows, places = rng.randint(*rows_rng), rng.randint(*places_rng)
            for row in range(1, rows + 1):
                for place in range(1, places + 1):
                    idx = _add_seat(
                        s,
                        z.idx,
                        f"{zone_id}-{row};{place}",
                        f"{zone_name}: ряд {row}, место {place}",
                        row,
                        place,
                        40.0 + place * SEAT_STEP,
                        y + row * SEAT_STEP,
                        1,
                    )
                    if rng.random() < 0.012:  # broken chairs, technical seats
                        disabled.add(idx)
            z.w, z.h = (places + 1) * SEAT_STEP, (rows + 1) * SEAT_STEP
        z.end = len(s.seat_root)
        s.zones.append(z)
        width = max(width, z.x + z.w + 40.0)
        y += z.h + 40.0
    s.width, s.height = round(width, 1), round(y + 20.0, 1)
    s.seat_index = {root: i for i, root in enumerate(s.seat_root)}
    s.disabled = frozenset(disabled)
    s.capacity = sum(m for i, m in enumerate(s.seat_max) if i not in disabled)
    return s


def _add_seat(s, zone_idx, root, seat_name, row, place, x, y, max_quantity) -> int:
    s.seat_root.append(root)
    s.seat_zone.append(zone_idx)
    s.seat_row.append(row)
    s.seat_place.append(place)
    s.seat_x.append(round(x, 1))
    s.seat_y.append(round(y, 1))
    s.seat_max.append(max_quantity)
    s.seat_name.append(seat_name)
    return len(s.seat_root) - 1
