"""Build a validation DataFrame from staging rows: pure, no I/O.

A staging row holds the API object as a JSON string (`payload`) plus a few typed key columns. The pandera models
validate a flat frame, so each resource declares a list of FieldSpec (column name, where to find the value, which
JSON types the API documents for it, whether the platform requires it). While flattening we remember, per row,
which fields were absent (`__missing__`) and which came with an undocumented JSON type (`__retyped__`): pandera
only sees a null in both cases, but "the API stopped sending payed_at" and "payed_at is null because the order is
unpaid" mean very different things.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

import pandas as pd

MISSING_COL = "__missing__"
RETYPED_COL = "__retyped__"
UNPARSABLE_COL = "__unparsable__"


class _Missing:
    """Sentinel for an absent key (distinct from a JSON null)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()

# JSON type names as the API reference writes them.
STR, INT, FLOAT, BOOL, NULL, OBJECT, ARRAY = "string", "int", "float", "bool", "null", "object", "array"
NUMBER = (INT, FLOAT)


def json_type(value: Any) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):  # before int: bool is an int subclass
        return BOOL
    if isinstance(value, int):
        return INT
    if isinstance(value, float):
        return FLOAT
    if isinstance(value, str):
        return STR
    if isinstance(value, Mapping):
        return OBJECT
    if isinstance(value, (list, tuple)):
        return ARRAY
    return type(value).__name__


@dataclass(frozen=True)
class FieldSpec:
    """One column of a validation frame.

    path: dotted path inside the JSON object (`client.details.phone`), or `@column` for a staging table column
    (`@show_id`: barcodes carry their show only in the key columns).
    types: the JSON types the API documents; `null` in it means the API may send null.
    required: the platform depends on it: absent or retyped in the API = the check fails (schema drift).
    derive: optional function of the whole object computing the value (then `path` is only the documentation).
    """

    name: str
    path: str
    types: tuple[str, ...]
    required: bool = True
    derive: Callable[[Mapping[str, Any]], Any] | None = None


def extract(obj: Any, path: str) -> Any:
    """Value at a dotted path, or MISSING when any step is absent (or not an object)."""
    cur = obj
    for part in path.split("."):
        if not isinstance(cur, Mapping) or part not in cur:
            return MISSING
        cur = cur[part]
    return cur


def parse_payload(payload: Any) -> Any:
    """The JSON object of a payload string; None when it is not valid JSON."""
    if isinstance(payload, Mapping):
        return payload
    try:
        return json.loads(payload)
    except (TypeError, ValueError):
        return None


def flatten_objects(
    objects: Iterable[Mapping[str, Any]],
    fields: Sequence[FieldSpec],
    row_columns: Sequence[Mapping[str, Any]] | None = None,
) -> pd.DataFrame:
    """One row per object, one column per FieldSpec, plus `__missing__` / `__retyped__` (tuples of field names).

    Absent and retyped values become null in their column so the pandera dtypes still apply to the rest; the
    drift check reads the two bookkeeping columns. All columns are `object` dtype: the models coerce."""
    records: list[dict[str, Any]] = []
    for i, obj in enumerate(objects):
        row_cols = row_columns[i] if row_columns is not None else {}
        rec: dict[str, Any] = {}
        missing: list[str] = []
        retyped: list[str] = []
        for f in fields:
            if f.derive is not None:
                value = f.derive(obj)
            elif f.path.startswith("@"):
                value = row_cols.get(f.path[1:], MISSING)
            else:
                value = extract(obj, f.path)
            if value is MISSING:
                missing.append(f.name)
                value = None
            elif f.derive is None and json_type(value) not in f.types and not f.path.startswith("@"):
                retyped.append(f"{f.name}:{json_type(value)}")
                value = None
            rec[f.name] = _utf8(value) if isinstance(value, str) else value
        rec[MISSING_COL] = tuple(missing)
        rec[RETYPED_COL] = tuple(retyped)
        records.append(rec)
    columns = [f.name for f in fields] + [MISSING_COL, RETYPED_COL]
    # object columns from the start: no type inference, the models coerce
    return pd.DataFrame({c: pd.Series([rec[c] for rec in records], dtype=object) for c in columns})


def _utf8(text: str) -> str:
    """JSON may carry lone surrogates (`\\udcff`); pandas' Arrow-backed strings cannot hold them, so they become
    U+FFFD here (the payload in staging keeps the original)."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def parse_rows(rows: Sequence[Mapping[str, Any]]) -> tuple[list[dict], list[dict], list[int]]:
    """Split staging rows into (objects, row key columns, indexes of rows whose payload is not a JSON object)."""
    objects: list[dict] = []
    row_cols: list[dict] = []
    bad: list[int] = []
    for i, row in enumerate(rows):
        obj = parse_payload(row.get("payload"))
        if not isinstance(obj, Mapping):
            bad.append(i)
            continue
        objects.append(dict(obj))
        row_cols.append({k: v for k, v in row.items() if k != "payload"})
    return objects, row_cols, bad
