"""The audit plan: load and validate plan.yaml, and resolve its {PLACEHOLDER}s. Pure (no network).

The plan is data so that data engineers can add a case without touching code; this module only checks that
every case carries what the runner needs (an expectation, the API, whether it writes) and fails loudly on a
typo instead of silently skipping a case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PLAN_PATH = Path(__file__).with_name("plan.yaml")

APIS = ("rest", "partners")
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
AUTH_MODES = ("configured", "invalid", "rest_token")
EXPECT_KEYS = frozenset(
    {
        "status",
        "code",
        "shape",
        "per_page",
        "items_match",
        "data_match",
        "partners_status",
        "partners_code",
        "result",
        "any_of",
    }
)
SHAPES = frozenset(
    {"list_envelope", "object_envelope", "data_list", "seats_map", "bare_array", "object", "html_404", "json"}
)

_PLACEHOLDER = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")


class PlanError(ValueError):
    """plan.yaml is malformed: the message names the case and the field."""


class UnresolvedPlaceholder(KeyError):
    def __init__(self, names: set[str]):
        super().__init__(", ".join(sorted(names)))
        self.names = set(names)

    def __str__(self) -> str:
        return "unresolved placeholder(s): " + ", ".join(f"{{{n}}}" for n in sorted(self.names))


@dataclass(frozen=True)
class Case:
    id: str
    title: str
    api: str
    method: str
    path: str
    writes: bool
    expect: dict
    spec_ref: str
    staging_table: str | None = None
    body: Any = None
    auth: str = "configured"
    capture: dict = field(default_factory=dict)
    original: dict | None = None
    mapping_note: str | None = None
    addition: bool = False

    @property
    def has_body(self) -> bool:
        return self.body is not None


@dataclass(frozen=True)
class Plan:
    version: str
    source_plan: str
    invalid_token: str
    cases: tuple[Case, ...]

    def case(self, case_id: str) -> Case:
        for c in self.cases:
            if c.id == case_id:
                return c
        raise KeyError(case_id)


def _check_expect(case_id: str, expect: Any, nested: bool = False) -> None:
    if not isinstance(expect, dict) or not expect:
        raise PlanError(f"case {case_id}: expect must be a non-empty mapping")
    unknown = set(expect) - EXPECT_KEYS
    if unknown:
        raise PlanError(f"case {case_id}: unknown expect key(s) {sorted(unknown)}")
    if "any_of" in expect:
        if nested or len(expect) != 1 or not isinstance(expect["any_of"], list) or not expect["any_of"]:
            raise PlanError(f"case {case_id}: any_of must be the only key and hold a non-empty list")
        for alt in expect["any_of"]:
            _check_expect(case_id, alt, nested=True)
    if "shape" in expect and expect["shape"] not in SHAPES:
        raise PlanError(f"case {case_id}: unknown shape {expect['shape']!r}")


def parse_case(raw: dict) -> Case:
    case_id = str(raw.get("id", "")).strip()
    if not case_id:
        raise PlanError(f"a case has no id: {raw!r:.80}")
    for key in ("title", "api", "method", "path", "expect", "writes", "spec_ref"):
        if key not in raw:
            raise PlanError(f"case {case_id}: missing {key}")
    if raw["api"] not in APIS:
        raise PlanError(f"case {case_id}: api must be one of {APIS}")
    method = str(raw["method"]).upper()
    if method not in METHODS:
        raise PlanError(f"case {case_id}: unknown method {raw['method']!r}")
    if not isinstance(raw["writes"], bool):
        raise PlanError(f"case {case_id}: writes must be true or false")
    auth = raw.get("auth", "configured")
    if auth not in AUTH_MODES:
        raise PlanError(f"case {case_id}: auth must be one of {AUTH_MODES}")
    _check_expect(case_id, raw["expect"])
    return Case(
        id=case_id,
        title=str(raw["title"]),
        api=raw["api"],
        method=method,
        path=str(raw["path"]),
        writes=raw["writes"],
        expect=raw["expect"],
        spec_ref=str(raw["spec_ref"]),
        staging_table=raw.get("staging_table"),
        body=raw.get("body"),
        auth=auth,
        capture=dict(raw.get("capture") or {}),
        original=raw.get("original"),
        mapping_note=raw.get("mapping_note"),
        addition=bool(raw.get("addition", False)),
    )


def load_plan(path: str | Path | None = None) -> Plan:
    data = yaml.safe_load(Path(path or PLAN_PATH).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "plan_version" not in data or "cases" not in data:
        raise PlanError("plan file needs plan_version and cases")
    cases = tuple(parse_case(raw) for raw in data["cases"])
    seen: set[str] = set()
    for c in cases:
        if c.id in seen:
            raise PlanError(f"case {c.id} appears twice")
        seen.add(c.id)
    return Plan(
        version=str(data["plan_version"]),
        source_plan=str(data.get("source_plan", "")),
        invalid_token=str(data.get("invalid_token", "INVALID_TOKEN")),
        cases=cases,
    )


# --- placeholders -----------------------------------------------------------------------------------


def placeholders_in(obj: Any) -> set[str]:
    """Every {NAME} used in a template (strings, dict keys, nested lists)."""
    if isinstance(obj, str):
        return set(_PLACEHOLDER.findall(obj))
    if isinstance(obj, dict):
        out: set[str] = set()
        for k, v in obj.items():
            out |= placeholders_in(k) | placeholders_in(v)
        return out
    if isinstance(obj, (list, tuple)):
        out = set()
        for v in obj:
            out |= placeholders_in(v)
        return out
    return set()


def resolve(obj: Any, values: dict[str, Any]) -> Any:
    """Substitute placeholders. A string that is exactly "{NAME}" takes the value itself (an int stays an int);
    inside a longer string the value is formatted with str(). Raises UnresolvedPlaceholder naming every
    missing value (None counts as missing: discovery found nothing)."""
    missing = {n for n in placeholders_in(obj) if values.get(n) is None}
    if missing:
        raise UnresolvedPlaceholder(missing)
    return _sub(obj, values)


def _sub(obj: Any, values: dict[str, Any]) -> Any:
    if isinstance(obj, str):
        whole = _PLACEHOLDER.fullmatch(obj)
        if whole:
            return values[whole.group(1)]
        return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), obj)
    if isinstance(obj, dict):
        return {(str(_sub(k, values)) if isinstance(k, str) else k): _sub(v, values) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_sub(v, values) for v in obj]
    return obj
