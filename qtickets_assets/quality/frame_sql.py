"""The SQL that flattens one load's payloads into a typed frame, inside ClickHouse. Pure: builds text, runs nothing.

For every FieldSpec of a frame the query exposes:
  <name>         the value, typed like the pandera model's column (NULL when absent or of an undocumented type,
                 so the model's value checks apply to the rest),
  __r_<name>     the raw JSON text of the value ('' when absent): failure samples show what the API sent,
  __t_<name>     its JSON type (`string`, `int`, `float`, `bool`, `null`, `object`, `array`, or `missing`),
  <name>__ts     for timestamp fields, the value read as DateTime64(3, 'UTC') (cross-field rules compare them),
plus `__new_keys` (top-level keys the reference does not document) and `__unparsable` (the payload is not a
JSON object).

Why this shape: each object is parsed ONCE (JSONExtractKeysAndValuesRaw into a Map of raw top-level values);
every field then reads a small raw string instead of re-parsing the whole payload per function call (check times
at scale: bench/README.md).
"""

from __future__ import annotations

import ibis.expr.datatypes as dt

from qtickets_assets.quality.fields import BOOL, FLOAT, INT, STR, FieldSpec, FrameSpec

MISSING = "missing"

# The JSON type of a raw value. ClickHouse re-serialises raw values compactly, so the first character decides,
# except numbers: integers are digits only (`1500`), anything else numeric is a float (`1500.5`, `1e3`).
_JSON_TYPE = (
    "multiIf({r} = '', 'missing', {r} = 'null', 'null', {r} IN ('true', 'false'), 'bool', "
    "startsWith({r}, '\"'), 'string', startsWith({r}, '{{'), 'object', startsWith({r}, '['), 'array', "
    "match({r}, '^-?[0-9]+$'), 'int', 'float')"
)

# ClickHouse's JSON parsers reject a whole document that holds a lone UTF-16 surrogate escape (`\udcff`, which the
# API may send and the payload keeps byte for byte). In the validation frame every surrogate escape reads as
# U+FFFD (escaped emoji too: PHP writes them as surrogate pairs); the stored payload is untouched.
_SANITISED = (
    "if(positionCaseInsensitive({p}, '\\\\ud') > 0, "
    "replaceRegexpAll({p}, '\\\\\\\\u[dD][89a-fA-F][0-9a-fA-F]{{2}}', '\\\\\\\\ufffd'), {p})"
)
_KV = "CAST(JSONExtractKeysAndValuesRaw({obj}), 'Map(String, String)')"


def sql_string(value: str) -> str:
    """A ClickHouse string literal (quotes and backslashes escaped)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def clickhouse_type(dtype: dt.DataType) -> str:
    """The Nullable ClickHouse type of a frame column, from the pandera model's ibis dtype."""
    if dtype.is_integer():
        return "Nullable(Int64)"
    if dtype.is_floating():
        return "Nullable(Float64)"
    if dtype.is_string():
        return "Nullable(String)"
    if dtype.is_timestamp():
        return "Nullable(DateTime64(3, 'UTC'))"
    raise ValueError(f"no frame column type for {dtype}")


def raw_expr(path: str) -> str:
    """The raw JSON text at a dotted path: the object's own map (`__kv`), or the parent's (`^path`, `__pkv`)."""
    source = "__pkv" if path.startswith("^") else "__kv"
    head, *rest = path.lstrip("^").split(".")
    first = f"{source}[{sql_string(head)}]"
    if not rest:
        return first
    return f"JSONExtractRaw({first}, {', '.join(sql_string(k) for k in rest)})"


def value_expr(f: FieldSpec, raw: str, jtype: str, target: dt.DataType) -> str:
    """The typed value of a JSON field: only its documented JSON types produce a value, the rest is NULL."""
    allowed = set(f.types)
    branches: list[str] = []
    if target.is_integer():
        if INT in allowed:
            branches += [f"{jtype} = 'int'", f"toInt64OrNull({raw})"]
        if BOOL in allowed:
            branches += [f"{jtype} = 'bool'", f"toInt64({raw} = 'true')"]
        if STR in allowed:  # numeric strings ("27061"); anything else reads as NULL
            branches += [f"{jtype} = 'string'", f"toInt64OrNull(JSONExtractString({raw}))"]
    elif target.is_floating():
        numeric = [t for t in (INT, FLOAT) if t in allowed]
        if numeric:
            branches += [f"{jtype} IN ({', '.join(sql_string(t) for t in numeric)})", f"toFloat64OrNull({raw})"]
        if STR in allowed:
            branches += [f"{jtype} = 'string'", f"toFloat64OrNull(JSONExtractString({raw}))"]
    elif target.is_string():
        if STR in allowed:
            branches += [f"{jtype} = 'string'", f"JSONExtractString({raw})"]
        numeric = [t for t in (INT, FLOAT) if t in allowed]
        if numeric:  # an id documented as string or number ("27061" / 27061): its digits
            branches += [f"{jtype} IN ({', '.join(sql_string(t) for t in numeric)})", raw]
    else:
        raise ValueError(f"{f.name}: unsupported model type {target}")
    if not branches:
        return f"CAST(NULL AS {clickhouse_type(target)})"
    return f"CAST(multiIf({', '.join(branches)}, NULL) AS {clickhouse_type(target)})"


def _column_value(f: FieldSpec, target: dt.DataType) -> str:
    column = f"__c_{f.path[1:]}"  # staging columns travel prefixed: an alias may not shadow its own source
    if target.is_integer():
        return f"toInt64({column})"
    if target.is_floating():
        return f"toFloat64({column})"
    return f"toString({column})"


def frame_columns(frame: FrameSpec) -> list[tuple[str, str]]:
    """(expression, alias) of every column the frame query exposes, in order."""
    model_types = {name: column.dtype.type for name, column in frame.model.to_schema().columns.items()}
    out: list[tuple[str, str]] = []
    for f in frame.fields:
        target = model_types.get(f.name)
        if f.sql is not None:
            if target is not None:
                out.append((f"CAST(({f.sql}) AS {clickhouse_type(target)})", f.name))
        elif f.path.startswith("@"):
            if target is not None:
                out.append((_column_value(f, target), f.name))
        else:
            raw, jtype = f"__r_{f.name}", f"__t_{f.name}"
            out.append((raw_expr(f.path), raw))
            out.append((_JSON_TYPE.format(r=raw), jtype))
            if target is not None:
                out.append((value_expr(f, raw, jtype, target), f.name))
        if f.timestamp:
            out.append((f"parseDateTime64BestEffortOrNull({f.name}, 3, 'UTC')", f"{f.name}__ts"))
    known = ", ".join(sql_string(k) for k in sorted(frame.known_fields))
    out.append((f"arrayFilter(k -> NOT has([{known}], k) AND NOT startsWith(k, '__'), mapKeys(__kv))", "__new_keys"))
    out.append(("empty(__kv) AND NOT match(__obj, '^\\\\s*\\\\{\\\\s*\\\\}\\\\s*$')", "__unparsable"))
    return out


def staging_columns(frame: FrameSpec) -> list[str]:
    return sorted({f.path[1:] for f in frame.fields if f.path.startswith("@")})


def frame_sql(frame: FrameSpec, table: str, run_id: str) -> str:
    """SELECT over the rows of `table` loaded by `run_id` (`table` is a validated, qualified identifier)."""
    keys = staging_columns(frame)
    key_list = "".join(f"__c_{k}, " for k in keys)
    source_keys = "".join(f"{k} AS __c_{k}, " for k in keys)
    where = f"_run_id = {sql_string(run_id)}"
    payload = _SANITISED.format(p="payload")
    if frame.explode is None:
        objects = f"SELECT {source_keys}{payload} AS __obj FROM {table} WHERE {where}"
        with_maps = f"SELECT {key_list}__obj, {_KV.format(obj='__obj')} AS __kv FROM ({objects})"
    else:
        parents = f"SELECT {source_keys}{_KV.format(obj=payload)} AS __pkv FROM {table} WHERE {where}"
        children = (
            f"SELECT {key_list}__pkv, arrayJoin(arrayFilter(x -> startsWith(x, '{{'), "
            f"JSONExtractArrayRaw(__pkv[{sql_string(frame.explode.list_field)}]))) AS __obj "
            f"FROM ({parents})"
        )
        with_maps = f"SELECT {key_list}__pkv, __obj, {_KV.format(obj='__obj')} AS __kv FROM ({children})"
    columns = ",\n    ".join(f"{expr} AS {alias}" for expr, alias in frame_columns(frame))
    return f"SELECT\n    {columns}\nFROM ({with_maps})"


def ibis_schema(frame: FrameSpec) -> dict[str, str | dt.DataType]:
    """The frame query's columns as ibis types (for an unbound ibis table the checks are compiled against)."""
    model_types = {name: column.dtype.type for name, column in frame.model.to_schema().columns.items()}
    schema: dict[str, str | dt.DataType] = {}
    for f in frame.fields:
        if f.from_json:
            schema[f"__r_{f.name}"] = "string"
            schema[f"__t_{f.name}"] = "string"
        if f.name in model_types:
            schema[f.name] = model_types[f.name].copy(nullable=True)
        if f.timestamp:
            schema[f"{f.name}__ts"] = dt.Timestamp(timezone="UTC", scale=3)
    schema["__new_keys"] = "array<string>"
    schema["__unparsable"] = "boolean"
    return schema
