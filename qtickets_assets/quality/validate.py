"""Validate one resource's staging rows: flatten, pandera (lazy), schema drift. Pure, no I/O.

The asset checks call `validate_rows` with the rows they read from ClickHouse; unit tests call it with rows built
from the API reference. Failure samples are masked (privacy.mask_payload) before they leave this module, because
they end up in Dagster's event log and UI.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import pandera.pandas as pa

from qtickets_assets.privacy import mask_payload, mask_text
from qtickets_assets.quality.drift import DriftReport, detect_drift
from qtickets_assets.quality.frame import flatten_objects, parse_rows
from qtickets_assets.quality.spec import FrameSpec, ResourceQuality

MAX_SAMPLES = 25
MAX_SAMPLE_CHARS = 200


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


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        try:
            return _jsonable(value.item())
        except (TypeError, ValueError):
            pass
    return str(value)


def _masked(column: str, value: Any) -> Any:
    # masked by the column's name (an email column gets the email mask) and, for any string, as free text
    value = _jsonable(value)
    if isinstance(value, str) and len(value) > 4 * MAX_SAMPLE_CHARS:
        value = f"{value[:4 * MAX_SAMPLE_CHARS]}... (+{len(value) - 4 * MAX_SAMPLE_CHARS} chars)"
    masked = mask_payload({column: value}).get(column)
    if isinstance(masked, str) and len(masked) > MAX_SAMPLE_CHARS:  # hostile 200k-char values stay out of the UI
        return f"{masked[:MAX_SAMPLE_CHARS]}... (+{len(masked) - MAX_SAMPLE_CHARS} chars)"
    return masked


def _summarise(frame: FrameSpec, df, err: pa.errors.SchemaErrors, outcome: ValidationOutcome) -> None:
    fc = err.failure_cases
    key_col = frame.fields[0].name

    def key_of(idx: Any) -> Any:
        return _jsonable(df[key_col].get(idx)) if idx is not None and idx in df.index else None

    per_column = fc[fc["schema_context"] != "DataFrameSchema"]
    for (column, check), group in per_column.groupby(["column", "check"], dropna=False, sort=False):
        name = f"{frame.name}.{column}: {check}"
        outcome.failure_counts[name] = outcome.failure_counts.get(name, 0) + len(group)
        for _, case in group.head(3).iterrows():
            if len(outcome.failure_samples) < MAX_SAMPLES:
                outcome.failure_samples.append({
                    "frame": frame.name, "column": str(column), "check": str(check),
                    key_col: key_of(case["index"]), "failure_case": _masked(str(column), case["failure_case"]),
                })
    # A frame-wide rule (cross-field, multi-column unique) lists every column of a failing row: count rows
    # once under the rule's name, and sample the columns the rule is named after.
    frame_wide = fc[fc["schema_context"] == "DataFrameSchema"]
    for check, group in frame_wide.groupby("check", sort=False):
        name = f"{frame.name}.{check}"
        indexes = [i for i in group["index"].dropna().unique()]
        outcome.failure_counts[name] = len(indexes) or len(group)
        involved = [c for c in df.columns if not c.startswith("__") and c in str(check)]
        for idx in indexes[:3]:
            if len(outcome.failure_samples) < MAX_SAMPLES and idx in df.index:
                outcome.failure_samples.append({
                    "frame": frame.name, "check": str(check), key_col: key_of(idx),
                    "values": {c: _masked(c, df.at[idx, c]) for c in involved},
                })


def validate_frame(resource: str, frame: FrameSpec, objects: Sequence[dict], row_cols: Sequence[Mapping],
                   outcome: ValidationOutcome) -> None:
    if frame.explode is not None:
        objects, row_cols = frame.explode(objects, row_cols)
    df = flatten_objects(objects, frame.fields, row_cols)
    outcome.frame_rows[frame.name] = len(df)
    outcome.drift.merge(detect_drift(resource, frame.name, objects, df, frame.fields, frame.known_fields))
    if df.empty:
        return
    try:
        frame.model.validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        _summarise(frame, df, err, outcome)
    except Exception as exc:  # a model bug must fail loudly, without leaking values from the message
        outcome.failure_counts[f"{frame.name}: {type(exc).__name__}"] = len(df)
        outcome.failure_samples.append({"frame": frame.name, "error": mask_text(str(exc))[:500]})


def validate_rows(rq: ResourceQuality, rows: Sequence[Mapping[str, Any]]) -> ValidationOutcome:
    """rows: dicts with `payload` (JSON string) and the staging key columns (`show_id`, `snapshot_ts`, …)."""
    objects, row_cols, bad = parse_rows(rows)
    outcome = ValidationOutcome(resource=rq.resource, rows_checked=len(rows), unparsable_rows=len(bad))
    for frame in rq.frames:
        validate_frame(rq.resource, frame, objects, row_cols, outcome)
    return outcome
