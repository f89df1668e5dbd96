"""List-body semantics of the REST API (pure, no I/O): `where`, `orderBy`, `page`, `perPage`.

* operators: = (default), !=, <>, <, >, <=, >=, in, not in, in array, not in array, null, not null.
* `=`/`!=` with a null value mean IS NULL / IS NOT NULL (Laravel's behaviour) [INF].
* SQL null semantics otherwise: a null field matches no comparison, `in` or `not in` [INF].
* booleans compare equal to 1/0 (and "1"/"0", "true"/"false"); ISO dates compare as instants.
* a dotted column (`client.email`, `baskets.show_id`) walks the rendered object; through an array it
  matches when any element matches. `in array` tests an array field for any element in the list [INF].
* unknown column or operator, or a malformed value -> QueryError (HTTP 422 VALIDATION_ERROR) [INF].
"""

from __future__ import annotations

import re

from qtickets_sandbox.clock import parse_iso

MAX_PER_PAGE = 1000  # [INF] larger requests are clamped; paging.perPage reports the effective size
OPERATORS = {"=", "!=", "<>", "<", ">", "<=", ">=", "in", "not in", "in array", "not in array", "null", "not null"}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")


class QueryError(Exception):
    def __init__(self, info: dict):
        super().__init__(str(info))
        self.info = info


def _as_int(value, name: str, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool):
        raise QueryError({name: f"The {name} must be an integer."})
    try:
        return int(str(value).strip())
    except ValueError:
        raise QueryError({name: f"The {name} must be an integer."}) from None


def parse_paging(body: dict, default_per_page: int) -> tuple[int, int]:
    page = max(1, _as_int(body.get("page"), "page", 1))
    per_page = _as_int(body.get("perPage"), "perPage", default_per_page)
    return page, min(max(1, per_page), MAX_PER_PAGE)


def to_bool(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return v != 0
    if isinstance(v, str) and v.strip().lower() in ("1", "0", "true", "false"):
        return v.strip().lower() in ("1", "true")
    return None


def to_num(v):
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return None
    return None


def dotted(obj, path: list[str]):
    """Walk a rendered object; through a list, collect every element's value (flattened)."""
    cur = obj
    for i, key in enumerate(path):
        if isinstance(cur, list):
            out = []
            for item in cur:
                v = dotted(item, path[i:])
                out.extend(v if isinstance(v, list) else [v])
            return out
        if not isinstance(cur, dict):
            return None
        cur = cur.get(key)
    return cur


def _coerce(kind: str, ov, fv):
    """Return (object value, filter value) made comparable, or None when they cannot be compared."""
    if ov is None or fv is None:
        return None
    if kind == "time":
        return (ov, fv) if isinstance(fv, int) else None
    if isinstance(ov, bool):
        b = to_bool(fv)
        return None if b is None else (ov, b)
    if isinstance(ov, (int, float)):
        n = to_num(fv)
        return None if n is None else (ov, n)
    if isinstance(ov, str):
        if isinstance(fv, str) and _ISO.match(ov) and _ISO.match(fv):
            a, b = parse_iso(ov), parse_iso(fv)
            if a is not None and b is not None:
                return a, b
        if isinstance(fv, bool):
            fv = int(fv)
        return ov, fv if isinstance(fv, str) else str(fv)
    return None


_CMP = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<>": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def _values_of(ov):
    return ov if isinstance(ov, list) else [ov]


def make_predicate(kind: str, getter, op: str, value):
    if op in ("=", "!=", "<>") and value is None:
        op = "null" if op == "=" else "not null"
    if op == "null":
        return lambda o: _is_null(getter(o))
    if op == "not null":
        return lambda o: not _is_null(getter(o))
    if op in ("in", "not in", "in array", "not in array"):
        items = value if isinstance(value, list) else [value]
        if kind == "time":
            items = [_time_value(v) for v in items]
        negate = op.startswith("not")

        def member(o):
            ov = getter(o)
            hits = [_coerce(kind, x, fv) for x in _values_of(ov) if x is not None for fv in items]
            found = any(h is not None and h[0] == h[1] for h in hits)
            if negate:
                return ov is not None and ov != [] and not found
            return found

        return member
    cmp = _CMP[op]
    fv = _time_value(value) if kind == "time" else value

    def compare(o):
        for x in _values_of(getter(o)):
            pair = _coerce(kind, x, fv)
            if pair is not None:
                try:
                    if cmp(pair[0], pair[1]):
                        return True
                except TypeError:
                    continue
        return False

    return compare


def _is_null(v) -> bool:
    return v is None or (isinstance(v, list) and all(x is None for x in v) and len(v) > 0)


def _time_value(v):
    ts = parse_iso(v) if isinstance(v, str) else None
    if ts is None:
        raise QueryError({"where": f"Invalid date value {v!r}."})
    return ts


def compile_where(where, columns: dict, keys: list, render, aliases=None):
    """-> one predicate over records. `columns` = fast getters, `keys` = every renderable top-level field,
    `render` = record -> dict for the slow (dotted / non-indexed) path."""
    if where is None or where == [] or where == {}:
        return None
    if isinstance(where, dict):
        where = [where]
    if not isinstance(where, list):
        raise QueryError({"where": "The where must be an array."})
    preds = []
    for n, cond in enumerate(where):
        if not isinstance(cond, dict) or not isinstance(cond.get("column"), str):
            raise QueryError({f"where.{n}.column": "The column field is required."})
        column = (aliases or {}).get(cond["column"], cond["column"])
        op = str(cond.get("operator", "=")).strip().lower()
        if op not in OPERATORS:
            raise QueryError({f"where.{n}.operator": f'Unknown operator "{cond.get("operator")}".'})
        kind, getter = _getter(column, columns, keys, render, n)
        preds.append(make_predicate(kind, getter, op, cond.get("value")))
    if len(preds) == 1:
        return preds[0]
    return lambda o: all(p(o) for p in preds)


def _getter(column, columns, keys, render, n):
    if column in columns:
        return columns[column]
    path = column.split(".")
    if path[0] not in keys:
        raise QueryError({f"where.{n}.column": f'Unknown column "{column}".'})
    return "any", (lambda o: dotted(render(o), path))


def sort_records(records: list, order_by, columns: dict, keys: list, render, aliases=None) -> list:
    """orderBy {col: asc|desc, ...}; nulls first ascending, last descending (MySQL); ties keep id order."""
    if not order_by:
        return records
    if not isinstance(order_by, dict):
        raise QueryError({"orderBy": "The orderBy must be an object."})
    out = list(records)
    for column, direction in reversed(list(order_by.items())):
        d = str(direction).lower()
        if d not in ("asc", "desc"):
            raise QueryError({f"orderBy.{column}": "The direction must be asc or desc."})
        kind, getter = _getter((aliases or {}).get(column, column), columns, keys, render, 0)

        def key(o, g=getter):
            v = g(o)
            if isinstance(v, list):
                v = v[0] if v else None
            if v is None:
                return (0, 0, "")
            if isinstance(v, (bool, int, float)):
                return (1, float(v), "")
            ts = parse_iso(v) if isinstance(v, str) and _ISO.match(v) else None
            return (1, float(ts), "") if ts is not None else (1, 0.0, str(v))

        out.sort(key=key, reverse=(d == "desc"))
    return out


def page_slice(items: list, page: int, per_page: int) -> tuple[list, dict]:
    start = (page - 1) * per_page
    return items[start : start + per_page], {"perPage": per_page, "currentPage": page, "total": len(items)}
