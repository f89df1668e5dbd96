"""List pages decoded without building every object: each object keeps the API's own bytes, and only the
top-level fields the platform reads (key columns, filter columns, id) become Python values.

Why: a page of 500 orders is ~1.5 MB of JSON. Parsing all of it into dicts and serialising every order
again for `payload` was most of a load's CPU (orjson: ~16 ms a page; this: ~4.5 ms), and on a 2-core
machine that CPU, not the API's latency, capped how much the concurrent paging could gain. It also makes
`payload` literally the untouched JSON text the API sent for the object (its escapes included).

Anything this decoder does not recognise — not a `{"data": [...]}` page, invalid UTF-8, escapes that
are not valid UTF-16 (lone surrogates), NaN literals — returns None, and the caller parses the answer the
ordinary way (classify.py), which knows how to keep those payloads and how to report broken ones.

One difference from a re-serialised payload: an object with a repeated key (`{"id":1,"id":2}`, which RFC 8259
leaves undefined and PHP's json_encode cannot produce) is stored as sent. The key columns take the last value,
as every Python parser does, while ClickHouse's JSONExtract* (the dbt views) read the first one.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, Iterable

import msgspec

from .jsonfast import loads

_UNSET = msgspec.UNSET


class RawObject(dict):
    """The fields the platform reads, as a dict, plus `raw`: the object's JSON bytes as the API sent them."""
    __slots__ = ("raw",)


class _Page(msgspec.Struct):
    data: list[msgspec.Raw]
    paging: Any = None


_PAGE = msgspec.json.Decoder(_Page)


@lru_cache(maxsize=64)
def sparse_decoder(names: tuple[str, ...]) -> Callable[[bytes], Any]:
    """raw object bytes -> RawObject holding only the fields `names` (those present: absent stays absent,
    null is None). Field names are mapped onto safe attribute names, so any JSON key works."""
    attrs = tuple(f"f{i}" for i in range(len(names)))
    struct = msgspec.defstruct("SparseObject", [(a, Any, msgspec.field(default=_UNSET, name=n))
                                                for a, n in zip(attrs, names)])
    decoder = msgspec.json.Decoder(struct)
    pairs = tuple(zip(names, attrs))

    def decode(raw: bytes) -> Any:
        try:
            s = decoder.decode(raw)
        except msgspec.ValidationError:
            # Not an object (a bare string or number), or a wanted field msgspec cannot hold (a number beyond
            # the float range): parsed whole, like the ordinary path does.
            return loads(bytes(raw))
        obj = RawObject()
        for name, attr in pairs:
            value = getattr(s, attr)
            if value is not _UNSET:
                obj[name] = value
        obj.raw = bytes(raw)
        return obj

    return decode


def decode_list_page(content: bytes, fields: Iterable[str]) -> dict | None:
    """`{"data": [RawObject...], "paging": {...}}` for a list page, or None when the fast path does not
    apply (the caller then parses `content` the ordinary way)."""
    try:
        content.decode("utf-8")           # strict: an invalid byte must not reach a payload unnoticed
        page = _PAGE.decode(content)
        decode = sparse_decoder(tuple(dict.fromkeys(fields)))
        items = [decode(raw) for raw in page.data]
    # RecursionError: msgspec's nesting limit depends on the stack already in use (~900-990 levels), orjson's
    # is a fixed 1024: deeply nested pages between the two must fall back, not fail the load.
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    return {"data": items, "paging": page.paging}
