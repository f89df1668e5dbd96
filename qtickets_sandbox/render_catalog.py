"""Events (with shows), discounts, promo codes, colour themes, seats and barcodes as the REST API renders them.

Seats: one node per physical seat [INF]. The docs' ids carry the tariff prefix (`full_RIGHT_PARTERRE-1;6`);
we keep that format with the show's base tariff, and expose the bare id in `root_id` (= basket `seat_id`),
so Σmax_quantity over the flat map is the show's capacity (one node per tariff would double count it).
"""

from __future__ import annotations

from qtickets_sandbox import seating
from qtickets_sandbox.clock import fmt
from qtickets_sandbox.model import basket_is_valid_ticket
from qtickets_sandbox.reference_data import COLOR_THEMES, TARIFFS

TICKET_TEMPLATE = {"id": 31, "is_active": 1, "name": "Стандартный билет"}
MAIL_TEMPLATE = {"id": 41, "is_active": 1, "name": "Стандартное письмо"}
SPREAD = {"partner_id": None, "users": None, "client_groups": None, "client_emails": None, "agents": False}


def color_themes() -> list:
    return [{"id": cid, "color": color} for cid, color in COLOR_THEMES]


def _price_dict(entry) -> dict:
    # `modifiers` is [] in every real price [OBS]; the tariff prices live in the seats and Partners offers
    return {"id": entry[0], "default_price": entry[1], "color_theme": str(entry[2]), "modifiers": []}


def show_has_price_range(show) -> bool:
    """min_price / max_price are null in some real shows [OBS]. Here: for an inactive show or a show of an
    inactive event (not on sale, nothing to quote) [INF]; a price object otherwise."""
    return bool(show.is_active and show.event.is_active and show.prices)


def _spread() -> dict:
    return {"enabled": "0", "users": []}


def _zone_rows(scheme, z) -> range:
    """Row numbers of a zone: seats are laid out row by row from row 1, so the last seat has the last row."""
    return range(1, scheme.seat_row[z.end - 1] + 1) if z.end > z.start else range(0)


def scheme_properties(show) -> dict:
    """The show's overrides of its hall scheme, shaped like the real ones (every leaf value a string) [OBS]:
    admin.zones.<zone>.{opened, was_opened, rows.<n>.{opened, was_opened}};
    zones.<zone>.{disabled, shared, price_id, label, spread{enabled, users[]}, rows.<n>.{disabled, price_id, spread}};
    seats.<seat_id>.{hot, max_quantity, shared_max_quantity, show_free_quantity, disabled, price_id, spread}.
    Seats are listed only where the scheme overrides them (disabled seats, admission capacities), so the event
    payload stays small. A disabled fixed seat has max_quantity "" (no capacity override; real seats can have
    "" there [OBS]); an admission node carries its capacity as a string [INF values]."""
    scheme = show.event.scheme
    admin, zones, price_of_zone = {}, {}, {}
    for z in scheme.zones:
        price_id = price_of_zone[z.idx] = str(show.prices[show.zone_price[z.idx]][0])
        rows = _zone_rows(scheme, z)
        admin[z.id] = {
            "opened": "1",
            "was_opened": "1",
            "rows": {str(r): {"opened": "1", "was_opened": "1"} for r in rows},
        }
        zones[z.id] = {
            "disabled": "0",
            "shared": "0",
            "price_id": price_id,
            "label": z.name,
            "spread": _spread(),
            "rows": {str(r): {"disabled": "0", "price_id": price_id, "spread": _spread()} for r in rows},
        }
    overrides = set(show.disabled) | {z.start for z in scheme.zones if z.admission}
    seats = {}
    for i in sorted(overrides):
        price_id = price_of_zone[scheme.seat_zone[i]]
        if i in show.disabled:
            seats[scheme.seat_root[i]] = {
                "hot": "0",
                "max_quantity": "",
                "shared_max_quantity": "",
                "show_free_quantity": "0",
                "disabled": "1",
                "price_id": price_id,
                "spread": _spread(),
            }
        else:
            seats[scheme.seat_root[i]] = {
                "hot": "0",
                "max_quantity": str(scheme.seat_max[i]),
                "shared_max_quantity": "0",
                "show_free_quantity": "1",
                "disabled": "0",
                "price_id": price_id,
                "spread": _spread(),
            }
    return {"admin": {"zones": admin}, "zones": zones, "seats": seats}


def show_dict(show) -> dict:
    prices = [_price_dict(p) for p in show.prices]
    by_price = sorted(prices, key=lambda p: (p["default_price"], p["id"])) if show_has_price_range(show) else []
    return {
        "id": show.id,
        "name": show.name,
        "is_active": show.is_active,
        "sale_start_date": fmt(show.sale_start),
        "sale_finish_date": fmt(show.sale_finish),
        "open_date": fmt(show.open_date),
        "start_date": fmt(show.start),
        "finish_date": fmt(show.finish),
        "scheme_properties": scheme_properties(show),
        "prices": prices,
        "min_price": dict(by_price[0]) if by_price else None,
        "max_price": dict(by_price[-1]) if by_price else None,
        "created_at": fmt(show.created_at),
        "updated_at": fmt(show.updated_at),
        "deleted_at": fmt(show.deleted_at),
    }


def event_dict(ev) -> dict:
    city, scheme = ev.city, ev.scheme
    lat = round(city[3][0] + (scheme.venue_id % 7) * 0.003, 6)
    lon = round(city[3][1] + (scheme.venue_id % 5) * 0.004, 6)
    return {
        "id": ev.id,
        "is_active": ev.is_active,
        "name": ev.name,
        "scheme_id": scheme.id,
        "currency_id": "RUB",
        "place_name": ev.place_name,
        "place_address": ev.place_address,
        "place_description": ev.place_description,
        "city_id": city[0],
        "description": ev.description,
        "site_url": ev.site_url,
        "external_id": ev.external_id,
        "ticket_id": ev.ticket_id,
        "mail_template_id": ev.mail_template_id,
        "age": ev.age,
        "shows": [show_dict(s) for s in ev.shows],
        "payments": [dict(p) for p in ev.payments],
        "poster": dict(ev.poster),
        "event_type_id": ev.event_type_id,
        "city": {"id": city[0], "name": city[1], "timezone": city[2]},
        "ticket": dict(TICKET_TEMPLATE),
        "mail_template": dict(MAIL_TEMPLATE),
        "slug": ev.slug,
        "place_coordinates": [lat, lon],
        "url": f"https://qtickets.ru/event/{ev.id}",
        "created_at": fmt(ev.created_at),
        "updated_at": fmt(ev.updated_at),
        "deleted_at": fmt(ev.deleted_at),
    }


def discount_dict(d) -> dict:
    return {
        "id": d.id,
        "is_active": d.is_active,
        "name": d.name,
        "active_from": fmt(d.active_from),
        "active_to": fmt(d.active_to),
        "type": d.type,
        "events": [
            {"id": e.id, "is_active": e.is_active, "name": e.name, "deleted_at": fmt(e.deleted_at)} for e in d.events
        ],
        "shows": [
            {
                "id": s.id,
                "is_active": s.is_active,
                "event_id": e.id,
                "sale_start_date": fmt(s.sale_start),
                "sale_finish_date": fmt(s.sale_finish),
                "open_date": fmt(s.open_date),
                "start_date": fmt(s.start),
                "finish_date": fmt(s.finish),
                "created_at": fmt(s.created_at),
                "updated_at": fmt(s.updated_at),
                "deleted_at": fmt(s.deleted_at),
            }
            for e in d.events
            for s in e.shows
        ],
        "created_at": fmt(d.created_at),
        "updated_at": fmt(d.updated_at),
        "deleted_at": fmt(d.deleted_at),
    }


def promo_dict(p) -> dict:
    return {
        "id": p.id,
        "is_active": p.is_active,
        "type": p.type,
        "discount_id": p.discount_id,
        "code": p.code,
        "max_uses_count": p.max_uses_count,
        "active_from": fmt(p.active_from),
        "active_to": fmt(p.active_to),
        "created_at": fmt(p.created_at),
        "updated_at": fmt(p.updated_at),
        "deleted_at": fmt(p.deleted_at),
    }


def seat_dict(show, i: int) -> dict:
    scheme = show.event.scheme
    zone = scheme.zones[scheme.seat_zone[i]]
    code = show.event.tariffs[0]
    root, row, place = scheme.seat_root[i], scheme.seat_row[i], scheme.seat_place[i]
    ordered = show.ordered[i]
    free = seating.free_quantity(show, i)
    disabled = i in show.disabled
    entry = seating.tier_price(show, i)
    return {
        "id": f"{code}_{root}",
        "root_id": root,
        "name": scheme.seat_name[i],
        "zone_id": f"{code}_{zone.id}",
        "zone_root_id": zone.id,
        "short_seat_id": f"{row};{place}",
        "admission": zone.admission,
        "row": str(row),
        "place": str(place),
        "max_quantity": scheme.seat_max[i],
        "free_quantity": free,
        "ordered_quantity": ordered,
        "available": free > 0 and not disabled,
        "disabled": disabled,
        "ordered": ordered > 0,
        "payed_quantity": show.paid[i],
        "in_basket_quantity": 0,
        "price": float(seating.seat_price(show, i, code)),
        "currency_id": "RUB",
        "related_seats": [],
        "multiprice_name": TARIFFS[code][0],
        "multiprice_code": code,
        "spread": dict(SPREAD),
        "color_theme_id": entry[2],
        "coords": [scheme.seat_x[i], scheme.seat_y[i]],
    }


def seats_flat(show) -> dict:
    return {f"{show.event.tariffs[0]}_{root}": seat_dict(show, i) for i, root in enumerate(show.event.scheme.seat_root)}


def barcode_items(show) -> list:
    """Currently valid tickets of a show: paid live baskets and paid live partner tickets."""
    scheme = show.event.scheme
    out = []
    for b in show.baskets:
        if basket_is_valid_ticket(b):
            h = b.holder
            out.append(_barcode(scheme, b.seat, b.barcode, b.price, h[2], h[3], h[4], b.checked_at))
    for t in show.ptickets:
        if t.paid and not t.deleted and t.barcode:
            out.append(
                _barcode(
                    scheme,
                    t.seat,
                    t.barcode,
                    t.price,
                    t.client_name,
                    t.client_surname,
                    t.client_middlename,
                    t.checked_at,
                )
            )
    return out


def _barcode(scheme, seat, code, price, name, surname, middle, checked_at) -> dict:
    zone = scheme.zones[scheme.seat_zone[seat]]
    return {
        "barcode": code,
        "admission": zone.admission,
        "price": float(price),
        "seat_name": scheme.seat_name[seat],
        "zone_name": zone.name,
        "row": None if zone.admission else str(scheme.seat_row[seat]),
        "place": None if zone.admission else str(scheme.seat_place[seat]),
        "client_name": name,
        "client_surname": surname,
        "client_middlename": middle,
        "checked_at": fmt(checked_at),
    }
