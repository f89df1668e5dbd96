"""The fan-out answers (flat seats, barcodes, Partners tickets/find per show) come from fast renderers and a
per-show cache: they must stay byte-identical to the reference renderers for every show, after changes of
every kind (sales, payments, expiries, refunds, cancels, restores, scans, basket edits, Partners tickets),
with a cache large enough for everything and with one so small that it evicts all the time."""

from __future__ import annotations

import pytest

from qtickets_sandbox import fanout, partners, rest, seating, simulate
from qtickets_sandbox import partners_tickets as tickets
from qtickets_sandbox.clock import fmt, resolve_anchor
from qtickets_sandbox.generate import build_store
from qtickets_sandbox.http_types import Request
from qtickets_sandbox.jsonio import dumps
from qtickets_sandbox.partners_common import partner_events, success
from qtickets_sandbox.render_catalog import barcode_items, seat_dict


class _App:
    token, partners_token = "t", "p"


def _call(store, method, path, body=None, api="rest"):
    auth = "t" if api == "rest" else "p"
    req = Request(method, "/x", {}, {"authorization": f"Bearer {auth}"}, b"", body, store, _App)
    if api == "rest":
        return rest.handle(req, path)
    return partners.handle(req, [p for p in path.split("/") if p])


def _reference(store, kind, show) -> bytes:
    if kind == "seats":
        seats = [seat_dict(show, i) for i in range(len(show.event.scheme.seat_root))]
        return dumps({"data": {s["id"]: s for s in seats} or []})
    if kind == "barcodes":
        return dumps(barcode_items(show))
    return dumps(success(tickets.find(store, show.event, show, {})))


def _mismatches(store) -> list:
    out = []
    for show in store.shows_by_id.values():
        for kind, render in (("seats", fanout.seats_flat_body), ("barcodes", fanout.barcodes_body)):
            if fanout.cached(store, kind, show, render) != _reference(store, kind, show):
                out.append((kind, show.id))
        resp = _call(store, "POST", f"tickets/find/{show.event.id}/{show.id}", {"filter": {}}, api="partners")
        if resp.body != _reference(store, "partner_find", show):
            out.append(("partner_find", show.id))
    return out


def _mutate(store) -> None:
    """One change of every kind that the fan-out answers show."""
    with store.lock:
        simulate.advance(store, 3 * 24 * 60)  # sales, payments, expiries, refunds, cancels, scans, hold expiry
    paid = [
        o
        for o in store.orders
        if o.payed
        and o.deleted_at is None
        and len(o.baskets) >= 2
        and all(b.deleted_at is None and b.refunded_at is None for b in o.baskets)
    ]
    a, b, c = paid[0], paid[1], paid[2]
    assert _call(store, "PUT", f"baskets/{a.baskets[0].id}", {"data": {"client_name": "Новое/Имя"}}).status == 200
    code = a.baskets[1].barcode
    assert _call(store, "POST", f"shows/{a.baskets[1].show.id}/barcode/{code}", {}).status == 200
    assert (
        _call(
            store, "DELETE", f"orders/{b.id}/baskets", {"delete": {"baskets": {str(x.id): [] for x in b.baskets}}}
        ).status
        == 200
    )
    assert _call(store, "POST", f"orders/{b.id}/restore", {}).status == 200
    assert (
        _call(
            store,
            "DELETE",
            f"orders/{c.id}/baskets",
            {"refund": {"deduction_amount": 10, "baskets": {str(c.baskets[0].id): []}}},
        ).status
        == 200
    )
    entry = partner_events(store)[0]
    path = f"{entry['event_id']}/{entry['show_id']}"
    show = store.shows_by_id[entry["show_id"]]
    seat = next(i for i in range(len(show.ordered)) if seating.is_available(show, i))
    hold = {"seat_id": show.event.scheme.seat_root[seat], "reserved_to": fmt(store.clock.now() + 3600)}
    assert b'"success"' in _call(store, "POST", f"tickets/add/{path}", hold, api="partners").body
    held = store.ptickets[-1]
    assert (
        b'"success"'
        in _call(
            store, "POST", f"tickets/update/{path}", {"id": held.id, "client_surname": "Иная"}, api="partners"
        ).body
    )
    assert (
        b'"success"' in _call(store, "POST", f"tickets/update/{path}", {"id": held.id, "paid": 1}, api="partners").body
    )
    assert _call(store, "POST", f"shows/{held.show.id}/barcode/{held.barcode}", {}).status == 200
    sold = next(t for t in store.ptickets if not t.deleted and t.paid and t is not held)
    assert (
        b'"success"'
        in _call(store, "POST", f"tickets/remove/{sold.event.id}/{sold.show.id}", {"id": sold.id}, api="partners").body
    )
    store.changed()


@pytest.mark.parametrize("budget", [1 << 40, 40_000])
def test_fanout_answers_stay_byte_identical(budget):
    store = build_store(11, resolve_anchor(None), 1200)
    store.fanout_cache = fanout.FanoutCache(budget)
    assert _mismatches(store) == []
    assert _mismatches(store) == []  # second pass: served from the cache where it fits
    _mutate(store)
    assert _mismatches(store) == []
    stats = store.fanout_cache.stats()
    assert all(used <= budget for used in stats["bytes_by_kind"].values())
    assert stats["hits"] > 0 and stats["misses"] > 0 and (stats["not_kept"] > 0) == (budget < 1 << 40)


def test_partner_holds_expire_through_the_heap_like_a_full_scan():
    store = build_store(12, resolve_anchor(None), 800)
    holds = [t for t in store.ptickets if not t.deleted and not t.paid]
    assert holds
    extended = holds[0]
    new_to = max(t.reserved_to for t in holds) + 3600
    body = {"id": extended.id, "reserved_to": fmt(new_to)}
    out = _call(store, "POST", f"tickets/update/{extended.event.id}/{extended.show.id}", body, api="partners")
    assert b'"success"' in out.body
    due = sorted(t.id for t in holds if t is not extended)
    with store.lock:
        store.clock.advance(new_to - 60 - store.clock.now())
        assert tickets.expire_holds(store) == len(due)
    assert sorted(t.id for t in holds if t.deleted) == due and not extended.deleted
    assert all(t.updated_at == t.reserved_to for t in holds if t.deleted)
    with store.lock:
        store.clock.advance(120)
        assert tickets.expire_holds(store) == 1 and extended.deleted
        assert tickets.expire_holds(store) == 0


def test_cached_requests_over_http(api, shared_sandbox):
    show_id = next(iter(shared_sandbox.export("seats")))
    first = api.get(f"/shows/{show_id}/seats", {"flat": True})
    again = api.get(f"/shows/{show_id}/seats", {"flat": True, "select": [], "where": []})
    assert first.content == again.content and first.json()["data"] == shared_sandbox.export("seats")[show_id]
    cache = shared_sandbox.stats()["fanout_cache"]
    assert cache["hits"] >= 1 and cache["bytes"] <= 3 * cache["budget_bytes_per_kind"]
    assert api.get(f"/shows/{show_id}/barcodes").json() == shared_sandbox.export("barcodes")[show_id]
