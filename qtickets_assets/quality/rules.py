"""Shared formats, allowed values and small ibis helpers for the pandera contracts.

The formats come from the API reference (docs/qtickets_api.md: orders and baskets, seats, Partners tickets); where
real data shows two forms (flags as JSON booleans or 0/1 ints) both are accepted. The patterns run inside
ClickHouse (RE2 syntax: no look-arounds).
"""

from __future__ import annotations

import ibis.expr.types as ir

# ISO-8601 with an explicit offset: `2019-07-30T12:50:52+03:00` (the API's form); `Z` and `+0300` tolerated,
# a naive timestamp is not (it would be read in the wrong time zone downstream).
ISO_TS = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$"
# Seat ids: `ZONE-row;place` (`CENTER_PARTERRE-21;12`, `7-1;8`, admission `zone-1;1`); zone ids may contain
# dashes (`vzroslyj-bilet-v-budni-1;1`) and REST seat-map ids carry a tariff prefix (`full_RIGHT_PARTERRE-1;6`).
SEAT_ID = r"^\S+-[^\s;\-]+;[^\s;]+$"
BARCODE = r"^\d{12}$"
COLOR = r"^#[0-9a-fA-F]{6}$"
SHA1_HEX = r"^[0-9a-fA-F]{40}$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PHONE = r"^\+?[0-9 ()\-]{7,20}$"
NUMERIC_ID = r"^\d+$"
# A full card number must never reach staging: QTickets sends the masked form `546964******9036`.
MASKED_PAN = r"^\d{0,6}\*+\d{0,4}$"

# QTickets sells in RUB; organisers in neighbouring countries use their own currency.
CURRENCIES = ["RUB", "USD", "EUR", "KZT", "BYN", "UZS", "KGS", "AMD", "GEL", "AZN", "TJS", "TRY", "CNY", "AED", "THB"]
# Flags read as 0/1 (a JSON true/false becomes 1/0 in the frame); 2 or "1" fail.
FLAG = [0, 1]


def truthy(flag: ir.IntegerColumn) -> ir.BooleanColumn:
    """A flag column (1/0/NULL) as a condition; NULL (absent or retyped, reported by drift) counts as false."""
    return flag.fill_null(0) == 1


def not_after(start: ir.TimestampColumn, end: ir.TimestampColumn) -> ir.BooleanColumn:
    """start <= end where both are known; a missing side is not this rule's business."""
    return start.isnull() | end.isnull() | (start <= end)
