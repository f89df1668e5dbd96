"""Typed key columns pulled out of API objects. Pure.

Rules: a key column never makes a load fail. Timestamps that cannot be read become NULL (Nullable
columns); ids that cannot be read become 0. The only non-Nullable timestamp of the contract,
orders.created_at (it is the partition key), falls back to 1970-01-01 — visible, and flagged by the
quality checks, while the payload keeps the original value.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from qtickets_assets.qtickets.client.decoding import dumps, dumps_bytes
from qtickets_assets.qtickets.client.timestamps import parse_ts

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def payload_json(obj: Any) -> str:
    """The contract's serialisation of a payload (compact, UTF-8 kept)."""
    return dumps(obj)


def payload_bytes(obj: Any) -> bytes:
    """The payload column's bytes: the API's own text of the object when the page was decoded sparsely
    (rawjson.RawObject), else the contract's serialisation (no str round trip on the insert path)."""
    raw = getattr(obj, "raw", None)
    return raw if raw is not None else dumps_bytes(obj)


def to_uint(value: Any, default: int | None = 0) -> int | None:
    """Non-negative int from an int or a numeric string ("27061"); `default` otherwise."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value if 0 <= value < 2 ** 64 else default
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


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else None


# --- per resource: (object, context) -> key column values, in the order of the catalog entry's columns ---
# context: {"event_id", "show_id", "snapshot_ts", "key"} as known from the fan-out and the answer.

# The top-level fields each *_keys function reads: a sparsely decoded REST answer (rawjson.py) holds only
# these, so a field read below and missing here would silently become NULL (tests/unit compare both paths).
ORDER_FIELDS = ("id", "event_id", "payed", "created_at", "payed_at", "updated_at", "deleted_at")
ID_UPDATED_DELETED_FIELDS = ("id", "updated_at", "deleted_at")
ID_FIELDS = ("id",)
PROMO_CODE_FIELDS = ("id", "discount_id", "updated_at", "deleted_at")
SEAT_FIELDS = ("id",)
BARCODE_FIELDS = ("barcode", "checked_at")


def order_keys(o, ctx):
    return (to_uint(_get(o, "id")), to_uint(_get(o, "event_id")), to_flag(_get(o, "payed")),
            parse_ts(_get(o, "created_at")) or EPOCH, parse_ts(_get(o, "payed_at")),
            parse_ts(_get(o, "updated_at")), parse_ts(_get(o, "deleted_at")))


def event_keys(o, ctx):
    return (to_uint(_get(o, "id")), parse_ts(_get(o, "updated_at")), parse_ts(_get(o, "deleted_at")))


def id_only_keys(o, ctx):
    return (to_uint(_get(o, "id")),)


def discount_keys(o, ctx):
    return (to_uint(_get(o, "id")), parse_ts(_get(o, "updated_at")), parse_ts(_get(o, "deleted_at")))


def promo_code_keys(o, ctx):
    return (to_uint(_get(o, "id")), to_uint(_get(o, "discount_id"), None),
            parse_ts(_get(o, "updated_at")), parse_ts(_get(o, "deleted_at")))


def seat_keys(o, ctx):
    seat_id = ctx.get("key") if ctx.get("key") is not None else _get(o, "id")
    return (to_uint(ctx.get("event_id")), to_uint(ctx.get("show_id")), to_text(seat_id), ctx["snapshot_ts"])


def barcode_keys(o, ctx):
    barcode = _get(o, "barcode") if isinstance(o, dict) else o
    return (to_uint(ctx.get("event_id")), to_uint(ctx.get("show_id")), to_text(barcode), ctx["snapshot_ts"],
            parse_ts(_get(o, "checked_at")))


def partner_ticket_keys(o, ctx):
    event_id = _get(o, "event_id") if _get(o, "event_id") is not None else ctx.get("event_id")
    show_id = _get(o, "show_id") if _get(o, "show_id") is not None else ctx.get("show_id")
    return (to_uint(_get(o, "id")), to_uint(event_id), to_uint(show_id), to_flag(_get(o, "paid")),
            to_flag(_get(o, "deleted")))


def partner_event_keys(o, ctx):
    return (to_uint(_get(o, "event_id")), to_uint(_get(o, "show_id")), to_text(_get(o, "last_update_hash")))
