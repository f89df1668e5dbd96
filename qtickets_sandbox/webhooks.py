"""Webhooks: the sandbox pushes order changes the way QTickets does (vendor docs).

Each delivery is a POST whose JSON body is the Order exactly as the REST API renders it, plus the webhook-only
fields that apply (`refunded_baskets` on a refund, `checked_basket` on a scan). Headers: `X-Signature` (HMAC-SHA1
hex of the raw body with the secret; left out when no secret is set), `X-Event-Type` (created, updated, payed,
deleted, refunded, checked), `X-Model-Name: Order`, `User-Agent: Qtickets-Webhooks/2.0`,
`Content-Type: application/json`. HTTP 200 delivers; anything else (another status, a refused connection, a
timeout) is a failed attempt. There are 10 attempts in all, and the n-th retry waits n³ seconds × retry_scale.

The body is rendered under the store lock at the moment of the change (emit). A retry re-sends the same bytes
with the same signature. Sending never happens on an API thread or in /__sandbox/advance. A few daemon sender
threads take deliveries from a bounded queue, and retries wait in a heap ordered by due time. Each sender keeps
its own keep-alive HTTP/1.1 connection (http.client). Nothing here logs, and the secret is never returned.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import http.client
import itertools
import threading
import time
from collections import deque
from urllib.parse import urlsplit

from qtickets_sandbox.jsonio import dumps
from qtickets_sandbox.render_orders import basket_dict
from qtickets_sandbox.resources import SPECS, record_bytes

EVENTS = ("created", "updated", "payed", "deleted", "refunded", "checked")
MAX_ATTEMPTS = 10
MAX_PENDING = 100_000  # deliveries waiting or being retried; beyond that a new one fails at once
SENDERS = 4
TIMEOUT_SECONDS = 10.0
USER_AGENT = "Qtickets-Webhooks/2.0"


class WebhookConfigError(ValueError):
    pass


def parse_events(value) -> tuple:
    if value is None:
        return EVENTS
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise WebhookConfigError("events must be a list of " + ", ".join(EVENTS))
    bad = [v for v in value if v not in EVENTS]
    if bad:
        raise WebhookConfigError("unknown webhook events: " + ", ".join(bad) + "; use " + ", ".join(EVENTS))
    return tuple(e for e in EVENTS if e in value)


def parse_url(url):
    """-> (scheme, host, port, path) or None for 'no webhooks'."""
    if url in (None, ""):
        return None
    if not isinstance(url, str):
        raise WebhookConfigError("url must be a string")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookConfigError("url must be an http:// or https:// URL with a host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise WebhookConfigError("url has an invalid port") from None
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port, path


class Delivery:
    __slots__ = ("event", "target", "body", "signature", "attempts")

    def __init__(self, event, target, body, signature):
        self.event, self.target, self.body, self.signature, self.attempts = event, target, body, signature, 0


class WebhookDispatcher:
    def __init__(self, url=None, secret=None, events=None, retry_scale=1.0, senders=SENDERS, timeout=TIMEOUT_SECONDS):
        self._cond = threading.Condition()
        self._ready = deque()
        self._retries = []  # (due monotonic time, seq, Delivery)
        self._seq = itertools.count()
        self._threads = []
        self._stopping = False
        self.senders, self.timeout = senders, timeout
        self.target, self.secret, self.events, self.retry_scale = None, None, EVENTS, 1.0
        self.counts = {"sent": 0, "delivered": 0, "failed": 0, "pending": 0, "attempts": 0}
        self.by_event = {e: {"sent": 0, "delivered": 0, "failed": 0} for e in EVENTS}
        self.configure(url=url, secret=secret, events=events, retry_scale=retry_scale)

    # -- configuration and counters --
    def configure(self, **kw) -> None:
        """Change only the given keys (url, secret, events, retry_scale); validate everything first.
        Deliveries already queued keep the URL and signature they were made with."""
        unknown = set(kw) - {"url", "secret", "events", "retry_scale"}
        if unknown:
            raise WebhookConfigError("unknown webhook settings: " + ", ".join(sorted(unknown)))
        new = {}
        if "url" in kw:
            new["target"] = parse_url(kw["url"])
        if "secret" in kw:
            if kw["secret"] is not None and not isinstance(kw["secret"], str):
                raise WebhookConfigError("secret must be a string")
            new["secret"] = kw["secret"] or None
        if "events" in kw:
            new["events"] = parse_events(kw["events"])
        if "retry_scale" in kw and kw["retry_scale"] is not None:
            scale = kw["retry_scale"]
            if not isinstance(scale, (int, float)) or isinstance(scale, bool) or scale < 0:
                raise WebhookConfigError("retry_scale must be a non-negative number")
            new["retry_scale"] = float(scale)
        with self._cond:
            for name, value in new.items():
                setattr(self, name, value)

    def status(self) -> dict:
        with self._cond:
            return {
                **self.counts,
                "by_event": {e: dict(c) for e, c in self.by_event.items()},
                "url_configured": self.target is not None,
                "events": list(self.events),
                "retry_scale": self.retry_scale,
            }

    def wants(self, event: str) -> bool:
        return self.target is not None and event in self.events and not self._stopping

    # -- producer side (API threads and advance, under the store lock) --
    def enqueue(self, event: str, body: bytes) -> None:
        with self._cond:
            if self.target is None or event not in self.events or self._stopping:
                return
            self.counts["sent"] += 1
            self.by_event[event]["sent"] += 1
            if self.counts["pending"] >= MAX_PENDING:
                self.counts["failed"] += 1
                self.by_event[event]["failed"] += 1
                return
            signature = hmac.new(self.secret.encode(), body, hashlib.sha1).hexdigest() if self.secret else None
            self._ready.append(Delivery(event, self.target, body, signature))
            self.counts["pending"] += 1
            if len(self._threads) < self.senders:
                self._start_sender()
            self._cond.notify()

    def _start_sender(self) -> None:
        thread = threading.Thread(target=self._run, name=f"webhook-sender-{len(self._threads)}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def stop(self, timeout: float = 1.0) -> None:
        """Stop sending; pending retries are dropped (the process is going away). Never waits long."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        deadline = time.monotonic() + timeout
        for thread in list(self._threads):
            thread.join(max(0.0, deadline - time.monotonic()))

    # -- sender threads --
    def _next(self):
        with self._cond:
            while not self._stopping:
                now = time.monotonic()
                while self._retries and self._retries[0][0] <= now:
                    self._ready.append(heapq.heappop(self._retries)[2])
                if self._ready:
                    return self._ready.popleft()
                self._cond.wait(self._retries[0][0] - now if self._retries else None)
            return None

    def _run(self) -> None:
        conns = {}
        try:
            while True:
                delivery = self._next()
                if delivery is None:
                    return
                ok = self._post(conns, delivery)
                self._settle(delivery, ok)
        finally:
            for conn in conns.values():
                conn.close()

    def _settle(self, d: Delivery, ok: bool) -> None:
        with self._cond:
            d.attempts += 1
            self.counts["attempts"] += 1
            if ok:
                self.counts["delivered"] += 1
                self.by_event[d.event]["delivered"] += 1
                self.counts["pending"] -= 1
                d.body = None
            elif d.attempts >= MAX_ATTEMPTS:
                self.counts["failed"] += 1
                self.by_event[d.event]["failed"] += 1
                self.counts["pending"] -= 1
                d.body = None
            else:
                delay = d.attempts**3 * self.retry_scale  # the n-th retry waits n³ s (x retry_scale)
                heapq.heappush(self._retries, (time.monotonic() + delay, next(self._seq), d))
                self._cond.notify()

    def _post(self, conns: dict, d: Delivery) -> bool:
        scheme, host, port, path = d.target
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Event-Type": d.event,
            "X-Model-Name": "Order",
        }
        if d.signature is not None:
            headers["X-Signature"] = d.signature
        key = (scheme, host, port)

        def drop():
            conn = conns.pop(key, None)
            if conn is not None:
                conn.close()

        for fresh in (False, True):
            conn = conns.get(key)
            reused = conn is not None
            if conn is None:
                cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
                conn = conns[key] = cls(host, port, timeout=self.timeout)
            try:
                conn.request("POST", path, body=d.body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                if resp.will_close:
                    drop()
                return resp.status == 200
            except (ConnectionResetError, ConnectionAbortedError, BrokenPipeError, http.client.RemoteDisconnected):
                drop()
                if reused and not fresh:
                    continue  # the receiver closed an idle keep-alive connection: once more on a new one
                return False
            except (OSError, http.client.HTTPException):
                drop()
                return False
        return False


def order_body(store, order, extra: dict | None = None) -> bytes:
    """The Order as the REST API renders it (payload modes included), plus the webhook-only fields."""
    body = record_bytes(store, SPECS["orders"], order)
    if extra:
        body = body[:-1] + b"," + dumps(extra)[1:]
    return body


def emit(store, event: str, order, extra=None) -> None:
    """Queue a delivery for a change that just happened (caller holds store.lock). A no-op without webhooks."""
    hooks = store.webhooks
    if hooks is not None and hooks.wants(event):
        hooks.enqueue(event, order_body(store, order, extra))


def emit_refund(store, order, baskets) -> None:
    emit(
        store,
        "refunded",
        order,
        {"refunded_baskets": [basket_dict(b) for b in baskets]} if _wanted(store, "refunded") else None,
    )


def emit_scan(store, basket) -> None:
    emit(store, "checked", basket.order, {"checked_basket": basket_dict(basket)} if _wanted(store, "checked") else None)


def emit_cancel(store, order) -> None:
    """Tickets cancelled: `deleted` when the whole order went with them, `updated` otherwise."""
    emit(store, "deleted" if order.deleted_at is not None else "updated", order)


def _wanted(store, event) -> bool:
    return store.webhooks is not None and store.webhooks.wants(event)
