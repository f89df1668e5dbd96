"""Paging arithmetic and request bodies of the REST list endpoints. Pure: no I/O.

The list envelope is `{"data": [...], "paging": {"perPage", "currentPage", "total"}}` (docs/qtickets_api.md#paging). The production loader this replaces never looked at `paging`, read only page 1 (the *oldest*
orders, default order id asc) and then filtered them all away locally. Here: every page up to
ceil(total / perPage), where perPage is what the SERVER reports (it may cap what we asked for), and an
explicit `orderBy {"id": "asc"}` so the page boundaries are deterministic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Paging:
    per_page: int
    current_page: int
    total: int


def list_body(
    page: int,
    per_page: int,
    where: list[dict] | None = None,
    order_by: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict:
    body: dict[str, Any] = {"page": int(page), "perPage": int(per_page), "orderBy": dict(order_by or {"id": "asc"})}
    if where:
        body["where"] = [dict(w) for w in where]
    if extra:
        body.update(extra)
    return body


def read_paging(payload: Any) -> Paging | None:
    """The paging block of a list answer, or None when the answer has none (bare array, color-themes)."""
    if not isinstance(payload, dict):
        return None
    paging = payload.get("paging")
    if not isinstance(paging, dict):
        return None
    try:
        per_page = int(paging.get("perPage") or 0)
        total = int(paging.get("total") or 0)
        current = int(paging.get("currentPage") or 1)
    except (TypeError, ValueError):
        return None
    if per_page <= 0:
        return None
    return Paging(per_page=per_page, current_page=current, total=max(0, total))


def list_items(payload: Any) -> list:
    """The objects of a list answer: `data` of the envelope, or the bare array itself."""
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict):
        data = payload.get("data")
        if isinstance(data, list):
            return data
        if isinstance(data, dict):  # a keyed map (flat seats): values are the objects
            return list(data.values())
    return []


def page_count(total: int, per_page: int) -> int:
    if per_page <= 0:
        raise ValueError("per_page must be positive")
    return max(1, math.ceil(max(0, total) / per_page))


def remaining_pages(paging: Paging) -> range:
    """Page numbers still to fetch after page 1."""
    return range(2, page_count(paging.total, paging.per_page) + 1)


def is_last_page(paging: Paging, items_on_page: int) -> bool:
    return items_on_page == 0 or paging.current_page * paging.per_page >= paging.total
