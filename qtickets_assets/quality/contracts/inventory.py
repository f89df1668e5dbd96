"""Seat snapshots (GET /shows/{id}/seats, flat) and barcodes (GET /shows/{id}/barcodes): docs/qtickets_api.md,
"Seats query" and "Barcodes".

Both are snapshots: a row's show and snapshot time live in the staging key columns, not in the payload (a seat of
the flat map is keyed by its id, a barcode item carries no show), so those fields read `@column`.
"""

from __future__ import annotations

import ibis.expr.datatypes as dt
import pandera.ibis as pa
from pandera.ibis import IbisData

from qtickets_assets.quality import rules as r
from qtickets_assets.quality.fields import BOOL, FLOAT, INT, NULL, STR, FieldSpec, FrameSpec, ResourceContract

SEAT_FIELDS = (
    FieldSpec("show_id", "@show_id", (INT,)),
    FieldSpec("seat_id", "@seat_id", (STR,)),
    FieldSpec("snapshot_ts", "@snapshot_ts", (STR,)),
    # A number in the docs; real scheme data also carries "" (empty string): read as unknown, never as a failure.
    FieldSpec("max_quantity", "max_quantity", (INT, STR)),
    FieldSpec("free_quantity", "free_quantity", (INT,)),
    FieldSpec("available", "available", (BOOL, INT)),
    FieldSpec("disabled", "disabled", (BOOL, INT)),
    FieldSpec("price", "price", (INT, FLOAT, NULL)),
    FieldSpec("currency_id", "currency_id", (STR, NULL), required=False),
    FieldSpec("admission", "admission", (BOOL, INT), required=False),
    FieldSpec("color_theme_id", "color_theme_id", (INT, NULL), required=False),
)
SEAT_KNOWN = frozenset(
    {
        "id",
        "root_id",
        "name",
        "zone_id",
        "zone_root_id",
        "short_seat_id",
        "admission",
        "row",
        "place",
        "max_quantity",
        "free_quantity",
        "ordered_quantity",
        "available",
        "disabled",
        "ordered",
        "payed_quantity",
        "in_basket_quantity",
        "price",
        "currency_id",
        "related_seats",
        "multiprice_name",
        "multiprice_code",
        "spread",
        "color_theme_id",
        "coords",
    }
)


class SeatContract(pa.DataFrameModel):
    show_id: dt.Int64 = pa.Field(gt=0)
    seat_id: dt.String = pa.Field(str_matches=r.SEAT_ID)
    snapshot_ts: dt.String
    max_quantity: dt.Int64 = pa.Field(nullable=True, ge=0)
    free_quantity: dt.Int64 = pa.Field(ge=0)
    available: dt.Int64 = pa.Field(isin=r.FLAG)
    disabled: dt.Int64 = pa.Field(isin=r.FLAG)
    price: dt.Float64 = pa.Field(nullable=True, ge=0)
    currency_id: dt.String = pa.Field(nullable=True, isin=r.CURRENCIES)

    @pa.dataframe_check(name="max_quantity_ge_free_quantity")
    def capacity_holds_free(cls, data: IbisData):
        """max_quantity >= free_quantity: a seat cannot have more free places than places."""
        t = data.table
        return t.max_quantity.isnull() | t.free_quantity.isnull() | (t.max_quantity >= t.free_quantity)

    class Config:
        unique = ["show_id", "seat_id", "snapshot_ts"]


BARCODE_FIELDS = (
    FieldSpec("show_id", "@show_id", (INT,)),
    FieldSpec("snapshot_ts", "@snapshot_ts", (STR,)),
    FieldSpec("barcode", "barcode", (STR,)),
    FieldSpec("price", "price", (INT, FLOAT, NULL), required=False),
    FieldSpec("admission", "admission", (BOOL, INT), required=False),
    FieldSpec("checked_at", "checked_at", (STR, NULL), required=False),
)
BARCODE_KNOWN = frozenset(
    {
        "barcode",
        "admission",
        "price",
        "seat_name",
        "zone_name",
        "row",
        "place",
        "client_name",
        "client_surname",
        "client_middlename",
        "checked_at",
    }
)


class BarcodeContract(pa.DataFrameModel):
    show_id: dt.Int64 = pa.Field(gt=0)
    snapshot_ts: dt.String
    barcode: dt.String = pa.Field(str_matches=r.BARCODE)
    price: dt.Float64 = pa.Field(nullable=True, ge=0)
    admission: dt.Int64 = pa.Field(nullable=True, isin=r.FLAG)
    checked_at: dt.String = pa.Field(nullable=True, str_matches=r.ISO_TS)

    class Config:
        unique = ["show_id", "barcode", "snapshot_ts"]


INVENTORY = ResourceContract(
    resource="inventory",
    description="Seat snapshots: seat id shape, max_quantity >= free_quantity >= 0, 0/1 flags, price >= 0.",
    frames=(FrameSpec("inventory", SEAT_FIELDS, SeatContract, SEAT_KNOWN),),
)
BARCODES = ResourceContract(
    resource="barcodes",
    description="Valid barcodes per show snapshot: 12 digits, unique per (show, snapshot).",
    frames=(FrameSpec("barcodes", BARCODE_FIELDS, BarcodeContract, BARCODE_KNOWN),),
)
