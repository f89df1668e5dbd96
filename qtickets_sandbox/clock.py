"""The sandbox clock and the ISO-8601 helpers.

Times are kept as integer epoch seconds (compact for a million orders) and rendered in the organiser time
zone with the colon offset the real API uses (`2026-11-01T12:00:00+03:00`).
The clock never follows the wall clock on its own: it moves only through POST /__sandbox/advance and by one
second per state-changing request, so every write gets a strictly newer `updated_at` and runs are repeatable.
"""

from __future__ import annotations

import threading
import time
from datetime import date, datetime, timedelta, timezone

MSK = timezone(timedelta(hours=3))
DEFAULT_ANCHOR = "2026-11-01T12:00:00+03:00"


_EPOCH_DAY = date(1970, 1, 1)
_DAYS: dict = {}  # day number (MSK) -> "YYYY-MM-DD"; a few thousand entries at most
# second of the day -> "THH:MM:SS+03:00" (built at import: no lazy init racing between handler threads)
_HMS = [f"T{h:02d}:{m:02d}:{s:02d}+03:00" for h in range(24) for m in range(60) for s in range(60)]


def fmt(ts: int | None) -> str | None:
    """Epoch seconds -> '2026-11-01T12:00:00+03:00' (None stays None).

    Rendering is the hot path of big order pages, so whole-second ints take a table lookup (MSK has no DST
    since 2014, a fixed +03:00); anything else goes through datetime.isoformat, the reference behaviour."""
    if ts is None:
        return None
    if type(ts) is not int:
        return datetime.fromtimestamp(ts, MSK).isoformat()
    day, sec = divmod(ts + 10800, 86400)
    text = _DAYS.get(day)
    if text is None:
        text = _DAYS[day] = (_EPOCH_DAY + timedelta(days=day)).isoformat()
    return text + _HMS[sec]


def parse_iso(value) -> int | None:
    """ISO date or date-time (any offset, 'Z', '+0300', naive = organiser time) -> epoch seconds, else None."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            d = date.fromisoformat(text)
            return int(datetime(d.year, d.month, d.day, tzinfo=MSK).timestamp())
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=MSK)
    return int(dt.timestamp())


def resolve_anchor(text: str | None) -> int:
    """'now' -> the wall clock at start (then frozen like any anchor); None -> the fixed default anchor."""
    if text is None or text == "":
        text = DEFAULT_ANCHOR
    if text == "now":
        return int(time.time())
    ts = parse_iso(text)
    if ts is None:
        raise ValueError(f"invalid --anchor {text!r}: expected an ISO-8601 date-time or 'now'")
    return ts


class SandboxClock:
    """Monotonic sandbox time; thread-safe."""

    def __init__(self, anchor_ts: int):
        self.anchor = anchor_ts
        self._now = anchor_ts
        self._lock = threading.Lock()

    def now(self) -> int:
        return self._now

    def tick(self) -> int:
        """One second per write, so a later write always has a later updated_at."""
        with self._lock:
            self._now += 1
            return self._now

    def advance(self, seconds: int) -> tuple[int, int]:
        with self._lock:
            before = self._now
            self._now += max(0, int(seconds))
            return before, self._now
