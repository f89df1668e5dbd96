"""Small validators for write bodies; they collect Laravel-style `{field: message}` errors (HTTP 422)."""

from __future__ import annotations

import re

from qtickets_sandbox.clock import parse_iso

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ValidationFailed(Exception):
    def __init__(self, info: dict):
        super().__init__(str(info))
        self.info = info


def require_data(body) -> dict:
    """Write bodies must use the {"data": {...}} envelope."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        raise ValidationFailed({"data": "The data field is required and must be an object."})
    return body["data"]


def is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def money(v):
    v = round(float(v), 2)
    return int(v) if v == int(v) else v


def flag(v, field: str, errors: dict, default=None):
    """0/1 flags: accepts 0, 1, true, false, "0", "1"."""
    if v is None:
        return default
    if v in (0, 1, True, False, "0", "1"):
        return 1 if v in (1, True, "1") else 0
    errors[field] = f"The {field} field must be 0 or 1."
    return default


def optional_time(data: dict, field: str, errors: dict, current=None):
    """-> epoch or None; keeps `current` when the key is absent."""
    if field not in data:
        return current
    v = data[field]
    if v is None or v == "":
        return None
    ts = parse_iso(v)
    if ts is None:
        errors[field] = f"The {field} is not a valid date."
        return current
    return ts


def optional_str(data: dict, field: str, errors: dict, current=None, max_len=255):
    if field not in data:
        return current
    v = data[field]
    if v is None:
        return None
    if not isinstance(v, str) or len(v) > max_len:
        errors[field] = f"The {field} must be a string of at most {max_len} characters."
        return current
    return v


def check(errors: dict) -> None:
    if errors:
        raise ValidationFailed(errors)
