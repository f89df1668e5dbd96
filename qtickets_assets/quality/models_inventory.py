"""Seat snapshots (GET /shows/{id}/seats, flat) and barcodes (GET /shows/{id}/barcodes): §1.4.1, §1.5.8.

Both are snapshots: a row's show and snapshot time live in the staging key columns, not in the payload (a seat
object of the flat map is keyed by its id, a barcode item carries no show), so those fields read `@column`.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from qtickets_assets.quality import rules as r
from qtickets_assets.quality.frame import BOOL, FLOAT, INT, NULL, STR, FieldSpec
from qtickets_assets.quality.spec import FrameSpec, ResourceQuality

SEAT_FIELDS = (
    FieldSpec("show_id", "@show_id", (INT,)),
    FieldSpec("seat_id", "@seat_id", (STR,)),
    FieldSpec("snapshot_ts", "@snapshot_ts", (STR,)),
    FieldSpec("max_quantity", "max_quantity", (INT,)),
    FieldSpec("free_quantity", "free_quantity", (INT,)),
    FieldSpec("available", "available", (BOOL, INT)),
    FieldSpec("disabled", "disabled", (BOOL, INT)),
    FieldSpec("price", "price", (INT, FLOAT, NULL)),
    FieldSpec("currency_id", "currency_id", (STR, NULL), required=False),
    FieldSpec("admission", "admission", (BOOL, INT), required=False),
    FieldSpec("color_theme_id", "color_theme_id", (INT, NULL), required=False),
)
SEAT_KNOWN = frozenset({
    "id", "root_id", "name", "zone_id", "zone_root_id", "short_seat_id", "admission", "row", "place",
    "max_quantity", "free_quantity", "ordered_quantity", "available", "disabled", "ordered", "payed_quantity",
    "in_basket_quantity", "price", "currency_id", "related_seats", "multiprice_name", "multiprice_code",
    "spread", "color_theme_id", "coords",
})


class SeatModel(pa.DataFrameModel):
    show_id: Series[pd.Int64Dtype] = pa.Field(gt=0)
    seat_id: Series[str] = pa.Field(str_matches=r.SEAT_ID)
    snapshot_ts: Series[str]
    max_quantity: Series[pd.Int64Dtype] = pa.Field(ge=0)
    free_quantity: Series[pd.Int64Dtype] = pa.Field(ge=0)
    available: Series[object] = pa.Field(isin=r.FLAG)
    disabled: Series[object] = pa.Field(isin=r.FLAG)
    price: Series[float] = pa.Field(nullable=True, ge=0)
    currency_id: Series[str] = pa.Field(nullable=True, isin=r.CURRENCIES)

    @pa.dataframe_check(name="max_quantity_ge_free_quantity")
    def capacity_holds_free(cls, df: pd.DataFrame) -> pd.Series:
        """max_quantity >= free_quantity: a seat cannot have more free places than places."""
        mx, fr = df["max_quantity"], df["free_quantity"]
        return (mx.isna() | fr.isna() | (mx >= fr)).astype(bool)

    class Config:
        coerce = True
        unique = ["show_id", "seat_id", "snapshot_ts"]


BARCODE_FIELDS = (
    FieldSpec("show_id", "@show_id", (INT,)),
    FieldSpec("snapshot_ts", "@snapshot_ts", (STR,)),
    FieldSpec("barcode", "barcode", (STR,)),
    FieldSpec("price", "price", (INT, FLOAT, NULL), required=False),
    FieldSpec("admission", "admission", (BOOL, INT), required=False),
    FieldSpec("checked_at", "checked_at", (STR, NULL), required=False),
)
BARCODE_KNOWN = frozenset({
    "barcode", "admission", "price", "seat_name", "zone_name", "row", "place", "client_name", "client_surname",
    "client_middlename", "checked_at",
})


class BarcodeModel(pa.DataFrameModel):
    show_id: Series[pd.Int64Dtype] = pa.Field(gt=0)
    snapshot_ts: Series[str]
    barcode: Series[str] = pa.Field(str_matches=r.BARCODE)
    price: Series[float] = pa.Field(nullable=True, ge=0)
    admission: Series[object] = pa.Field(nullable=True, isin=r.FLAG)
    checked_at: Series[str] = pa.Field(nullable=True, str_matches=r.ISO_TS)

    class Config:
        coerce = True
        unique = ["show_id", "barcode", "snapshot_ts"]


INVENTORY = ResourceQuality(
    resource="inventory",
    table="stg_qtickets_api_inventory_raw",
    key_columns=("event_id", "show_id", "seat_id", "snapshot_ts"),
    description="Seat snapshots: seat id shape, max_quantity >= free_quantity >= 0, 0/1 flags, price >= 0.",
    frames=(FrameSpec("inventory", SEAT_FIELDS, SeatModel, SEAT_KNOWN),),
)
BARCODES = ResourceQuality(
    resource="barcodes",
    table="stg_qtickets_api_barcodes_raw",
    key_columns=("event_id", "show_id", "barcode", "snapshot_ts"),
    description="Valid barcodes per show snapshot: 12 digits, unique per (show, snapshot).",
    frames=(FrameSpec("barcodes", BARCODE_FIELDS, BarcodeModel, BARCODE_KNOWN),),
)
