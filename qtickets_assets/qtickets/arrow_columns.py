"""ClickHouse column types → Arrow types, and Python column lists → one Arrow table. Pure (no I/O).

Why Arrow: clickhouse-connect's column-oriented `insert` converts every DateTime64 / Nullable value in
Python, row by row, holding the GIL the fetch threads need; pyarrow converts the same Python lists in C++
and the server parses the Arrow stream natively (writer.py has the measured gain).
The Arrow type of each column comes from the table's own DDL (DESCRIBE TABLE), so a column added or
retyped in clickhouse/sql/ cannot be silently sent with a guessed type.

String columns go as Arrow `binary`: payloads arrive as bytes (rows.payload_bytes) and must be stored
byte-exact, with no UTF-8 validation or re-encoding on the way; str values are UTF-8 encoded by pyarrow,
exactly as clickhouse-connect did. DateTime64 values are tz-aware UTC datetimes; pyarrow truncates the
microseconds to the column's unit, as clickhouse-connect's floor did (all values are ≥ 1970, so floor and
truncation agree).
"""
from __future__ import annotations

import re
from datetime import timezone

import pyarrow as pa

_INTS = {
    "UInt8": pa.uint8(), "UInt16": pa.uint16(), "UInt32": pa.uint32(), "UInt64": pa.uint64(),
    "Int8": pa.int8(), "Int16": pa.int16(), "Int32": pa.int32(), "Int64": pa.int64(),
    "Float32": pa.float32(), "Float64": pa.float64(), "Bool": pa.bool_(),
}
_UNITS = {0: "s", 3: "ms", 6: "us", 9: "ns"}
_WRAPPERS = re.compile(r"^(Nullable|LowCardinality)\((.*)\)$")
_DATETIME64 = re.compile(r"^DateTime64\(\s*(\d+)\s*(?:,\s*'([^']*)'\s*)?\)$")
_DATETIME = re.compile(r"^DateTime(?:\(\s*'([^']*)'\s*\))?$")


def arrow_type(ch_type: str) -> pa.DataType:
    """The Arrow type to send for a ClickHouse column type (as DESCRIBE TABLE spells it).

    Nullable/LowCardinality only change how the server stores the column: Arrow arrays are nullable anyway.
    A type not listed raises ValueError rather than letting the server guess a conversion."""
    text = ch_type.strip()
    wrapped = _WRAPPERS.match(text)
    while wrapped:
        text = wrapped.group(2).strip()
        wrapped = _WRAPPERS.match(text)
    if text in _INTS:
        return _INTS[text]
    if text == "String" or text.startswith("FixedString("):
        return pa.binary()
    if text in ("Date", "Date32"):
        return pa.date32()
    dt64 = _DATETIME64.match(text)
    if dt64:
        scale = int(dt64.group(1))
        if scale not in _UNITS:
            raise ValueError(f"no Arrow unit for {ch_type} (scale must be 0, 3, 6 or 9)")
        return pa.timestamp(_UNITS[scale], tz=dt64.group(2) or "UTC")
    dt = _DATETIME.match(text)
    if dt:
        return pa.timestamp("s", tz=dt.group(1) or "UTC")
    raise ValueError(f"no Arrow mapping for ClickHouse type {ch_type}")


def arrow_schema(columns: tuple[str, ...] | list[str], described: dict[str, str]) -> pa.Schema:
    """Schema for `columns` (insert order) from {column name: ClickHouse type} of DESCRIBE TABLE."""
    missing = [c for c in columns if c not in described]
    if missing:
        raise ValueError(f"columns missing from the table: {', '.join(missing)}")
    return pa.schema([pa.field(c, arrow_type(described[c])) for c in columns])


def _as_utc(col: list) -> list:
    """Timestamps with a non-zero UTC offset, converted to UTC in Python first. Why: once pandera is imported
    (the quality checks, same process) pyarrow drops the offset of aware datetimes and stores the wall
    time as UTC (measured: 12:00+03:00 stored as 12:00Z). Key columns hold UTC datetimes already
    (timeparse.parse_ts), so this is one cheap scan and the list is normally returned as is."""
    if any(v is not None and v.utcoffset() for v in col):
        return [v.astimezone(timezone.utc) if v is not None and v.utcoffset() else v for v in col]
    return col


def arrow_table(schema: pa.Schema, cols: list[list]) -> pa.Table:
    """One Arrow table from Python column lists (same order as the schema); values convert in C++."""
    arrays = [pa.array(_as_utc(col) if pa.types.is_timestamp(f.type) else col, type=f.type)
              for col, f in zip(cols, schema)]
    return pa.Table.from_arrays(arrays, schema=schema)
