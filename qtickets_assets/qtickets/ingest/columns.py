"""The typed key columns of a staging row: how each value is read from an API object (or the fan-out context) and
parsed. Pure. The catalog declares, per column, one of the sources below and one parser.

Rules: a key column never makes a load fail. Timestamps that cannot be read become NULL (Nullable columns); ids
that cannot be read become 0. The only non-Nullable timestamp of the contract, orders.created_at (it is the
partition key), falls back to 1970-01-01: visible, and flagged by the quality checks, while the payload keeps the
original value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from qtickets_assets.qtickets.client.decoding import dumps, dumps_bytes
from qtickets_assets.qtickets.client.timestamps import parse_ts

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def payload_json(obj: Any) -> str:
    """The contract's serialisation of a payload (compact, UTF-8 kept)."""
    return dumps(obj)


def payload_bytes(obj: Any) -> bytes:
    """The payload column's bytes: the API's own text of the object when the page was decoded sparsely
    (decoding.RawObject), else the contract's serialisation (no str round trip on the insert path)."""
    raw = getattr(obj, "raw", None)
    return raw if raw is not None else dumps_bytes(obj)


def to_uint(value: Any, default: int | None = 0) -> int | None:
    """Non-negative int from an int or a numeric string ("27061"); `default` otherwise."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value if 0 <= value < 2**64 else default
    if isinstance(value, float) and value.is_integer():
        return to_uint(int(value), default)
    if isinstance(value, str) and value.strip().isdigit():
        return to_uint(int(value.strip()), default)
    return default


def to_flag(value: Any) -> int:
    """0/1 from the API's mix of booleans, 0/1 ints and "1"/"true" strings."""
    if isinstance(value, str):
        return int(value.strip().lower() in ("1", "true", "yes"))
    return int(bool(value)) if isinstance(value, (bool, int, float)) else 0


def to_text(value: Any) -> str:
    """A String key column value; lone surrogates (unencodable) are written as their JSON escape."""
    text = "" if value is None else str(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def to_timestamp(value: Any) -> datetime | None:
    """A UTC datetime from the API's ISO text, or None (NULL) when it cannot be read."""
    return parse_ts(value)


def to_timestamp_or_epoch(value: Any) -> datetime:
    """For a non-Nullable timestamp (a partition key): unreadable values become 1970-01-01, visible and flagged by
    the quality checks, while the payload keeps what the API sent."""
    return parse_ts(value) or EPOCH


def to_optional_uint(value: Any) -> int | None:
    return to_uint(value, None)


# --- where a key column's value comes from ---------------------------------------------------------------------
# context: {"event_id", "show_id", "snapshot_ts", "key"} as known from the fan-out (the show asked about) and the
# answer (the key of a keyed map such as the flat seats).


@dataclass(frozen=True)
class Field:
    """A top-level field of the object. A bare scalar item (a barcode list of strings) is its own value."""

    name: str
    parse: Callable[[Any], Any]

    @property
    def object_fields(self) -> tuple[str, ...]:
        return (self.name,)

    def read(self, obj: Any, ctx: dict) -> Any:
        if isinstance(obj, dict):
            return self.parse(obj.get(self.name))
        return self.parse(obj)


@dataclass(frozen=True)
class Context:
    """A value of the fan-out context, e.g. the show a seat map was asked for."""

    name: str
    parse: Callable[[Any], Any] = lambda v: v

    object_fields = ()

    def read(self, obj: Any, ctx: dict) -> Any:
        return self.parse(ctx.get(self.name))


@dataclass(frozen=True)
class FieldOrContext:
    """The object's field when it has one, else the context's (a Partners ticket carries no show id)."""

    name: str
    parse: Callable[[Any], Any]

    @property
    def object_fields(self) -> tuple[str, ...]:
        return (self.name,)

    def read(self, obj: Any, ctx: dict) -> Any:
        value = obj.get(self.name) if isinstance(obj, dict) else None
        return self.parse(ctx.get(self.name) if value is None else value)


@dataclass(frozen=True)
class MapKeyOrField:
    """The key of a keyed-map answer (flat seats: {seat id: seat}), else the object's own field."""

    name: str
    parse: Callable[[Any], Any]

    @property
    def object_fields(self) -> tuple[str, ...]:
        return (self.name,)

    def read(self, obj: Any, ctx: dict) -> Any:
        key = ctx.get("key")
        return self.parse(key if key is not None else (obj.get(self.name) if isinstance(obj, dict) else None))


Source = Field | Context | FieldOrContext | MapKeyOrField
