"""Retry timing: bounded exponential backoff with full jitter, overridden by the server's Retry-After.

Full jitter (delay = uniform(0, min(cap, base * 2**attempt))) spreads the retries of the 8 concurrent
page fetches so they do not hit a recovering server in lock-step. When the server says how long to wait
(Retry-After on 429/503, in seconds or as an HTTP date) we wait that long instead, capped so a bogus
header cannot stall a run for hours. Pure: the random source and the clock are parameters.
"""
from __future__ import annotations

import random
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable

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
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def jitter_delay(attempt: int, base: float, cap: float, rand: Callable[[], float] = random.random) -> float:
    """Full-jitter delay before retry number `attempt` (0-based)."""
    ceiling = min(cap, base * (2 ** max(0, attempt)))
    return rand() * ceiling


def retry_delay(attempt: int, retry_after: float | None, base: float, cap: float,
                rand: Callable[[], float] = random.random) -> float:
    """The wait before the next attempt: the server's Retry-After when it gave one, else full jitter."""
    if retry_after is not None:
        return min(retry_after, MAX_RETRY_AFTER_S)
    return jitter_delay(attempt, base, cap, rand)
