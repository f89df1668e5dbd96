"""Pure helpers for the benchmark figures: medians over repeats, ratios and their display. No I/O."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from statistics import median as _median


def median(values: Iterable[float | int | None]) -> float | None:
    """Median of the values that are present; None when there are none (a variant that failed every run)."""
    present = [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return _median(present) if present else None


def median_fields(runs: list[Mapping], fields: Iterable[str]) -> dict:
    """{field: median over runs} for the numeric fields of a list of run dicts."""
    return {f: median(r.get(f) for r in runs) for f in fields}


def ratio(slower: float | None, faster: float | None) -> float | None:
    """How many times `faster` beats `slower` (slower / faster); None when either is missing or zero."""
    if not slower or not faster:
        return None
    return slower / faster


def fmt_ratio(value: float | None) -> str:
    """'3.4x' (two significant figures below 10), '—' when unknown."""
    if value is None:
        return "—"
    return f"{value:.2f}x" if value < 10 else f"{value:.1f}x"


def fmt_seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2f} s" if value < 100 else f"{value:.0f} s"


def fmt_rate(rows: float | None, seconds: float | None) -> str:
    """Rows per second, thousands separated; '—' when unknown."""
    if not rows or not seconds:
        return "—"
    return f"{rows / seconds:,.0f}"


def fmt_mb(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f} MB"


def fmt_count(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"
