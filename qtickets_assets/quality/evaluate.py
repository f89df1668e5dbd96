"""Run a pandera contract inside ClickHouse: one aggregate query per frame, a few rows only for failure samples.

For each frame of a contract (frame_sql.py flattens one load's payloads), the pandera model's rules become ibis
boolean expressions, using pandera's own built-in checks for the column rules (`ge`, `isin`, `str_matches`, ...)
and the model's `@dataframe_check` methods for the cross-field rules. All of them, plus the not-null and
uniqueness rules and the schema-drift counts, are summed in ONE aggregate query: the process receives a row of
counts, never the rows. Only when a rule fails are up to three failing rows fetched, by a query that selects the
rows the rule itself flags, for the masked failure samples.

Why not `Model.validate(ibis_table)`: on ClickHouse, pandera's ibis backend (0.35) runs one query per rule, reads
each failing rule's whole result column into pandas, and re-joins it to the data by row number, which ClickHouse
does not keep stable between two scans, so the reported failing values are mostly not the failing rows; its
boolean results also trip ibis' pyarrow conversion (ClickHouse returns 0/1). Same models, same rule
implementations, one scan.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
from pandera.api.ibis.types import IbisData

from qtickets_assets.privacy import mask_payload, mask_text
from qtickets_assets.quality.fields import FrameSpec, ResourceContract
from qtickets_assets.quality.frame_sql import frame_sql, ibis_schema, sql_string

MAX_SAMPLES = 25
SAMPLES_PER_RULE = 3
MAX_SAMPLE_CHARS = 200
_FRAME = "__frame__"  # the unbound ibis table the rules compile against, replaced by the frame's SQL


@dataclass
class DriftReport:
    new_fields: dict[str, int] = field(default_factory=dict)  # "baskets.new_key" -> objects carrying it
    missing_required: dict[str, int] = field(default_factory=dict)
    retyped_required: dict[str, dict[str, int]] = field(default_factory=dict)  # field -> {json type: count}
    missing_optional: dict[str, int] = field(default_factory=dict)
    retyped_optional: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # human sentences for the failures

    @property
    def failed(self) -> bool:
        return bool(self.missing_required or self.retyped_required)


@dataclass
class ValidationOutcome:
    resource: str
    rows_checked: int
    frame_rows: dict[str, int] = field(default_factory=dict)
    failure_counts: dict[str, int] = field(default_factory=dict)  # "frame.column: check" -> failing rows
    failure_samples: list[dict[str, Any]] = field(default_factory=list)  # masked
    drift: DriftReport = field(default_factory=DriftReport)
    unparsable_rows: int = 0

    @property
    def passed(self) -> bool:
        return not self.failure_counts and not self.drift.failed and self.unparsable_rows == 0

    @property
    def description(self) -> str:
        parts = list(self.drift.errors)
        if self.unparsable_rows:
            parts.append(f"{self.resource}: {self.unparsable_rows} rows whose payload is not a JSON object")
        if self.failure_counts:
            top = sorted(self.failure_counts.items(), key=lambda kv: -kv[1])[:5]
            parts.append(f"{self.resource}: pandera checks failed: " + "; ".join(f"{k} ({n} rows)" for k, n in top))
        if not parts:
            return f"{self.resource}: {self.rows_checked} rows pass"
        return " | ".join(parts)

    def failing_columns(self) -> set[str]:
        """`frame.column` (or `frame.check` for cross-field rules) of every failure: handy for tests and alerts."""
        return {k.split(":")[0] for k in self.failure_counts}


@dataclass(frozen=True)
class Rule:
    """One pandera rule of a frame, as a boolean expression that is true on the rows it rejects."""

    name: str  # "orders.price: greater_than_or_equal_to(0)" / "orders.payed_at_set_when_payed"
    fails: ir.BooleanColumn | None  # None for uniqueness rules (counted with uniqExact, sampled by group)
    column: str | None = None  # the checked column; None for cross-field rules
    check: str = ""
    involved: tuple[str, ...] = ()  # columns a cross-field sample shows
    unique: tuple[str, ...] = ()  # the columns of a uniqueness rule


# --- the rules of a pandera model as ibis expressions ----------------------------------------------------------


def _builtin_expression(check, table: ir.Table, column: str) -> ir.BooleanColumn:
    """The boolean expression of a pandera built-in column check. Pandera's ibis checks return a projection
    `table.select(<column>=<predicate>)`; its predicate is an expression over `table` itself."""
    out = check._check_fn(IbisData(table, column), **check._check_kwargs)
    if isinstance(out, ir.BooleanColumn):
        return out
    op = out.op() if isinstance(out, ir.Table) else None
    if isinstance(op, ops.Project) and op.parent == table.op() and column in op.values:
        return op.values[column].to_expr()
    raise TypeError(f"pandera check {check.name} on {column} did not give a row-wise predicate over the frame")


def frame_rules(frame: FrameSpec, table: ir.Table) -> list[Rule]:
    schema = frame.model.to_schema()
    prefix = frame.name
    rules: list[Rule] = []
    for name, column in schema.columns.items():
        col = table[name]
        if not column.nullable:
            rules.append(Rule(f"{prefix}.{name}: not_nullable", col.isnull(), column=name, check="not_nullable"))
        if column.unique:
            rules.append(
                Rule(f"{prefix}.{name}: field_uniqueness", None, column=name, check="field_uniqueness", unique=(name,))
            )
        for check in column.checks:
            label = check.error or check.name
            predicate = _builtin_expression(check, table, name)
            # pandera's default ignore_na: a null passes the value rules (not-null is its own rule above)
            rules.append(
                Rule(f"{prefix}.{name}: {label}", col.notnull() & ~predicate.fill_null(False), column=name, check=label)
            )
    if schema.unique:
        cols = tuple(schema.unique)
        rules.append(
            Rule(
                f"{prefix}.multiple_fields_uniqueness",
                None,
                check="multiple_fields_uniqueness",
                unique=cols,
                involved=cols,
            )
        )
    model_columns = list(schema.columns)
    for check in schema.checks:
        predicate = check._check_fn(IbisData(table))
        involved = tuple(c for c in model_columns if c in check.name)
        rules.append(Rule(f"{prefix}.{check.name}", ~predicate.fill_null(True), check=check.name, involved=involved))
    return rules


# --- SQL around the compiled rules ----------------------------------------------------------------------------


def _bind(expr: ir.Expr, sql: str) -> str:
    """Compile an ibis expression over the unbound frame table, then put the frame's SQL in its place."""
    compiled = ibis.to_sql(expr, dialect="clickhouse")
    return str(compiled).replace(f'"{_FRAME}"', f"(\n{sql}\n)")


def _aggregate_sql(frame: FrameSpec, table: ir.Table, rules: list[Rule], sql: str) -> tuple[str, list[str]]:
    """One query: per-rule failing rows, drift counts, new keys. Returns (sql, names of the result columns)."""
    ok = ~table["__unparsable"]
    flags = {f"__f{i}": (rule.fails & ok).cast("int8") for i, rule in enumerate(rules) if rule.fails is not None}
    keep = [
        "__unparsable",
        "__new_keys",
        *(f"__t_{f.name}" for f in frame.fields if f.drifts),
        *sorted({c for rule in rules for c in rule.unique}),
    ]
    inner = _bind(table.select(*keep, **flags), sql)
    parsable = "NOT __unparsable"
    columns = [("count()", "__rows"), ("countIf(__unparsable)", "__unparsable_rows")]
    for i, rule in enumerate(rules):
        if rule.fails is not None:
            columns.append((f"sum(__f{i})", f"r{i}"))
        else:
            cols = ", ".join(rule.unique)
            present = " AND ".join(f"{c} IS NOT NULL" for c in rule.unique)
            columns.append(
                (f"countIf({parsable} AND {present}) - uniqExactIf(({cols}), {parsable} AND {present})", f"r{i}")
            )
    for f in frame.fields:
        if not f.drifts:
            continue
        allowed = ", ".join(sql_string(t) for t in (*f.types, "missing"))
        columns.append((f"countIf({parsable} AND __t_{f.name} = 'missing')", f"m_{f.name}"))
        columns.append(
            (f"sumMapIf([__t_{f.name}], [toUInt64(1)], {parsable} AND __t_{f.name} NOT IN ({allowed}))", f"t_{f.name}")
        )
    columns.append((f"sumMapIf(__new_keys, arrayMap(k -> toUInt64(1), __new_keys), {parsable})", "__new"))
    select = ",\n  ".join(f"{expr} AS {alias}" for expr, alias in columns)
    return f"SELECT\n  {select}\nFROM (\n{inner}\n)", [alias for _, alias in columns]


# --- failure samples ------------------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


_LONG_DIGITS = re.compile(r"\d{10,}")


def _masked(column: str, value: Any) -> Any:
    """Masked by the column's name (an email column gets the email mask) and, for any string, as free text;
    long values are cut so a hostile 200,000-character string stays out of the UI.

    A failing value is by definition not what its field should hold, so it may be personal data that arrived in
    the wrong field: a run of 10 or more digits (an INN, a phone, a card number) is masked whatever the column."""
    value = _jsonable(value)
    if isinstance(value, str) and len(value) > 4 * MAX_SAMPLE_CHARS:
        value = f"{value[: 4 * MAX_SAMPLE_CHARS]}... (+{len(value) - 4 * MAX_SAMPLE_CHARS} chars)"
    masked = mask_payload({column: value}).get(column)
    if isinstance(masked, int) and not isinstance(masked, bool) and len(str(abs(masked))) >= 10:
        masked = _LONG_DIGITS.sub(lambda m: "*" * len(m.group()), str(masked))
    elif isinstance(masked, str):
        masked = _LONG_DIGITS.sub(lambda m: "*" * len(m.group()), masked)
    if isinstance(masked, str) and len(masked) > MAX_SAMPLE_CHARS:
        return f"{masked[:MAX_SAMPLE_CHARS]}... (+{len(masked) - MAX_SAMPLE_CHARS} chars)"
    return masked


def _as_sent(raw: str | None, typed: Any) -> Any:
    """The value as the API sent it (its raw JSON text parsed), else the frame's typed value."""
    if raw:
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return typed


class _Samples:
    def __init__(self, frame: FrameSpec, table: ir.Table, sql: str, query: Callable[[str], list[tuple]]):
        self.frame, self.table, self.sql, self.query = frame, table, sql, query
        self.key = frame.key_field.name
        self.raw_columns = {f.name for f in frame.fields if f.from_json}

    def _value_columns(self, column: str) -> list[str]:
        return [column] + ([f"__r_{column}"] if column in self.raw_columns else [])

    def _read(self, row: dict, column: str) -> Any:
        return _as_sent(row.get(f"__r_{column}"), row.get(column))

    def fetch(self, rule: Rule) -> list[dict[str, Any]]:
        t = self.table
        if rule.fails is None:
            cols = list(rule.unique)
            duplicated = (
                t.filter(~t["__unparsable"] & ibis.and_(*(t[c].notnull() for c in cols)))
                .group_by(cols)
                .aggregate(__n=t.count())
                .filter(lambda g: g["__n"] > 1)
                .limit(SAMPLES_PER_RULE)
            )
            rows = self._run(duplicated, cols + ["__n"])
            return [
                {
                    "frame": self.frame.name,
                    "check": rule.check,
                    "column": rule.column,
                    "values": {c: _masked(c, r[c]) for c in cols},
                    "rows": r["__n"],
                }
                for r in rows
            ]
        shown = [rule.column] if rule.column else list(rule.involved)
        columns = list(dict.fromkeys([self.key, *(c for s in shown for c in self._value_columns(s))]))
        rows = self._run(t.filter(rule.fails & ~t["__unparsable"]).select(*columns).limit(SAMPLES_PER_RULE), columns)
        out = []
        for r in rows:
            key = _jsonable(r[self.key])
            if rule.column:
                out.append(
                    {
                        "frame": self.frame.name,
                        "column": rule.column,
                        "check": rule.check,
                        self.key: key,
                        "failure_case": _masked(rule.column, self._read(r, rule.column)),
                    }
                )
            else:
                out.append(
                    {
                        "frame": self.frame.name,
                        "check": rule.check,
                        self.key: key,
                        "values": {c: _masked(c, self._read(r, c)) for c in shown},
                    }
                )
        return out

    def _run(self, expr: ir.Table, columns: list[str]) -> list[dict[str, Any]]:
        return [dict(zip(columns, row)) for row in self.query(_bind(expr, self.sql))]


# --- one contract ---------------------------------------------------------------------------------------------


def _drift(frame: FrameSpec, resource: str, row: dict[str, Any], total: int, report: DriftReport) -> None:
    prefix = "" if frame.name == resource else f"{frame.name}."
    label = resource if frame.name == resource else f"{resource} ({frame.name})"
    keys, counts = row["__new"]
    for key, n in sorted(zip(keys, counts)):
        report.new_fields[f"{prefix}{key}"] = int(n)
    if total == 0:
        return
    for f in frame.fields:
        if not f.drifts:
            continue
        qualified = f"{prefix}{f.name}"
        missing = int(row[f"m_{f.name}"])
        if missing:
            if f.required:
                report.missing_required[qualified] = missing
                report.errors.append(
                    f"{label}: required field '{f.shown_path}' missing in {missing} of {total} objects"
                )
            else:
                report.missing_optional[qualified] = missing
        types, counts = row[f"t_{f.name}"]
        retyped = {t: int(n) for t, n in sorted(zip(types, counts))}
        if retyped:
            if f.required:
                report.retyped_required[qualified] = retyped
                got = ", ".join(f"{t} x{c}" for t, c in retyped.items())
                report.errors.append(
                    f"{label}: required field '{f.shown_path}' retyped in {sum(retyped.values())} "
                    f"of {total} objects (expected {'|'.join(f.types)}, got {got})"
                )
            else:
                report.retyped_optional[qualified] = retyped


def evaluate_contract(
    contract: ResourceContract, table: str, run_id: str, query: Callable[[str], list[tuple]]
) -> ValidationOutcome:
    """Validate the rows of `table` (a validated identifier) loaded by `run_id`. `query(sql)` returns result rows."""
    outcome = ValidationOutcome(resource=contract.resource, rows_checked=0)
    for position, frame in enumerate(contract.frames):
        sql = frame_sql(frame, table, run_id)
        t = ibis.table(ibis.schema(ibis_schema(frame)), name=_FRAME)
        rules = frame_rules(frame, t)
        aggregate, names = _aggregate_sql(frame, t, rules, sql)
        row = dict(zip(names, query(aggregate)[0]))
        objects = int(row["__rows"]) - int(row["__unparsable_rows"])
        if position == 0:
            outcome.rows_checked = int(row["__rows"])
            outcome.unparsable_rows = int(row["__unparsable_rows"])
        outcome.frame_rows[frame.name] = objects
        _drift(frame, contract.resource, row, objects, outcome.drift)
        samples = _Samples(frame, t, sql, query)
        for i, rule in enumerate(rules):
            failing = int(row[f"r{i}"] or 0)
            if failing <= 0:
                continue
            outcome.failure_counts[rule.name] = failing
            if len(outcome.failure_samples) < MAX_SAMPLES:
                try:
                    outcome.failure_samples.extend(samples.fetch(rule)[: MAX_SAMPLES - len(outcome.failure_samples)])
                except Exception as exc:  # noqa: BLE001 - the counts stand; a sample query must not hide them
                    outcome.failure_samples.append(
                        {
                            "frame": frame.name,
                            "check": rule.check,
                            "error": mask_text(f"{type(exc).__name__}: {exc}")[:300],
                        }
                    )
    return outcome
