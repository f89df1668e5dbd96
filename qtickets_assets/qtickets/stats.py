"""Per-client counters, shared by the worker threads of one client."""
from __future__ import annotations

import threading
from collections import Counter


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
        self.skipped: Counter[str] = Counter()   # fan-out targets skipped (e.g. EVENT_NOT_FOUND)

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
