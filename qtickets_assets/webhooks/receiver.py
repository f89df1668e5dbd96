"""The QTickets webhook receiver: an ASGI app (starlette, served by uvicorn) that answers 200 only once a delivery is
in ClickHouse.

POST /webhooks/qtickets
  * X-Signature must be the HMAC-SHA1 hex of the raw body with QTICKETS_WEBHOOK_SECRET (compared in constant time):
    otherwise 401, nothing stored, the rejection counted;
  * a body larger than max_body_bytes: 413 (from Content-Length before reading, or while reading);
  * a signed body that is not JSON or has no order id: kept raw in the quarantine table, then 200;
  * ClickHouse unreachable (or the insert failed): 503, QTickets retries (n-th retry after n³ s, 10 attempts);
  * a delivery already stored (same raw body and event type = same delivery hash): 200, not stored again.
GET /healthz: {"status": "ok", "clickhouse": ok|unreachable|unknown, counters}.

Group commit: the embedded ClickHouse (chdb-core) has no asynchronous inserts, and one INSERT per delivery would
make a part per delivery (ClickHouse's "too many parts" at a few hundred per second). So deliveries are batched
here: the first delivery of a batch opens a short window (batch_ms), deliveries arriving meanwhile join it (up to
batch_rows), then ONE insert per table writes them all; every request of the batch awaits that insert and answers
200 only when it succeeded, or 503 when it failed. While an insert runs, the next batch gathers.

Nothing here logs a body, a header value or the secret; uvicorn's access log is off.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import msgspec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from qtickets_assets.qtickets.client.timestamps import parse_ts
from qtickets_assets.webhooks.tables import (
    QUARANTINE_COLUMNS,
    QUARANTINE_TABLE,
    WEBHOOKS_COLUMNS,
    WEBHOOKS_TABLE,
    webhook_ddl_statements,
)

PATH = "/webhooks/qtickets"
MAX_BODY_BYTES = 2 * 1024 * 1024  # an order with hundreds of baskets is well under 1 MB
BATCH_MS = 5.0
BATCH_ROWS = 1000
KNOWN_HASHES = 200_000  # recently stored delivery hashes remembered in memory (8 bytes each + dict overhead)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
LOG = logging.getLogger("qtickets_webhooks")


# --- pure helpers ---------------------------------------------------------------------------------------------------


def sign(secret: bytes, body: bytes) -> str:
    return hmac.new(secret, body, hashlib.sha1).hexdigest()


def signature_ok(secret: bytes, body: bytes, header: str | None) -> bool:
    """X-Signature is the HMAC-SHA1 hex of the raw body: compared in constant time (hmac.compare_digest)."""
    if not header or not secret:
        return False
    expected = sign(secret, body).encode()
    # starlette decodes headers as latin-1, so this round-trips any header bytes (compare_digest wants ASCII str).
    return hmac.compare_digest(expected, header.strip().lower().encode("latin-1"))


def delivery_hash(body: bytes, event: str) -> int:
    """A delivery's identity: the same raw body with the same event type (a retry re-sends the same bytes)."""
    digest = hashlib.blake2b(event.encode("utf-8", "replace") + b"\0" + body, digest_size=8).digest()
    return int.from_bytes(digest, "big")


class Unreadable(ValueError):
    """A signed body the receiver cannot file under an order: `reason` goes to the quarantine table."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class _OrderHead(msgspec.Struct):
    id: Any = None
    updated_at: Any = None
    payed_at: Any = None


_DECODER = msgspec.json.Decoder(_OrderHead)


def read_order(body: bytes) -> tuple[int, datetime, datetime | None]:
    """(order id, updated_at UTC, payed_at UTC or None) of a delivery body; Unreadable when it is not a JSON object
    with a positive integer id. Only these three fields are decoded (the rest is skipped, not parsed into objects)."""
    try:
        head = _DECODER.decode(body)
    except msgspec.ValidationError:  # JSON, but not an object
        raise Unreadable("no_order_id") from None
    except msgspec.DecodeError:
        raise Unreadable("not_json") from None
    order_id = head.id
    if isinstance(order_id, str) and order_id.strip().isdigit():
        order_id = int(order_id.strip())
    if isinstance(order_id, bool) or not isinstance(order_id, int) or order_id <= 0 or order_id >= 2**64:
        raise Unreadable("no_order_id")
    return order_id, parse_ts(head.updated_at) or EPOCH, parse_ts(head.payed_at)


# --- ClickHouse side ------------------------------------------------------------------------------------------------


class StoreUnavailable(RuntimeError):
    """ClickHouse could not take the batch: every request of it answers 503."""


@dataclass
class Delivery:
    event: str
    body: bytes
    hash: int
    received_at: datetime
    order: tuple[int, datetime, datetime | None] | None = None  # None = quarantine
    reason: str = ""


class ClickHouseSink:
    """Writes batches with one INSERT per table, after dropping deliveries already stored. Used from one thread at
    a time (the batcher awaits each write before the next), so the hash check and the insert cannot interleave."""

    def __init__(self, connect):
        self._connect = connect  # () -> clickhouse_connect Client bound to the platform database
        self._client = None
        self._known: OrderedDict[int, None] = OrderedDict()
        self._last_version = 0
        self.state = "unknown"

    def _client_or_connect(self):
        if self._client is None:
            client = self._connect()
            # Only the missing tables are created: on a replicated cluster the DDL is ON CLUSTER and waits for
            # every replica, so running it on each reconnect would turn one replica's outage into 503s.
            for name, statement in webhook_ddl_statements():
                if not int(client.command(f"EXISTS TABLE {name}")):
                    client.command(statement)
            self._client = client
        return self._client

    def _remember(self, hashes) -> None:
        for h in hashes:
            self._known[h] = None
        while len(self._known) > KNOWN_HASHES:
            self._known.popitem(last=False)

    def _version(self) -> int:
        self._last_version = max(self._last_version + 1, time.time_ns())
        return self._last_version

    def write(self, batch: list[Delivery]) -> list[bool]:
        """Store the batch; -> per delivery, True when stored now, False when it was already stored."""
        fresh: dict[int, Delivery] = {}
        for d in batch:
            if d.hash not in self._known and d.hash not in fresh:
                fresh[d.hash] = d
        try:
            client = self._client_or_connect()
            if fresh:
                self._drop_stored(client, fresh)
            orders = [d for d in fresh.values() if d.order is not None]
            quarantined = [d for d in fresh.values() if d.order is None]
            if orders:
                rows = [
                    [d.received_at, d.event, d.order[0], d.order[1], d.order[2], d.body, d.hash, self._version()]
                    for d in orders
                ]
                client.insert(WEBHOOKS_TABLE, rows, column_names=[c[0] for c in WEBHOOKS_COLUMNS])
            if quarantined:
                rows = [[d.received_at, d.event, d.reason, d.body, d.hash, self._version()] for d in quarantined]
                client.insert(QUARANTINE_TABLE, rows, column_names=[c[0] for c in QUARANTINE_COLUMNS])
        except Exception as exc:  # noqa: BLE001 - refused, reset, timeout, server error: the batch is not stored
            if self._client is not None:
                try:
                    self._client.close()
                except Exception:  # noqa: BLE001 - closing a dead connection may fail too
                    pass
            self._client = None
            if self.state != "unreachable":
                # The exception's class only: its text may quote the server's answer, never worth the risk.
                LOG.warning("ClickHouse unavailable (%s): answering 503 until it is back", type(exc).__name__)
            self.state = "unreachable"
            raise StoreUnavailable(type(exc).__name__) from None
        if self.state == "unreachable":
            LOG.warning("ClickHouse reachable again")
        self.state = "ok"
        stored = set(fresh)
        self._remember(stored)
        out = []
        for d in batch:  # the first copy of a hash in the batch counts as stored, later copies as duplicates
            out.append(d.hash in stored)
            stored.discard(d.hash)
        return out

    def _drop_stored(self, client, fresh: dict[int, Delivery]) -> None:
        """Remove from `fresh` the deliveries ClickHouse already holds (stored before a restart of the receiver,
        or by a batch whose 200 never reached QTickets)."""
        orders = [d for d in fresh.values() if d.order is not None]
        found: set[int] = set()
        if orders:
            result = client.query(
                f"SELECT delivery_hash FROM {WEBHOOKS_TABLE} "
                "WHERE order_id IN {ids:Array(UInt64)} AND delivery_hash IN {hashes:Array(UInt64)}",
                parameters={"ids": sorted({d.order[0] for d in orders}), "hashes": [d.hash for d in orders]},
            )
            found |= {row[0] for row in result.result_rows}
        quarantined = [d.hash for d in fresh.values() if d.order is None]
        if quarantined:
            result = client.query(
                f"SELECT delivery_hash FROM {QUARANTINE_TABLE} WHERE delivery_hash IN {{hashes:Array(UInt64)}}",
                parameters={"hashes": quarantined},
            )
            found |= {row[0] for row in result.result_rows}
        for h in found:
            fresh.pop(h, None)
        self._remember(found)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


# --- batching -------------------------------------------------------------------------------------------------------


@dataclass
class Batcher:
    """Group commit: submit() awaits the write of the batch its item joined. A batch closes batch_ms after its first
    item or at batch_rows items; writes run one at a time on a worker thread (the sink is synchronous)."""

    write: Any  # (list) -> list of results, run in a thread
    batch_ms: float = BATCH_MS
    batch_rows: int = BATCH_ROWS
    _items: list = field(default_factory=list)
    _task: asyncio.Task | None = None
    _arrived: asyncio.Event | None = None
    _full: asyncio.Event | None = None
    batches: int = 0

    def start(self) -> None:
        self._arrived, self._full = asyncio.Event(), asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def submit(self, item):
        future = asyncio.get_running_loop().create_future()
        self._items.append((item, future))
        self._arrived.set()
        if len(self._items) >= self.batch_rows:
            self._full.set()
        return await future

    async def _run(self) -> None:
        while True:
            await self._arrived.wait()
            if len(self._items) < self.batch_rows and self.batch_ms > 0:
                try:
                    await asyncio.wait_for(self._full.wait(), self.batch_ms / 1000)
                except TimeoutError:
                    pass
            batch, self._items = self._items[: self.batch_rows], self._items[self.batch_rows :]
            if not self._items:
                self._arrived.clear()
            if len(self._items) < self.batch_rows:
                self._full.clear()
            if not batch:
                continue
            self.batches += 1
            try:
                results = await asyncio.to_thread(self.write, [item for item, _ in batch])
            except Exception as exc:  # noqa: BLE001 - handed to every waiting request
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)


# --- the app --------------------------------------------------------------------------------------------------------


@dataclass
class Counters:
    accepted: int = 0  # stored now (orders table)
    duplicates: int = 0  # already stored: 200, nothing written
    quarantined: int = 0
    rejected: int = 0  # 401: missing or wrong signature
    too_large: int = 0  # 413
    unavailable: int = 0  # 503

    def as_dict(self) -> dict:  # touched on the event loop only: no lock
        return dict(vars(self))


def build_app(
    secret: str,
    connect,
    *,
    max_body_bytes: int = MAX_BODY_BYTES,
    batch_ms: float = BATCH_MS,
    batch_rows: int = BATCH_ROWS,
) -> Starlette:
    """The receiver as an ASGI app. `connect()` returns a clickhouse-connect client bound to the platform database."""
    key = secret.encode()
    sink = ClickHouseSink(connect)
    batcher = Batcher(sink.write, batch_ms=batch_ms, batch_rows=batch_rows)
    counters = Counters()

    async def receive(request: Request) -> Response:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > max_body_bytes):
            counters.too_large += 1
            return Response(status_code=413)
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_body_bytes:
                counters.too_large += 1
                return Response(status_code=413)
            chunks.append(chunk)
        body = b"".join(chunks)
        if not signature_ok(key, body, request.headers.get("x-signature")):
            counters.rejected += 1
            return Response(status_code=401)
        event = request.headers.get("x-event-type", "")[:32]
        delivery = Delivery(event, body, delivery_hash(body, event), datetime.now(UTC))
        try:
            delivery.order = read_order(body)
        except Unreadable as exc:
            delivery.reason = exc.reason
        try:
            stored = await batcher.submit(delivery)
        except StoreUnavailable:
            counters.unavailable += 1
            return Response(status_code=503, headers={"Retry-After": "1"})
        if not stored:
            counters.duplicates += 1
        elif delivery.order is None:
            counters.quarantined += 1
        else:
            counters.accepted += 1
        return Response(status_code=200)

    async def healthz(_request: Request) -> Response:
        return JSONResponse(
            {"status": "ok", "clickhouse": sink.state, **counters.as_dict(), "batches": batcher.batches}
        )

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        batcher.start()
        try:
            yield
        finally:
            await batcher.stop()
            sink.close()

    return Starlette(
        routes=[Route(PATH, receive, methods=["POST"]), Route("/healthz", healthz, methods=["GET"])],
        lifespan=lifespan,
    )
