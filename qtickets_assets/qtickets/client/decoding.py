"""REST answers decoded without building every object: each object keeps the API's own bytes, and only the
top-level fields the platform reads (key columns, filter columns, id) become Python values.

Why: parsing a whole page of orders into dicts and serialising every order again for `payload` was most of a
load's CPU (several times this decoder's cost; figures in bench/README.md), and on a 2-core machine that CPU,
not the API's latency, capped how much the concurrent paging could gain. It also makes
`payload` literally the untouched JSON text the API sent for the object (its escapes included).

Anything this decoder does not recognise — not a `{"data": ...}` envelope or a bare array, invalid UTF-8,
escapes that are not valid UTF-16 (lone surrogates), NaN literals — returns None, and the caller parses the
answer the ordinary way (answers.py), which knows how to keep those payloads and how to report broken ones.

One difference from a re-serialised payload: an object with a repeated key (`{"id":1,"id":2}`, which RFC 8259
leaves undefined and PHP's json_encode cannot produce) is stored as sent. The key columns take the last value,
as every Python parser does, while ClickHouse's JSONExtract* (the dbt views) read the first one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

import msgspec

try:  # pragma: no cover - depends on the environment
    import orjson as _orjson
except ImportError:  # pragma: no cover
    _orjson = None


_UNSET = msgspec.UNSET


class RawObject(dict):
    """The fields the platform reads, as a dict, plus `raw`: the object's JSON bytes as the API sent them."""

    __slots__ = ("raw",)


class _Envelope(msgspec.Struct):
    data: list[msgspec.Raw] | dict[str, msgspec.Raw]  # a list, or a keyed map (flat seats)
    paging: Any = None


# The shapes of REST answers that carry objects: the list envelope (paged or not) and a bare array (barcodes).
_ANSWER = msgspec.json.Decoder(_Envelope | list[msgspec.Raw])


@lru_cache(maxsize=64)
def sparse_decoder(names: tuple[str, ...]) -> Callable[[bytes], Any]:
    """raw object bytes -> RawObject holding only the fields `names` (those present: absent stays absent,
    null is None). Field names are mapped onto safe attribute names, so any JSON key works."""
    attrs = tuple(f"f{i}" for i in range(len(names)))
    struct = msgspec.defstruct(
        "SparseObject", [(a, Any, msgspec.field(default=_UNSET, name=n)) for a, n in zip(attrs, names)]
    )
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


def decode_answer(content: bytes, fields: Iterable[str]) -> dict | list | None:
    """A REST answer with its objects as RawObjects, in the answer's own shape: `{"data": [...], "paging": ...}`,
    `{"data": {key: ...}, "paging": ...}` or a bare `[...]`. None when the fast path does not apply (the caller
    then parses `content` the ordinary way). Other top-level members of an envelope are not kept: the loads
    read only `data` and `paging`."""
    try:
        content.decode("utf-8")  # strict: an invalid byte must not reach a payload unnoticed
        answer = _ANSWER.decode(content)
        decode = sparse_decoder(tuple(dict.fromkeys(fields)))
        if isinstance(answer, list):
            return [decode(raw) for raw in answer]
        if isinstance(answer.data, dict):
            return {"data": {key: decode(raw) for key, raw in answer.data.items()}, "paging": answer.paging}
        return {"data": [decode(raw) for raw in answer.data], "paging": answer.paging}
    # RecursionError: msgspec's nesting limit depends on the stack already in use (~900-990 levels), orjson's
    # is a fixed 1024: deeply nested answers between the two must fall back, not fail the load.
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, ValueError, RecursionError):
        return None


# --- JSON encode/decode ----------------------------------------------------------------------------------
# JSON encode/decode: orjson when it is importable (it is installed with dagster-dbt), else the stdlib.
#
# Why: serialising every payload with the stdlib encoder was the largest cost of a load; orjson is about an
# order of magnitude faster at it.
# The output is the contract's form either way: compact separators, UTF-8 kept (no \\u escapes). Values
# orjson refuses (integers beyond 64 bits, non-string keys) fall back to the stdlib for that one object.
# NaN/Infinity cannot reach dumps through orjson.loads (it rejects those literals, which are not JSON).
_SURROGATE = re.compile("[\ud800-\udfff]")


def _std_dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _escape_surrogates(text: str) -> str:
    """A lone surrogate (the API may send `\\udcff`) cannot be UTF-8 encoded; write it back as the same
    JSON escape, so the payload stays valid JSON, valid UTF-8 and means what the API sent."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def dumps_bytes(obj) -> bytes:
    """UTF-8 bytes of the compact serialisation (what the ClickHouse String column receives)."""
    if _orjson is not None:
        try:
            return _orjson.dumps(obj)
        except (TypeError, ValueError, OverflowError):
            pass
    text = _std_dumps(obj)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _escape_surrogates(text).encode("utf-8")


def dumps(obj) -> str:
    return dumps_bytes(obj).decode("utf-8")


def loads(text: str | bytes):
    """Parse one JSON document; raises ValueError when it is not one (cut transfer, HTML page)."""
    if _orjson is not None:
        try:
            return _orjson.loads(text)
        except _orjson.JSONDecodeError:
            pass  # the stdlib also accepts NaN/Infinity literals orjson rejects; let it decide
    return json.loads(text)
