"""What a contract validates: the fields of a frame, where each one lives in the payload, its documented JSON types.

A staging row holds one API object as a JSON string (`payload`) plus a few typed key columns. A contract flattens
the objects of one load into frames (frame_sql.py), one column per FieldSpec, and validates them with a pandera
model inside ClickHouse (evaluate.py). Pure declarations: no I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandera.ibis as pa
from pandera.backends.ibis.register import register_ibis_backends

# Pandera registers its ibis built-in checks (`ge`, `isin`, `str_matches`, ...) with its ibis backend. The contracts
# build their Check objects when their modules load, so the registration must come first: here.
register_ibis_backends()

# JSON types as the API reference names them; `null` in a field's types means the API may send null.
STR, INT, FLOAT, BOOL, NULL, OBJECT, ARRAY = "string", "int", "float", "bool", "null", "object", "array"
NUM = (INT, FLOAT)
JSON_TYPES = (STR, INT, FLOAT, BOOL, NULL, OBJECT, ARRAY)


@dataclass(frozen=True)
class FieldSpec:
    """One column of a frame.

    path: dotted path inside the object (`details.phone`); `@column` reads a staging column (`@show_id`: a
          barcode carries its show only in the key columns); `^path` reads the parent object of an exploded
          frame (`^payed`: the order of a basket).
    types: the JSON types the API documents for the field.
    required: the platform depends on it: absent or with an undocumented type, the check fails (schema drift).
              Optional fields are only reported.
    sql: a ClickHouse expression that computes the value instead (derived fields); `path` then documents it.
    timestamp: also expose `<name>__ts`, the value read as DateTime64(3, 'UTC'), for cross-field rules.
    """

    name: str
    path: str
    types: tuple[str, ...]
    required: bool = True
    sql: str | None = None
    timestamp: bool = False

    def __post_init__(self) -> None:
        unknown = set(self.types) - set(JSON_TYPES)
        if unknown:
            raise ValueError(f"{self.name}: unknown JSON types {sorted(unknown)}")

    @property
    def from_json(self) -> bool:
        """Read from a payload (this object's or, with `^`), not from a staging column or computed in SQL."""
        return self.sql is None and not self.path.startswith("@")

    @property
    def drifts(self) -> bool:
        """Subject to this frame's schema-drift report (a parent's fields are reported by the parent frame)."""
        return self.from_json and not self.path.startswith("^")

    @property
    def shown_path(self) -> str:
        return self.path.lstrip("@^")


@dataclass(frozen=True)
class Explode:
    """A child frame: every element of the parent object's array `list_field` (baskets of an order)."""

    list_field: str


@dataclass(frozen=True)
class FrameSpec:
    """One validated frame. Most resources have one; orders also explode their baskets, events their shows.

    known_fields: every top-level key the API reference documents for these objects. A key outside it is a new
    field (a drift warning, the check still passes).
    """

    name: str
    fields: tuple[FieldSpec, ...]
    model: type[pa.DataFrameModel]
    known_fields: frozenset[str]
    explode: Explode | None = None

    @property
    def key_field(self) -> FieldSpec:
        """The column that names a row in failure samples (the object's id)."""
        return self.fields[0]

    def field(self, name: str) -> FieldSpec:
        return next(f for f in self.fields if f.name == name)


@dataclass(frozen=True)
class ResourceContract:
    """Everything the `pandera_contract` check of one staging resource validates."""

    resource: str
    frames: tuple[FrameSpec, ...]
    description: str

    def __post_init__(self) -> None:
        for frame in self.frames:
            columns = set(frame.model.to_schema().columns)
            missing = columns - {f.name for f in frame.fields}
            if missing:
                raise ValueError(f"{self.resource}.{frame.name}: model columns without a FieldSpec: {sorted(missing)}")
