"""Webhooks: a tiny stdlib receiver checks the HMAC over the raw bytes, the headers and that every body is the
Order JSON of the right event; retries after a 500, giving up after 10 attempts, counters that add up, the
run-time configuration route, and a SIGTERM that does not wait for pending retries."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from qtickets_sandbox.testing import SandboxServer
from qtickets_sandbox.webhooks import EVENTS

SECRET = "webhook-test-secret"
EVENT_HEADERS = {"X-Model-Name": "Order", "User-Agent": "Qtickets-Webhooks/2.0", "Content-Type": "application/json"}


class Receiver:
    """Records (headers, raw body, status answered). `plan(n)` gives the status for the n-th time (0-based)
    the same body arrives, so a retry can be told apart from a new delivery."""

    def __init__(self, plan=lambda n: 200):
        self.records, self.seen, self.plan = [], Counter(), plan
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    status = receiver.plan(receiver.seen[raw])
                    receiver.seen[raw] += 1
                    receiver.records.append((dict(self.headers), raw, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/qtickets/hook?source=sandbox"

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def ok(self):
        with self.lock:
            return [(h, raw) for h, raw, status in self.records if status == 200]


def wait_settled(sb, timeout=30.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status = sb.webhooks()
        if status["pending"] == 0 or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


def verify(headers, raw, secret=SECRET) -> dict:
    assert headers["X-Signature"] == hmac.new(secret.encode(), raw, hashlib.sha1).hexdigest()
    for name, value in EVENT_HEADERS.items():
        assert headers[name] == value, name
    assert headers["X-Event-Type"] in EVENTS
    order = json.loads(raw)
    assert isinstance(order["id"], int) and isinstance(order["baskets"], list) and "uniqid" in order
    return order


def adds_up(status):
    assert status["sent"] == status["delivered"] + status["failed"] + status["pending"]
    for key in ("sent", "delivered", "failed"):
        assert sum(c[key] for c in status["by_event"].values()) == status[key], key


@pytest.fixture(scope="module")
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(scope="module")
def hooked(receiver):
    """A private sandbox configured from the command line, pointing at the module's receiver."""
    args = ["--webhook-url", receiver.url, "--webhook-secret", SECRET, "--webhook-retry-scale", "0.001"]
    with SandboxServer(orders=800, seed=7, extra_args=args) as sb:
        yield sb


def test_nothing_is_sent_without_a_url(shared_sandbox):
    status = shared_sandbox.webhooks()
    assert status["url_configured"] is False and status["sent"] == 0 and status["attempts"] == 0


def test_advance_delivers_every_life_cycle_event(hooked, receiver):
    wait_settled(hooked)
    start = len(receiver.records)
    assert hooked.webhooks()["sent"] == 0  # the generated history sends nothing
    now = datetime.fromisoformat(hooked.stats()["clock"])
    starts = [
        datetime.fromisoformat(s["start_date"])
        for e in hooked.export("events")
        for s in e["shows"]
        if e["deleted_at"] is None and datetime.fromisoformat(s["start_date"]) > now
    ]
    minutes = (min(starts) - now).total_seconds() / 60 + 60  # until a show is under way: door scans
    summary = hooked.advance(minutes)
    status = wait_settled(hooked)
    adds_up(status)
    assert status["pending"] == 0 and status["failed"] == 0 and status["delivered"] == status["sent"]
    assert status["attempts"] == status["delivered"]  # the receiver always answered 200
    by_event = status["by_event"]
    assert by_event["created"]["sent"] == summary["orders_created"]
    assert by_event["payed"]["sent"] == summary["orders_paid"]
    assert by_event["refunded"]["sent"] == summary["baskets_refunded"]
    assert by_event["checked"]["sent"] == summary["scans"] > 0
    cancels = summary["baskets_cancelled"]
    assert by_event["deleted"]["sent"] + by_event["updated"]["sent"] == summary["orders_expired"] + cancels
    records = receiver.records[start:]
    assert len(records) == status["delivered"]
    delivered = {}
    for headers, raw, _status in records:
        order, event = verify(headers, raw), headers["X-Event-Type"]
        assert list(order)[-3:] == ["created_at", "updated_at", "deleted_at"] or event in ("refunded", "checked")
        if event == "created":
            assert order["payed"] is False and order["id"] in summary["created_order_ids"]
        elif event == "payed":
            assert order["payed"] is True and all(b["barcode"] for b in order["baskets"])
        elif event == "deleted":
            assert order["deleted_at"] is not None
        elif event == "refunded":
            refunded = order["refunded_baskets"]
            assert refunded and all(b["refunded_at"] for b in refunded)
            assert {b["id"] for b in refunded} <= {b["id"] for b in order["baskets"]}
        elif event == "checked":
            basket = order["checked_basket"]
            assert basket["checked_at"] and basket in order["baskets"]
        delivered.setdefault(order["id"], []).append(
            {k: v for k, v in order.items() if k not in ("refunded_baskets", "checked_basket")}
        )
    exported = {o["id"]: o for o in hooked.export("orders")}
    for order_id, bodies in delivered.items():  # the last change's body is the order as it is now (senders
        assert exported[order_id] in bodies  # run in parallel, so arrival order proves nothing)


def _paid_order(sb, n_baskets=2):
    http = requests.Session()
    body = {"where": [{"column": "payed", "value": 1}, {"column": "deleted_at", "operator": "null"}], "perPage": 1000}
    orders = http.get(
        sb.rest_url + "/orders", json=body, headers={"Authorization": f"Bearer {sb.token}"}, timeout=30
    ).json()["data"]
    return next(
        o
        for o in reversed(orders)
        if len(o["baskets"]) >= n_baskets
        and all(b["deleted_at"] is None and b["refunded_at"] is None and b["checked_at"] is None for b in o["baskets"])
    )


def _rest(sb, method, path, body):
    resp = requests.request(
        method, sb.rest_url + path, json=body, headers={"Authorization": f"Bearer {sb.token}"}, timeout=30
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_rest_writes_send_their_events(hooked, receiver):
    order = _paid_order(hooked, 3)
    oid, (b1, b2, b3) = order["id"], order["baskets"][:3]
    wait_settled(hooked)
    before = len(receiver.records)
    _rest(hooked, "PUT", f"/baskets/{b1['id']}", {"data": {"client_name": "Вебхук"}})
    _rest(hooked, "POST", f"/shows/{b1['show_id']}/barcode/{b1['barcode']}", {})
    _rest(hooked, "POST", f"/shows/{b2['show_id']}/barcodes", [{"barcode": b2["barcode"]}])
    _rest(hooked, "DELETE", f"/orders/{oid}/baskets", {"refund": {"amount": 1, "baskets": {str(b3["id"]): []}}})
    others = [str(b["id"]) for b in order["baskets"] if b["id"] != b3["id"]]
    _rest(hooked, "DELETE", f"/orders/{oid}/baskets", {"delete": {"baskets": {others[0]: []}}})
    final = _rest(hooked, "DELETE", f"/orders/{oid}/baskets", {"delete": {"baskets": {i: [] for i in others[1:]}}})
    assert final["data"]["deleted_at"] is not None
    wait_settled(hooked)
    got = [(h["X-Event-Type"], verify(h, raw)) for h, raw, _s in receiver.records[before:]]
    mine = sorted(((e, o) for e, o in got if o["id"] == oid), key=lambda p: p[1]["updated_at"])
    assert [e for e, _o in mine] == ["updated", "checked", "checked", "refunded", "updated", "deleted"]
    assert mine[0][1]["baskets"][0]["client_name"] == "Вебхук"
    assert mine[1][1]["checked_basket"]["id"] == b1["id"] and mine[2][1]["checked_basket"]["id"] == b2["id"]
    assert [b["id"] for b in mine[3][1]["refunded_baskets"]] == [b3["id"]]
    assert mine[5][1] == final["data"]


def test_restore_sends_updated(hooked, receiver):
    order = _paid_order(hooked, 1)
    _rest(
        hooked,
        "DELETE",
        f"/orders/{order['id']}/baskets",
        {"delete": {"baskets": {str(b["id"]): [] for b in order["baskets"]}}},
    )
    wait_settled(hooked)  # the `deleted` delivery first: senders run in the background
    before = len(receiver.records)
    restored = _rest(hooked, "POST", f"/orders/{order['id']}/restore", {})["data"]
    wait_settled(hooked)
    ((headers, raw, _s),) = [r for r in receiver.records[before:] if json.loads(r[1])["id"] == order["id"]]
    assert headers["X-Event-Type"] == "updated" and verify(headers, raw) == restored


def test_event_filter_and_run_time_configuration(hooked, receiver):
    order = _paid_order(hooked, 1)
    status = hooked.set_webhooks(events=["checked"])
    assert status["events"] == ["checked"] and SECRET not in json.dumps(status)
    _rest(hooked, "PUT", f"/baskets/{order['baskets'][0]['id']}", {"data": {"client_name": "Тихо"}})
    assert hooked.webhooks()["sent"] == status["sent"]  # `updated` is not wanted now
    assert hooked.set_webhooks(events=list(EVENTS))["events"] == list(EVENTS)
    for bad in ({"url": "ftp://x"}, {"events": ["shipped"]}, {"retry_scale": -1}, {"token": "x"}):
        resp = requests.post(hooked.base_url + "/__sandbox/webhooks", json=bad, timeout=10)
        assert resp.status_code == 400 and "error" in resp.json()
    off = hooked.set_webhooks(url=None)
    assert off["url_configured"] is False
    _rest(hooked, "PUT", f"/baskets/{order['baskets'][0]['id']}", {"data": {"client_name": "Выкл"}})
    assert hooked.webhooks()["sent"] == off["sent"]
    assert hooked.set_webhooks(url=receiver.url)["url_configured"] is True


def test_a_500_then_200_is_retried_and_delivered_once(hooked):
    flaky = Receiver(plan=lambda n: 500 if n == 0 else 200)
    try:
        before = hooked.set_webhooks(url=flaky.url, secret="other-secret", retry_scale=0.001)
        order = _paid_order(hooked, 1)
        for name in ("Раз", "Два", "Три"):
            _rest(hooked, "PUT", f"/baskets/{order['baskets'][0]['id']}", {"data": {"client_name": name}})
        after = wait_settled(hooked)
        adds_up(after)
        assert after["delivered"] - before["delivered"] == 3 and after["failed"] == before["failed"]
        assert after["attempts"] - before["attempts"] == 6
        assert after["by_event"]["updated"]["delivered"] - before["by_event"]["updated"]["delivered"] == 3
        assert sorted(flaky.seen.values()) == [2, 2, 2]  # each body twice: the same bytes...
        for headers, raw, _status in flaky.records:
            verify(headers, raw, secret="other-secret")  # ...and the same valid signature
    finally:
        flaky.close()


def test_ten_failed_attempts_count_as_failed(hooked):
    broken = Receiver(plan=lambda n: 500)
    try:
        before = hooked.set_webhooks(url=broken.url, secret=SECRET, retry_scale=0.001)
        order = _paid_order(hooked, 1)
        _rest(hooked, "PUT", f"/baskets/{order['baskets'][0]['id']}", {"data": {"client_name": "Сбой"}})
        _rest(hooked, "PUT", f"/baskets/{order['baskets'][0]['id']}", {"data": {"client_name": "Сбой-2"}})
        mid = hooked.webhooks()
        assert mid["pending"] - before["pending"] == 2
        after = wait_settled(hooked, timeout=30)  # 1³+…+9³ = 2,025 s x 0.001 ≈ 2 s of back-off
        adds_up(after)
        assert after["pending"] == 0 and after["failed"] - before["failed"] == 2
        assert after["attempts"] - before["attempts"] == 20 and after["delivered"] == before["delivered"]
        assert sorted(broken.seen.values()) == [10, 10]
        assert after["by_event"]["updated"]["failed"] - before["by_event"]["updated"]["failed"] == 2
    finally:
        broken.close()
        hooked.set_webhooks(url=None)


def test_sigterm_does_not_wait_for_pending_retries():
    broken = Receiver(plan=lambda n: 500)
    try:
        args = ["--webhook-url", broken.url, "--webhook-secret", SECRET]  # real n³-second delays
        sb = SandboxServer(orders=300, seed=3, extra_args=args).start()
        sb.advance(600)
        deadline = time.monotonic() + 10
        while sb.webhooks()["attempts"] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        status = sb.webhooks()
        assert status["pending"] > 0 and status["attempts"] > 0
        proc = sb.proc
        started = time.monotonic()
        proc.terminate()
        assert proc.wait(10) == 0 and time.monotonic() - started < 5
        sb.proc = proc
        sb.stop()
    finally:
        broken.close()


def test_the_secret_is_never_printed():
    proc_args = ["--webhook-url", "http://127.0.0.1:9/hook", "--webhook-secret", "very-secret-value"]
    sb = SandboxServer(orders=50, seed=1, extra_args=proc_args).start()
    try:
        assert "very-secret-value" not in json.dumps(sb.webhooks()) + json.dumps(sb.stats())
        assert "very-secret-value" not in requests.get(sb.base_url + "/__sandbox/health", timeout=10).text
    finally:
        proc = sb.proc
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
        sb._stderr.seek(0)
        err = sb._stderr.read().decode()
        assert "very-secret-value" not in (out or "") + err
        sb.proc = proc
        sb.stop()
