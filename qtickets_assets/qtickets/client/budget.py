"""ONE rate budget and ONE concurrency limit per API base URL, shared by every asset in the process.

QTickets publishes no rate limits, so the platform polices itself: a token bucket (requests per second,
bursts up to one second's worth) and a gate on in-flight requests. Both live in a module-level registry
keyed by the base URL, so two assets materialising in the same process (in-process executor, a backfill)
draw from the same budget instead of each believing it owns the whole API.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


class TokenBucket:
    """Thread-safe token bucket. `reserve()` takes a token and returns how long the caller must wait
    for it (0 when one was available); `acquire()` reserves and sleeps. Reserving ahead keeps FIFO-ish
    fairness: concurrent callers queue up behind each other instead of all polling."""

    def __init__(
        self,
        rate: float,
        capacity: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep
        self.configure(rate, capacity)
        self._tokens = self.capacity
        self._stamp = clock()

    def configure(self, rate: float, capacity: float | None = None) -> None:
        if rate <= 0:
            raise ValueError("requests_per_second must be > 0")
        self.rate = float(rate)
        self.capacity = float(capacity if capacity is not None else max(1.0, rate))

    def reserve(self) -> float:
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= 1.0  # may go negative: a debt that later callers wait behind
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def acquire(self) -> float:
        wait = self.reserve()
        if wait > 0:
            self._sleep(wait)
        return wait


class ConcurrencyGate:
    """A semaphore whose limit can be changed (the last configured client wins)."""

    def __init__(self, limit: int):
        self._cond = threading.Condition()
        self._active = 0
        self.limit = max(1, int(limit))

    def set_limit(self, limit: int) -> None:
        with self._cond:
            self.limit = max(1, int(limit))
            self._cond.notify_all()

    def __enter__(self) -> ConcurrencyGate:
        with self._cond:
            while self._active >= self.limit:
                self._cond.wait()
            self._active += 1
        return self

    def __exit__(self, *exc) -> None:
        with self._cond:
            self._active -= 1
            self._cond.notify()

    @property
    def active(self) -> int:
        return self._active


@dataclass
class SharedLimits:
    bucket: TokenBucket
    gate: ConcurrencyGate


_REGISTRY: dict[str, SharedLimits] = {}
_REGISTRY_LOCK = threading.Lock()


def shared_limits(base_url: str, requests_per_second: float, max_concurrency: int) -> SharedLimits:
    """The process-wide limits of one API base URL; a new configuration updates them in place."""
    key = base_url.rstrip("/")
    with _REGISTRY_LOCK:
        limits = _REGISTRY.get(key)
        if limits is None:
            limits = SharedLimits(TokenBucket(requests_per_second), ConcurrencyGate(max_concurrency))
            _REGISTRY[key] = limits
        else:
            if limits.bucket.rate != float(requests_per_second):
                limits.bucket.configure(requests_per_second)
            if limits.gate.limit != max(1, int(max_concurrency)):
                limits.gate.set_limit(max_concurrency)
        return limits
