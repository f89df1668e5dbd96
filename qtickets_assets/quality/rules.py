"""Shared formats, allowed values and vectorised helpers for the pandera models.

The formats come from the API reference (/work/shared/qtickets_api.md §1.5, §1.4.1, §2.3); where the reference
shows two forms in real data (flags as JSON booleans or 0/1 ints) both are accepted.
"""

from __future__ import annotations

import pandas as pd

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
# JSON true/false or 0/1: `True == 1` in pandas `isin`, so [0, 1] accepts both spellings, and rejects "1" or 2.
FLAG = [0, 1]


def ts(series: pd.Series) -> pd.Series:
    """ISO strings -> UTC timestamps (NaT for null or unparsable; the format check reports those)."""
    return pd.to_datetime(series, utc=True, errors="coerce", format="ISO8601")


def truthy(series: pd.Series) -> pd.Series:
    """Flag column (True/False/0/1/None) -> bool, null = False."""
    return series.map(lambda v: bool(v) if v in (0, 1) else False).astype(bool)


def not_after(start: pd.Series, end: pd.Series) -> pd.Series:
    """start <= end where both are known; a missing side is not this rule's business."""
    a, b = ts(start), ts(end)
    return a.isna() | b.isna() | (a <= b)
