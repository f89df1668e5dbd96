"""ISO-8601 timestamps of the API ⇄ UTC datetimes. Pure.

The API sends `2019-07-30T12:50:52+03:00` (organiser time zone). Key columns store UTC. Anything that
cannot be read becomes None: the key column is then NULL while the payload keeps the original text
(quality checks report it) — one odd object must never stop or shrink a load.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Europe/Moscow"


def platform_tz() -> ZoneInfo:
    try:
        return ZoneInfo(os.environ.get("QTICKETS_TIMEZONE") or DEFAULT_TZ)
    except Exception:  # noqa: BLE001 - an unknown zone name falls back to the documented default
        return ZoneInfo(DEFAULT_TZ)


def parse_ts(value, naive_tz=None) -> datetime | None:
    """A UTC-aware datetime, or None. Naive values are read in `naive_tz` (default: platform zone)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value)  # fast path: the API's own form, +03:00 or Z
        except ValueError:
            dt = _parse_loose(value)
            if dt is None:
                return None
    elif isinstance(value, datetime):
        dt = value
    else:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=naive_tz or platform_tz())
    try:
        dt = dt.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    if not (1970 <= dt.year <= 2299):  # outside DateTime64(3) range: treat as unreadable
        return None
    return dt


def _parse_loose(value: str) -> datetime | None:
    """Tolerated variants: surrounding blanks, `+0300` offsets."""
    text = value.strip()
    if len(text) >= 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = text[:-2] + ":" + text[-2:]  # +0300 → +03:00
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def to_api_ts(dt: datetime, tz=None) -> str:
    """Format for a `where` value: ISO with a `+03:00`-style offset in the platform zone (the form the
    vendor docs use; `+0300` was suspected to be ignored)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(tz or platform_tz()).replace(microsecond=0).isoformat()


def day_start(d: date, tz=None) -> datetime:
    """Midnight of `d` in the platform zone, as a UTC datetime."""
    return datetime.combine(d, time(0), tzinfo=tz or platform_tz()).astimezone(UTC)


def next_day_start(d: date, tz=None) -> datetime:
    return day_start(d + timedelta(days=1), tz)
