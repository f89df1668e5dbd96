"""What a resource's quality check validates: the frames built from its payloads and their models."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import pandera.pandas as pa

from qtickets_assets.quality.frame import FieldSpec

Explode = Callable[[Sequence[dict], Sequence[dict]], "tuple[list[dict], list[dict]]"]


@dataclass(frozen=True)
class FrameSpec:
    """One validated frame. Most resources have one; orders also explode their baskets, events their shows.

    known_fields: every top-level key the API reference documents for these objects. A key outside it is a
    new field (drift warning); a required FieldSpec that is absent or retyped is a failure.
    explode: (objects, row key columns) -> the child objects and their row columns; None = the objects as is.
    """

    name: str
    fields: tuple[FieldSpec, ...]
    model: type[pa.DataFrameModel]
    known_fields: frozenset[str]
    explode: Explode | None = None


@dataclass(frozen=True)
class ResourceQuality:
    resource: str
    table: str
    key_columns: tuple[str, ...]
    frames: tuple[FrameSpec, ...]
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def explode_children(list_key: str, parent_key: str, parent_fields: Sequence[str]) -> Explode:
    """Children of `obj[list_key]` (baskets of an order, shows of an event), each tagged with the parent's
    `parent_fields` under `parent_key` so cross-object rules (a deleted unpaid order's baskets) can be checked.
    The tag key is internal: drift detection ignores keys that start with `__`."""

    def explode(objects: Sequence[dict], row_cols: Sequence[dict]) -> tuple[list[dict], list[dict]]:
        out: list[dict] = []
        out_cols: list[dict] = []
        for obj, cols in zip(objects, row_cols):
            children = obj.get(list_key)
            if not isinstance(children, list):
                continue  # the parent frame reports the missing / retyped list
            parent = {k: obj.get(k) for k in parent_fields}
            for child in children:
                if isinstance(child, dict):
                    out.append({**child, parent_key: parent})
                    out_cols.append(cols)
        return out, out_cols

    return explode
