"""The per-show fan-out answers the platform pulls once per show: GET /shows/{id}/seats (flat),
GET /shows/{id}/barcodes and Partners tickets/find/{event_id}/{show_id} with an empty filter.

Two things make them cheap, neither changes a byte of the answers (the tests compare every show against the
reference renderers in render_catalog / partners_tickets, after writes of every kind):

* fast renderers: the static part of every seat and barcode item (ids, names, zone, row, place, coords) is
  escaped once per hall scheme and kept on it (scheme.seat_fast); an answer is only joined from those pieces
  and the few live numbers;
* a cache of whole answers per show, bounded in bytes per kind of answer, valid while the show's stamp
  (show.version, show.touched) is unchanged. `version` moves with every seat change (seating.py, also Partners' last_update_hash); `touched`
  moves with every other change these answers show (lifecycle._touch: payment, expiry, cancel, refund,
  restore, scans, basket edits; Partners ticket updates and scans), so last_update_hash keeps its meaning.

Requests with `select`, `where`, a non-flat seat map, a filter, or a payload mode for the resource take the
reference path and are never cached.
"""

from __future__ import annotations

from json.encoder import encode_basestring_ascii as _esc

from qtickets_sandbox.reference_data import TARIFFS
from qtickets_sandbox.render_orders_fast import _t, _v

DEFAULT_BUDGET_MB = 128  # per kind of answer (seats, barcodes, partner_find): at most 3 x this in all
_SPREAD = ',"spread":{"partner_id":null,"users":null,"client_groups":null,"client_emails":null,"agents":false}'


class _Mids(dict):
    """(max_quantity, ordered, paid, disabled) -> the live middle of a seat's JSON, made on first use. Fixed
    seats have a handful of states; admission nodes a few hundred at most."""

    def __missing__(self, key):
        value = self[key] = _mid(*key).encode()
        return value


_MIDS = _Mids()


class FanoutCache:
    """Rendered answers keyed by (kind, show id); each kind holds at most `budget_bytes` of answers.

    Callers hold store.lock. An entry serves only while the show's stamp is the one it was rendered at; a stale
    entry is dropped when its show is asked again, and the new render takes its place if it fits. When a kind
    is full, new answers are served but not kept (no eviction). The platform pulls every show once per run, in
    the same order each time: an LRU would evict every answer before its next use as soon as one pass is larger
    than the budget, whereas keeping the first answers gives repeated passes a hit rate of budget / total.
    """

    def __init__(self, budget_bytes: int):
        self.budget = max(0, int(budget_bytes))
        self.entries = {}
        self.bytes = {}
        self.hits = self.misses = self.not_kept = 0

    def get(self, kind: str, show):
        key = (kind, show.id)
        hit = self.entries.get(key)
        if hit is not None:
            if hit[0] == (show.version, show.touched):
                self.hits += 1
                return hit[1]
            del self.entries[key]
            self.bytes[kind] -= len(hit[1])
        self.misses += 1
        return None

    def put(self, kind: str, show, body: bytes) -> bytes:
        used = self.bytes.get(kind, 0)
        if used + len(body) <= self.budget:
            self.entries[(kind, show.id)] = ((show.version, show.touched), body)
            self.bytes[kind] = used + len(body)
        else:
            self.not_kept += 1
        return body

    def stats(self) -> dict:
        return {
            "entries": len(self.entries),
            "bytes": sum(self.bytes.values()),
            "bytes_by_kind": dict(self.bytes),
            "budget_bytes_per_kind": self.budget,
            "hits": self.hits,
            "misses": self.misses,
            "not_kept": self.not_kept,
        }


def cached(store, kind: str, show, render) -> bytes:
    cache = store.fanout_cache
    body = cache.get(kind, show)
    return body if body is not None else cache.put(kind, show, render(show))


# -- GET /shows/{id}/seats with {"flat": true} --


def _seat_parts(scheme, code: str):
    """Per seat: the escaped text before free_quantity and after the coords' opening bracket."""
    fast = scheme.seat_fast
    if fast is None:
        fast = scheme.seat_fast = {}
    parts = fast.get(("seats", code))
    if parts is None:
        heads, tails = [], []
        for i, root in enumerate(scheme.seat_root):
            zone = scheme.zones[scheme.seat_zone[i]]
            row, place = scheme.seat_row[i], scheme.seat_place[i]
            key = _esc(f"{code}_{root}")
            heads.append(
                "".join(
                    (
                        key,
                        ':{"id":',
                        key,
                        ',"root_id":',
                        _esc(root),
                        ',"name":',
                        _esc(scheme.seat_name[i]),
                        ',"zone_id":',
                        _esc(f"{code}_{zone.id}"),
                        ',"zone_root_id":',
                        _esc(zone.id),
                        ',"short_seat_id":',
                        _esc(f"{row};{place}"),
                        ',"admission":',
                        "true" if zone.admission else "false",
                        ',"row":',
                        _esc(str(row)),
                        ',"place":',
                        _esc(str(place)),
                        ',"max_quantity":',
                        _v(scheme.seat_max[i]),
                        ',"free_quantity":',
                    )
                )
                .replace("/", "\\/")
                .encode()
            )
            tails.append((_v(scheme.seat_x[i]) + "," + _v(scheme.seat_y[i]) + "]}").replace("/", "\\/").encode())
        parts = fast[("seats", code)] = (heads, tails)
    return parts


def _mid(m: int, o: int, p: int, d: bool) -> str:
    free = m - o if m > o else 0
    return "".join(
        (
            str(free),
            ',"ordered_quantity":',
            str(o),
            ',"available":',
            "true" if free > 0 and not d else "false",
            ',"disabled":',
            "true" if d else "false",
            ',"ordered":',
            "true" if o > 0 else "false",
            ',"payed_quantity":',
            str(p),
            ',"in_basket_quantity":0,"price":',
        )
    )


def seats_flat_body(show) -> bytes:
    """== dumps({"data": {seat["id"]: seat for every seat_dict(show, i)} or []}).

    The per-seat loop runs in C (map/zip over the occupancy arrays and the scheme's pieces): about 0.2 µs a
    seat instead of building a dict per seat and encoding it."""
    scheme = show.event.scheme
    if not scheme.seat_root:
        return b'{"data":[]}'
    code = show.event.tariffs[0]
    heads, tails = _seat_parts(scheme, code)
    tariff = (
        ',"currency_id":"RUB","related_seats":[],"multiprice_name":'
        + _esc(TARIFFS[code][0])
        + ',"multiprice_code":'
        + _esc(code)
        + _SPREAD
        + ',"color_theme_id":'
    )
    zone_parts = []
    for z in scheme.zones:
        entry = show.prices[show.zone_price[z.idx]]
        base = entry[1]
        factor = TARIFFS.get(code, ("", 1.0))[1]
        price = base if factor == 1.0 else int(round(base * factor / 10.0)) * 10  # seating.seat_price
        zone_parts.append((_v(float(price)) + tariff + _v(entry[2]) + ',"coords":[').replace("/", "\\/").encode())
    flags = _disabled_flags(scheme, show.disabled)
    mids = map(_MIDS.__getitem__, zip(scheme.seat_max, show.ordered, show.paid, flags))
    zones = map(zone_parts.__getitem__, scheme.seat_zone)
    pieces = list(map(b"".join, zip(heads, mids, zones, tails)))
    pieces[0] = b'{"data":{' + pieces[0]
    pieces[-1] += b"}}"
    return b",".join(pieces)  # one allocation of the whole answer


def _disabled_flags(scheme, disabled) -> list:
    if disabled is not scheme.disabled:  # never in generated data: shows share their scheme's set
        return [i in disabled for i in range(len(scheme.seat_root))]
    flags = scheme.seat_fast.get("disabled")
    if flags is None:
        flags = scheme.seat_fast["disabled"] = [i in disabled for i in range(len(scheme.seat_root))]
    return flags


# -- GET /shows/{id}/barcodes --


def _barcode_parts(scheme):
    fast = scheme.seat_fast
    if fast is None:
        fast = scheme.seat_fast = {}
    parts = fast.get("barcodes")
    if parts is None:
        heads, tails = [], []
        for i in range(len(scheme.seat_root)):
            zone = scheme.zones[scheme.seat_zone[i]]
            heads.append(',"admission":' + ("true" if zone.admission else "false") + ',"price":')
            row = "null" if zone.admission else _esc(str(scheme.seat_row[i]))
            place = "null" if zone.admission else _esc(str(scheme.seat_place[i]))
            tails.append(
                "".join(
                    (
                        ',"seat_name":',
                        _esc(scheme.seat_name[i]),
                        ',"zone_name":',
                        _esc(zone.name),
                        ',"row":',
                        row,
                        ',"place":',
                        place,
                        ',"client_name":',
                    )
                )
            )
        parts = fast["barcodes"] = (heads, tails)
    return parts


def barcodes_body(show) -> bytes:
    """== dumps(render_catalog.barcode_items(show)): paid live baskets, then paid live partner tickets."""
    heads, tails = _barcode_parts(show.event.scheme)
    items = []
    names = {}  # holder tuple -> its escaped names: buyers' tuples are shared by all their baskets
    for b in show.baskets:
        # basket_is_valid_ticket, inlined: this loop sees every basket the show ever had
        if b.barcode is not None and b.deleted_at is None and b.refunded_at is None:
            order = b.order
            if not order.payed or order.deleted_at is not None:
                continue
            h = b.holder
            who = names.get(h)
            if who is None:
                who = names[h] = "".join(
                    (_v(h[2]), ',"client_surname":', _v(h[3]), ',"client_middlename":', _v(h[4]), ',"checked_at":')
                )
            items.append(
                "".join(
                    (
                        '{"barcode":',
                        _esc(b.barcode),
                        heads[b.seat],
                        float.__repr__(float(b.price)),
                        tails[b.seat],
                        who,
                        _t(b.checked_at),
                        "}",
                    )
                )
            )
    for t in show.ptickets:
        if t.paid and not t.deleted and t.barcode:
            items.append(
                "".join(
                    (
                        '{"barcode":',
                        _esc(t.barcode),
                        heads[t.seat],
                        float.__repr__(float(t.price)),
                        tails[t.seat],
                        _v(t.client_name),
                        ',"client_surname":',
                        _v(t.client_surname),
                        ',"client_middlename":',
                        _v(t.client_middlename),
                        ',"checked_at":',
                        _t(t.checked_at),
                        "}",
                    )
                )
            )
    return ("[" + ",".join(items) + "]").replace("/", "\\/").encode("ascii")
