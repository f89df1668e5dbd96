"""Fault injection for API requests (admin routes are never faulted).

Kinds: 429 (Retry-After), 503 (UNKNOWN_ERROR), timeout (stall, then answer; a write is not executed and gets
504), reset (TCP RST, no response), truncated (full Content-Length, half the body; a write is not executed).
`down` makes every API request a 503 until switched off. Decisions come from a seeded RNG, so a run with the
same seed and request sequence injects the same faults.
"""

from __future__ import annotations

import random
import threading

KINDS = ("429", "503", "timeout", "reset", "truncated")


class FaultInjector:
    def __init__(self, seed: int, rate: float = 0.0, kinds=None, stall_seconds: float = 10.0, retry_after: int = 1):
        self._rng = random.Random(f"{seed}:faults")
        self._lock = threading.Lock()
        self.rate = 0.0
        self.kinds = list(KINDS)
        self.stall_seconds = stall_seconds
        self.retry_after = retry_after
        self.down = False
        self.counts = dict.fromkeys(KINDS + ("down",), 0)
        self.update(rate=rate, kinds=kinds if kinds is not None else list(KINDS))

    def update(self, rate=None, kinds=None, stall_seconds=None, retry_after=None, down=None) -> None:
        """Validate everything first, then apply (ValueError on bad input)."""
        if rate is not None and (not isinstance(rate, (int, float)) or isinstance(rate, bool) or not 0 <= rate <= 1):
            raise ValueError("rate must be a number between 0 and 1")
        if kinds is not None:
            if isinstance(kinds, str):
                kinds = [k.strip() for k in kinds.split(",") if k.strip()]
            kinds = [str(k) for k in kinds]
            bad = [k for k in kinds if k not in KINDS]
            if bad or not kinds:
                raise ValueError(f"kinds must be a non-empty subset of {', '.join(KINDS)}")
        if stall_seconds is not None and (not isinstance(stall_seconds, (int, float)) or stall_seconds < 0):
            raise ValueError("stall_seconds must be a non-negative number")
        if retry_after is not None and (not isinstance(retry_after, int) or retry_after < 0):
            raise ValueError("retry_after must be a non-negative integer")
        with self._lock:
            if rate is not None:
                self.rate = float(rate)
            if kinds is not None:
                self.kinds = kinds
            if stall_seconds is not None:
                self.stall_seconds = float(stall_seconds)
            if retry_after is not None:
                self.retry_after = retry_after
            if down is not None:
                self.down = bool(down)

    def config(self) -> dict:
        return {
            "rate": self.rate,
            "kinds": list(self.kinds),
            "stall_seconds": self.stall_seconds,
            "retry_after": self.retry_after,
            "down": self.down,
        }

    def decide(self) -> str | None:
        """The fault for this request, or None. Counted here."""
        with self._lock:
            if self.down:
                self.counts["down"] += 1
                return "down"
            if self.rate <= 0 or self._rng.random() >= self.rate:
                return None
            kind = self._rng.choice(self.kinds)
            self.counts[kind] += 1
            return kind
