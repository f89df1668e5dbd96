"""Which slice of a resource a run loads: the `where` filters and the cursor window. Pure.

incremental: `cursor_column >= max(cursor_column in staging) - lookback`; the first run (empty table) is
             a full load. Why a lookback: objects updated in the same second as the last high-water mark,
             or committed late by the API, would otherwise be missed; re-reading them is harmless (the
             newest _version wins in dedup).
full:        everything.
range:       `range_column` (orders: created_at) within [created_from 00:00, created_to + 1 day 00:00) in the
             platform time zone: a backfill of any date range. created_to is inclusive.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .timeparse import day_start, next_day_start, to_api_ts

MODES = ("incremental", "full", "range")


@dataclass(frozen=True)
class Window:
    mode: str                      # the mode actually applied ("full" when incremental had no cursor yet)
    where: tuple = ()
    cursor_from: datetime | None = None
    range_to: datetime | None = None
    note: str = ""


def _date(value: str | date | None, name: str) -> date:
    if isinstance(value, date):
        return value
    if not value:
        raise ValueError(f"mode 'range' needs {name} (YYYY-MM-DD)")
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{name} must be a date YYYY-MM-DD, got {value!r}") from None


def plan_window(mode: str, cursor_column: str | None, range_column: str | None, high_water: datetime | None,
                lookback_minutes: int, created_from=None, created_to=None) -> Window:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    if mode == "range":
        if not range_column:
            raise ValueError("this resource has no date range to backfill by; use mode 'full'")
        start, end = _date(created_from, "created_from"), _date(created_to, "created_to")
        if end < start:
            raise ValueError("created_to is before created_from")
        lo, hi = day_start(start), next_day_start(end)
        where = ({"column": range_column, "operator": ">=", "value": to_api_ts(lo)},
                 {"column": range_column, "operator": "<", "value": to_api_ts(hi)})
        return Window("range", where, lo, hi, f"{range_column} in [{start}, {end}]")
    if mode == "full" or not cursor_column:
        return Window("full", note="full load" if mode == "full" else "full load (resource has no cursor)")
    if high_water is None:
        return Window("full", note="full load: no complete load recorded yet (empty table or a failed first load)")
    cursor = high_water - timedelta(minutes=max(0, int(lookback_minutes)))
    where = ({"column": cursor_column, "operator": ">=", "value": to_api_ts(cursor)},)
    return Window("incremental", where, cursor, None, f"{cursor_column} >= high-water - {lookback_minutes} min")
