"""Leak scanning: does any text that left the staging tables hold a token or a buyer's email / phone in the clear?

Findings name WHERE and WHAT KIND, never the value itself (a test report must not become the leak).
"""
from __future__ import annotations

from typing import Mapping

from tests.integration.test_audit import personal_values  # noqa: F401  (emails + phones, digits-only too)


def find_leaks(texts: Mapping[str, str | bytes], forbidden: Mapping[str, str] | set[str]) -> list[str]:
    """`forbidden`: value -> kind ("token", "personal"), or a plain set (kind "personal").
    Returns "<where>: <kind>" for every text that contains a forbidden value."""
    kinds = forbidden if isinstance(forbidden, Mapping) else {v: "personal" for v in forbidden}
    found = []
    for where, text in texts.items():
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        for value, kind in kinds.items():
            if value and value in text:
                found.append(f"{where}: {kind}")
    return sorted(set(found))
