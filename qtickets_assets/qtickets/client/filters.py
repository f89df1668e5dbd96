"""Local re-check of `where` filters on the objects the API returned. Pure.

Both third-party clients do this, for a reason: a filter the server does not understand may be silently
ignored (docs/qtickets_api.md#unknown-filters). Objects that provably do not match are dropped and counted; an object
whose field cannot be compared (missing, unparsable date) is KEPT — dropping data on a guess is worse
than loading a row the dedup will absorb.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from qtickets_assets.json_paths import dig

from .timestamps import parse_ts

_MISSING = object()


def _get(obj: Any, column: str) -> Any:
    try:
        return dig(obj, column)
    except KeyError:
        return _MISSING


def _norm(value: Any) -> Any:
    """Comparable form: bools/0/1 as ints, numeric strings as floats, ISO dates as UTC datetimes."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ("true", "false"):
            return int(text.lower() == "true")
        try:
            return float(text)
        except ValueError:
            pass
        if len(text) >= 10 and text[4:5] == "-" and text[7:8] == "-":
            ts = parse_ts(text)
            if ts is not None:
                return ts
        return text
    return value


def _compare(op: str, left: Any, right: Any) -> bool | None:
    """True/False, or None when the values cannot be compared."""
    a, b = _norm(left), _norm(right)
    if op in ("=", "=="):
        return a == b
    if op in ("!=", "<>"):
        return a != b
    try:
        if op == "<":
            return a < b
        if op == ">":
            return a > b
        if op == "<=":
            return a <= b
        if op == ">=":
            return a >= b
    except TypeError:
        return None
    return None


def condition_matches(obj: Any, cond: dict) -> bool | None:
    """One filter object `{"column", "operator"?, "value"?}`: True, False or None (undecidable)."""
    column = cond.get("column")
    if not isinstance(column, str):
        return None
    op = str(cond.get("operator", "=")).strip().lower()
    actual = _get(obj, column)
    if op == "null":
        return actual is None or actual is _MISSING
    if op == "not null":
        return actual is not None and actual is not _MISSING
    if actual is _MISSING:
        return None
    value = cond.get("value")
    if op in ("in", "not in"):
        if not isinstance(value, (list, tuple)):
            return None
        hit = any(_compare("=", actual, v) for v in value)
        return hit if op == "in" else not hit
    if op in ("in array", "not in array"):
        if not isinstance(actual, list):
            return None
        wanted = value if isinstance(value, (list, tuple)) else [value]
        hit = any(_compare("=", a, v) for a in actual for v in wanted)
        return hit if op == "in array" else not hit
    if actual is None:
        # SQL semantics: NULL matches no comparison except `!=` on a non-null value.
        return op in ("!=", "<>") and value is not None
    return _compare(op, actual, value)


def matches(obj: Any, where: Iterable[dict] | None) -> bool:
    """AND of every condition; undecidable conditions count as matching (keep the object)."""
    for cond in where or ():
        if condition_matches(obj, cond) is False:
            return False
    return True


def split_matching(objects: list, where: Iterable[dict] | None) -> tuple[list, int]:
    """(objects that match, number dropped)."""
    where = list(where or ())
    if not where:
        return objects, 0
    kept = [o for o in objects if matches(o, where)]
    return kept, len(objects) - len(kept)
