"""Dotted paths into decoded JSON (`shows.0.id`, `result.order.id`): the one getter the client's where-filter and
the audit's placeholders and expectations share."""

from __future__ import annotations

from typing import Any


def dig(obj: Any, dotted: str) -> Any:
    """`result.0.id` -> obj["result"][0]["id"]. A step that is not there raises KeyError(dotted)."""
    cur = obj
    for part in dotted.split("."):
        if isinstance(cur, list) and part.lstrip("-").isdigit():
            try:
                cur = cur[int(part)]
            except IndexError:
                raise KeyError(dotted) from None
        elif isinstance(cur, dict) and part in cur:
            cur = cur[part]
        else:
            raise KeyError(dotted)
    return cur
