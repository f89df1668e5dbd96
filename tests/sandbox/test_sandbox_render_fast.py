"""The fast order renderer and the fast clock.fmt must give exactly the bytes of the reference path
(dumps(order_dict(o)) and datetime.isoformat), over a generated store, after the simulated clock has moved
(payments, expiries, refunds, scans) and after direct writes. Plus the catch-all error envelopes."""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from qtickets_sandbox import lifecycle, partners, rest, simulate
from qtickets_sandbox.clock import MSK, fmt, resolve_anchor
from qtickets_sandbox.generate import build_store
from qtickets_sandbox.http_types import Request
from qtickets_sandbox.jsonio import dumps
from qtickets_sandbox.render_orders import order_bytes, order_dict, order_totals
from qtickets_sandbox.render_orders_fast import order_json_bytes


@pytest.fixture(scope="module")
def store():
    return build_store(3, resolve_anchor(None), 1500)


def _mismatches(store) -> list:
    return [o.id for o in store.orders if order_json_bytes(o, *order_totals(o)) != dumps(order_dict(o))]


def test_fmt_matches_datetime_isoformat():
    rng = random.Random(5)
    for ts in [0, -1, 10799, 10800, 1793523600] + [rng.randint(-(10**9), 4 * 10**9) for _ in range(20000)]:
        assert fmt(ts) == datetime.fromtimestamp(ts, MSK).isoformat()
    assert fmt(None) is None and fmt(1.5) == datetime.fromtimestamp(1.5, MSK).isoformat()


def test_fast_order_json_is_byte_identical(store):
    assert _mismatches(store) == []
    with store.lock:
        simulate.advance(store, 5 * 24 * 60)
    paid = [o for o in store.orders if o.payed and o.deleted_at is None and len(o.baskets) >= 2]
    ts = store.clock.tick()
    lifecycle.cancel_baskets(paid[0], paid[0].baskets[:1], ts)
    lifecycle.refund_baskets(store, paid[1], paid[1].baskets[:1], ts, deduction=100)
    lifecycle.cancel_baskets(paid[2], paid[2].baskets, ts)
    paid[3].client.name, paid[3].client.version = 'Имя/с "кавычками" \U0001f600', paid[3].client.version + 1
    store.changed()
    assert _mismatches(store) == []
    assert all(order_bytes(o) == dumps(order_dict(o)) for o in paid[:4])


class _App:
    token, partners_token = "t", "p"


def _request(store, auth, body=None):
    return Request("POST", "/x", {}, {"authorization": f"Bearer {auth}"}, b"", body, store, _App)


def test_unexpected_failures_use_the_api_error_envelopes(store, monkeypatch):
    def boom(*_args, **_kw):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(rest, "COMPILED", [(m, rx, boom) for m, rx, _h in rest.COMPILED])
    resp = rest.handle(_request(store, "t"), "orders")
    assert (
        resp.status == 503 and resp.body == b'{"error":"Unknown error","status":503,"code":"UNKNOWN_ERROR","info":[]}'
    )
    monkeypatch.setattr(partners, "_dispatch", boom)
    resp = partners.handle(_request(store, "p", {}), ["events", "lists"])
    assert resp.status == 200 and resp.body == b'{"status":"error","code":"UNKNOWN_ERROR","message":"Unknown error"}'
