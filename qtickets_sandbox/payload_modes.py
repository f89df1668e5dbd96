"""Payload modes for data-quality tests (pure transforms of rendered objects).

drop_field      remove `field` (dotted paths reach nested objects and every element of arrays)
retype_field    give `field` an unexpected type: numbers/bools/null/objects -> "abc", strings -> 12345
add_field       add an unexpected top-level `field` (value: the mode's `value`, default "sandbox-extra")
hostile_strings every string value (ISO dates excepted) becomes injection-shaped or odd text; every 20th
                object also carries a 200,000-character string; lone surrogates go out as \\udcff escapes.
"""

from __future__ import annotations

import re

MODES = ("none", "drop_field", "retype_field", "add_field", "hostile_strings")
RESOURCES = (
    "orders",
    "clients",
    "events",
    "discounts",
    "promo_codes",
    "color_themes",
    "seats",
    "barcodes",
    "baskets",
    "partner_tickets",
    "partner_events",
)
HOSTILE = [
    'O\'Brien "quoted" `backtick`',
    "'); DROP TABLE x; --",
    "back\\slash \\\\ and \\n literal",
    "line one\nline two\r\nthird\tcolumn",
    "emoji 🎟️🎭 👩‍👩‍👧 ñ é",
    "lone surrogate \udcff here",
    "<script>alert('x')</script>",
    "${jndi:ldap://127.0.0.1/x}",
    "NULL",
    "",
    "   padded   ",
    "nul\u0000byte",
    'Robert"); DELETE FROM orders; --',
    "١٢٣ RTL \u202etext",
]
LONG_STRING = ("Очень длинное значение / very long value. " * 5000)[:200_000]
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")


def validate(resource, mode, field) -> str | None:
    """-> an error message, or None when the request is acceptable."""
    if mode not in MODES:
        return f"mode must be one of {', '.join(MODES)}"
    if mode != "none" and resource not in RESOURCES:
        return f"resource must be one of {', '.join(RESOURCES)}"
    if mode in ("drop_field", "retype_field", "add_field") and not (isinstance(field, str) and field):
        return "field is required for this mode"
    return None


def apply(cfg: dict | None, obj, index: int):
    """Transform one rendered object (a fresh dict: callers never pass cached structures)."""
    if not cfg or not isinstance(obj, dict):
        return obj
    mode, field = cfg["mode"], cfg.get("field")
    if mode == "drop_field":
        _walk(obj, field.split("."), lambda parent, key: parent.pop(key, None))
    elif mode == "retype_field":
        _walk(obj, field.split("."), lambda parent, key: parent.__setitem__(key, _retyped(parent.get(key))))
    elif mode == "add_field":
        obj[field] = cfg.get("value", "sandbox-extra")
    elif mode == "hostile_strings":
        counter = [index]
        obj = _hostile(obj, counter)
        if index % 20 == 0:
            _first_string_long(obj)
    return obj


def _walk(obj, path, action) -> None:
    if isinstance(obj, list):
        for item in obj:
            _walk(item, path, action)
        return
    if not isinstance(obj, dict) or path[0] not in obj:
        return
    if len(path) == 1:
        action(obj, path[0])
    else:
        _walk(obj[path[0]], path[1:], action)


def _retyped(value):
    return 12345 if isinstance(value, str) else "abc"


def _hostile(value, counter):
    if isinstance(value, dict):
        return {k: _hostile(v, counter) for k, v in value.items()}
    if isinstance(value, list):
        return [_hostile(v, counter) for v in value]
    if isinstance(value, str) and not _ISO.match(value):
        counter[0] += 1
        return HOSTILE[counter[0] % len(HOSTILE)]
    return value


def _first_string_long(obj) -> bool:
    for key, value in obj.items():
        if isinstance(value, str) and not _ISO.match(value):
            obj[key] = LONG_STRING
            return True
        if isinstance(value, dict) and _first_string_long(value):
            return True
    return False
