"""One HTTP exchange with the shared rate budget, the shared concurrency gate and bounded retries.

Retried: 429, 5xx, timeouts, connection resets, cut transfers and 2xx bodies that are not complete
JSON. Waits honour Retry-After, otherwise full-jitter exponential backoff (retry_delay below). The retry sleep
happens OUTSIDE the concurrency gate, so a backing-off call does not block the others' slots.

Nothing from `requests` escapes raw: its exceptions can carry the prepared request (with the
Authorization header), so only a scrubbed one-line description is kept.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from qtickets_assets.privacy import redact_secrets

from .budget import SharedLimits
from .errors import ApiRequestError


@dataclass
class Exchange:
    """What one attempt produced: an HTTP answer or a transport fault."""

    status: int | None = None
    headers: dict = field(default_factory=dict)
    content: bytes = b""
    fault: str | None = None  # "timeout" | "connection" | "truncated"
    fault_detail: str = ""
    latency_ms: float = 0.0

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


@dataclass
class RetryPolicy:
    max_retries: int = 6
    base_seconds: float = 0.5
    max_seconds: float = 20.0


class Transport:
    def __init__(
        self,
        limits: SharedLimits,
        stats: ClientStats,
        timeout_seconds: float,
        policy: RetryPolicy,
        secrets: tuple[str, ...],
        pool_size: int,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.limits = limits
        self.stats = stats
        self.timeout = timeout_seconds
        self.policy = policy
        self.secrets = tuple(s for s in secrets if s)
        self.sleep = sleep
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max(4, pool_size), max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def close(self) -> None:
        self.session.close()

    def scrub(self, text: str, extra: tuple[str, ...] = ()) -> str:
        return redact_secrets(text, self.secrets + tuple(s for s in extra if s))

    def attempt(self, method: str, url: str, token: str, body: Any) -> Exchange:
        """One attempt through the rate budget and the gate; never raises for transport faults."""
        self.limits.bucket.acquire()
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json", "Cache-Control": "no-cache"}
        with self.limits.gate:
            started = time.perf_counter()
            try:
                # json= works on GET too: the QTickets list filters travel in a GET body.
                resp = self.session.request(method.upper(), url, json=body, headers=headers, timeout=self.timeout)
                content = resp.content  # the whole body is read inside the try
                ex = Exchange(status=resp.status_code, headers=dict(resp.headers), content=content)
            except requests.Timeout as exc:
                ex = Exchange(fault="timeout", fault_detail=self.scrub(type(exc).__name__, (token,)))
            except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as exc:
                ex = Exchange(fault="truncated", fault_detail=type(exc).__name__)
            except requests.ConnectionError as exc:
                ex = Exchange(fault="connection", fault_detail=self.scrub(_first_line(exc), (token,)))
            except requests.RequestException as exc:  # invalid URL and the like: not retryable
                raise ApiRequestError(
                    self.scrub(
                        f"cannot send {method.upper()} {url} ({type(exc).__name__}: "
                        f"{_first_line(exc)}): check the QTickets base URL setting",
                        (token,),
                    )
                ) from None
            ex.latency_ms = (time.perf_counter() - started) * 1000.0
        self.stats.add(requests=1, api_seconds=ex.latency_ms / 1000.0)
        return ex

    def call(
        self, method: str, url: str, token: str, body: Any, judge: Callable[[Exchange], tuple[str | None, Any]]
    ) -> tuple[Any, int, Exchange, str | None]:
        """Attempt until `judge` accepts. `judge(exchange)` returns (retry_reason, result): a reason means
        "retry"; None means done with `result`. Returns (result, retries, last exchange, last reason)
        where last reason is set only when retries ran out."""
        retries = 0
        while True:
            ex = self.attempt(method, url, token, body)
            reason, result = (ex.fault, None) if ex.fault else judge(ex)
            if reason is None:
                return result, retries, ex, None
            if retries >= self.policy.max_retries:
                return result, retries, ex, reason
            retry_after = (
                parse_retry_after(header_value(ex.headers, "Retry-After")) if ex.status in (429, 503) else None
            )
            self.stats.add_retry(reason)
            self.sleep(retry_delay(retries, retry_after, self.policy.base_seconds, self.policy.max_seconds))
            retries += 1


def header_value(headers: dict | None, name: str) -> str | None:
    """A response header by case-insensitive name (servers and proxies differ in case), or None."""
    for key, value in (headers or {}).items():
        if key.lower() == name.lower():
            return str(value)
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:300]


# --- retry timing ------------------------------------------------------------------------------------------
# Retry timing: bounded exponential backoff with full jitter, overridden by the server's Retry-After.
#
# Full jitter (delay = uniform(0, min(cap, base * 2**attempt))) spreads the retries of the 8 concurrent
# page fetches so they do not hit a recovering server in lock-step. When the server says how long to wait
# (Retry-After on 429/503, in seconds or as an HTTP date) we wait that long instead, capped so a bogus
# header cannot stall a run for hours. Pure: the random source and the clock are parameters.
MAX_RETRY_AFTER_S = 120.0


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header value; None when absent or unreadable."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def jitter_delay(attempt: int, base: float, cap: float, rand: Callable[[], float] = random.random) -> float:
    """Full-jitter delay before retry number `attempt` (0-based)."""
    ceiling = min(cap, base * (2 ** max(0, attempt)))
    return rand() * ceiling


def retry_delay(
    attempt: int, retry_after: float | None, base: float, cap: float, rand: Callable[[], float] = random.random
) -> float:
    """The wait before the next attempt: the server's Retry-After when it gave one, else full jitter."""
    if retry_after is not None:
        return min(retry_after, MAX_RETRY_AFTER_S)
    return jitter_delay(attempt, base, cap, rand)


# --- counters --------------------------------------------------------------------------------------------------


class ClientStats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.retries_by_reason: Counter[str] = Counter()
        self.pages = 0
        self.api_seconds = 0.0
        self.filtered_out = 0
        self.duplicates = 0
        self.rescans = 0
        self.skipped: Counter[str] = Counter()  # fan-out targets skipped (e.g. EVENT_NOT_FOUND)

    def add(self, **deltas) -> None:
        with self._lock:
            for name, delta in deltas.items():
                setattr(self, name, getattr(self, name) + delta)

    def add_retry(self, reason: str) -> None:
        with self._lock:
            self.retries_by_reason[reason] += 1

    def add_skip(self, reason: str) -> None:
        with self._lock:
            self.skipped[reason] += 1

    @property
    def retries(self) -> int:
        return sum(self.retries_by_reason.values())

    def as_dict(self) -> dict:
        with self._lock:
            return {
                "requests": self.requests,
                "retries": sum(self.retries_by_reason.values()),
                "retries_by_reason": dict(self.retries_by_reason),
                "pages": self.pages,
                "api_seconds": round(self.api_seconds, 3),
                "filtered_out": self.filtered_out,
                "duplicates": self.duplicates,
                "rescans": self.rescans,
                "skipped": dict(self.skipped),
            }
