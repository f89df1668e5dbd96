"""Schema drift between what the API sent and what the models know: pure, no I/O.

Policy (the platform keeps the raw payload, so nothing is lost either way):
- a NEW key the reference does not document passes, reported as a warning (`schema_drift_new_fields`);
- a REQUIRED field absent or with an undocumented JSON type fails the check, naming the resource and field;
- an optional field absent or retyped is only reported.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import pandas as pd

from qtickets_assets.quality.frame import MISSING_COL, RETYPED_COL, FieldSpec


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

    def merge(self, other: "DriftReport") -> None:
        self.new_fields.update(other.new_fields)
        self.missing_required.update(other.missing_required)
        self.retyped_required.update(other.retyped_required)
        self.missing_optional.update(other.missing_optional)
        self.retyped_optional.update(other.retyped_optional)
        self.errors.extend(other.errors)


def new_fields(objects: Iterable[Mapping], known: frozenset[str]) -> Counter:
    """Top-level keys outside `known`, counted per object; keys starting with `__` are the checker's own."""
    counts: Counter = Counter()
    for obj in objects:
        for key in obj:
            if key not in known and not str(key).startswith("__"):
                counts[key] += 1
    return counts


def detect_drift(
    resource: str,
    frame_name: str,
    objects: Sequence[Mapping],
    frame: pd.DataFrame,
    fields: Sequence[FieldSpec],
    known: frozenset[str],
) -> DriftReport:
    """Drift of one frame. `frame` comes from flatten_objects (its `__missing__` / `__retyped__` columns)."""
    report = DriftReport()
    total = len(frame)
    prefix = "" if frame_name == resource else f"{frame_name}."
    for key, n in sorted(new_fields(objects, known).items()):
        report.new_fields[f"{prefix}{key}"] = n
    if total == 0:
        return report
    missing = Counter(name for names in frame[MISSING_COL] for name in names)
    retyped: dict[str, Counter] = {}
    for entries in frame[RETYPED_COL]:
        for entry in entries:
            name, _, jtype = entry.partition(":")
            retyped.setdefault(name, Counter())[jtype] += 1
    label = resource if frame_name == resource else f"{resource} ({frame_name})"
    for f in fields:
        qualified = f"{prefix}{f.name}"
        shown = f.path if not f.path.startswith("@") else f.path[1:]
        if f.name in missing:
            n = missing[f.name]
            if f.required:
                report.missing_required[qualified] = n
                report.errors.append(f"{label}: required field '{shown}' missing in {n} of {total} objects")
            else:
                report.missing_optional[qualified] = n
        if f.name in retyped:
            types = dict(retyped[f.name])
            n = sum(types.values())
            if f.required:
                report.retyped_required[qualified] = types
                got = ", ".join(f"{t} x{c}" for t, c in sorted(types.items()))
                report.errors.append(
                    f"{label}: required field '{shown}' retyped in {n} of {total} objects "
                    f"(expected {'|'.join(f.types)}, got {got})"
                )
            else:
                report.retyped_optional[qualified] = types
    return report
