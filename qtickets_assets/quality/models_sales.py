"""Orders (GET /orders), their baskets, and clients (GET /clients): API reference §1.5.1-§1.5.3."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from qtickets_assets.quality import rules as r
from qtickets_assets.quality.frame import ARRAY, BOOL, FLOAT, INT, NULL, OBJECT, STR, FieldSpec
from qtickets_assets.quality.spec import FrameSpec, ResourceQuality, explode_children

NUM = (INT, FLOAT)

ORDER_FIELDS = (
    FieldSpec("order_id", "id", (INT,)),
    FieldSpec("event_id", "event_id", (INT,)),
    FieldSpec("payed", "payed", (BOOL, INT)),
    FieldSpec("payed_at", "payed_at", (STR, NULL)),
    FieldSpec("created_at", "created_at", (STR,)),
    FieldSpec("updated_at", "updated_at", (STR, NULL), required=False),
    FieldSpec("deleted_at", "deleted_at", (STR, NULL)),
    FieldSpec("price", "price", NUM),
    FieldSpec("currency_id", "currency_id", (STR,)),
    FieldSpec("baskets", "baskets", (ARRAY,)),
    FieldSpec("client_id", "client_id", (INT, NULL), required=False),
    FieldSpec("payment_card_number", "payment_card_number", (STR, NULL), required=False),
)
ORDER_KNOWN = frozenset({
    "id", "uniqid", "payed", "payed_at", "created_at", "updated_at", "deleted_at", "client_id", "client",
    "site_id", "site", "payment_id", "payment_type_id", "payment_card_number", "payment_url", "cancel_url",
    "basket_user_id", "backend_user_id", "access_code_id", "discount_id", "promo_code_id", "reserved",
    "reserved_to", "reserve_extended", "event_id", "price", "original_price", "currency_id", "utm", "custom",
    "fields", "baskets", "refunds", "integrations",
    # webhook-only fields (§1.5.1) are documented too: their appearance is not drift
    "refunded_baskets", "checked_basket", "checked_service", "unchecked_basket", "unchecked_service",
    "primary_orders", "secondary_orders",
})


class OrderModel(pa.DataFrameModel):
    order_id: Series[pd.Int64Dtype] = pa.Field(gt=0, unique=True)
    event_id: Series[pd.Int64Dtype] = pa.Field(gt=0)
    payed: Series[object] = pa.Field(isin=r.FLAG)
    payed_at: Series[str] = pa.Field(nullable=True, str_matches=r.ISO_TS)
    created_at: Series[str] = pa.Field(str_matches=r.ISO_TS)
    deleted_at: Series[str] = pa.Field(nullable=True, str_matches=r.ISO_TS)
    price: Series[float] = pa.Field(ge=0)
    currency_id: Series[str] = pa.Field(isin=r.CURRENCIES)
    baskets: Series[object]
    payment_card_number: Series[str] = pa.Field(nullable=True, str_matches=r.MASKED_PAN)

    @pa.dataframe_check(name="payed_at_set_when_payed")
    def payed_at_set_when_payed(cls, df: pd.DataFrame) -> pd.Series:
        """A paid order has payed_at."""
        return ~r.truthy(df["payed"]) | df["payed_at"].notna()

    @pa.dataframe_check(name="payed_at_null_when_unpaid")
    def payed_at_null_when_unpaid(cls, df: pd.DataFrame) -> pd.Series:
        """An unpaid order has no payed_at."""
        return r.truthy(df["payed"]) | df["payed_at"].isna()

    @pa.dataframe_check(name="baskets_no_barcode_when_deleted_unpaid")
    def no_barcodes_when_deleted_unpaid(cls, df: pd.DataFrame) -> pd.Series:
        """A deleted unpaid order has no barcodes."""
        dead = df["deleted_at"].notna() & ~r.truthy(df["payed"])
        has_barcode = df["baskets"].map(
            lambda bs: isinstance(bs, list) and any(isinstance(b, dict) and b.get("barcode") for b in bs)
        ).astype(bool)
        return ~dead | ~has_barcode

    class Config:
        coerce = True


BASKET_FIELDS = (
    FieldSpec("basket_id", "id", (INT,)),
    FieldSpec("order_id", "__order__.id", (INT,)),
    FieldSpec("order_payed", "__order__.payed", (BOOL, INT)),
    FieldSpec("show_id", "show_id", (INT,)),
    FieldSpec("seat_id", "seat_id", (STR,)),
    FieldSpec("barcode", "barcode", (STR, NULL)),
    FieldSpec("price", "price", NUM),
    FieldSpec("quantity", "quantity", (INT,)),
    FieldSpec("deleted_at", "deleted_at", (STR, NULL)),
    FieldSpec("refunded_at", "refunded_at", (STR, NULL)),
    FieldSpec("refunded_amount", "refunded_amount", (INT, FLOAT, NULL)),
    FieldSpec("original_price", "original_price", (INT, FLOAT, NULL), required=False),
    FieldSpec("checked_at", "checked_at", (STR, NULL), required=False),
)
BASKET_KNOWN = frozenset({
    "id", "series", "barcode", "show_id", "seat_id", "seat_name", "original_price", "ticket_original_price",
    "discount_value", "price", "ticket_amount", "service_fee_amount", "multiprice_code", "quantity",
    "client_email", "client_phone", "client_name", "client_surname", "client_middlename", "organization_name",
    "legal_name", "work_position", "inn", "kpp", "comment", "pdf_url", "passbook_url", "gpass_url",
    "related_baskets", "services", "checked_at", "created_at", "updated_at", "deleted_at", "refunded_at",
    "refunded_amount", "refunded_deduction_amount", "refunds",
})


class BasketModel(pa.DataFrameModel):
    basket_id: Series[pd.Int64Dtype] = pa.Field(gt=0, unique=True)
    order_id: Series[pd.Int64Dtype] = pa.Field(gt=0)
    show_id: Series[pd.Int64Dtype] = pa.Field(gt=0)
    seat_id: Series[str] = pa.Field(str_matches=r.SEAT_ID)
    barcode: Series[str] = pa.Field(nullable=True, str_matches=r.BARCODE)
    price: Series[float] = pa.Field(ge=0)
    quantity: Series[pd.Int64Dtype] = pa.Field(ge=1)
    deleted_at: Series[str] = pa.Field(nullable=True, str_matches=r.ISO_TS)
    refunded_at: Series[str] = pa.Field(nullable=True, str_matches=r.ISO_TS)
    refunded_amount: Series[float] = pa.Field(nullable=True, ge=0)
    original_price: Series[float] = pa.Field(nullable=True, ge=0)
    checked_at: Series[str] = pa.Field(nullable=True, str_matches=r.ISO_TS)

    @pa.dataframe_check(name="refunded_amount_set_when_refunded")
    def refunded_amount_when_refunded(cls, df: pd.DataFrame) -> pd.Series:
        """A refunded basket has refunded_amount."""
        return df["refunded_at"].isna() | df["refunded_amount"].notna()

    @pa.dataframe_check(name="barcode_set_when_sold")
    def barcode_when_sold(cls, df: pd.DataFrame) -> pd.Series:
        """A live basket of a paid order has a barcode."""
        sold = r.truthy(df["order_payed"]) & df["deleted_at"].isna() & df["refunded_at"].isna()
        return ~sold | df["barcode"].notna()

    class Config:
        coerce = True


CLIENT_FIELDS = (
    FieldSpec("client_id", "id", (INT,)),
    FieldSpec("email", "email", (STR, NULL)),
    FieldSpec("details", "details", (OBJECT,)),
    FieldSpec("name", "details.name", (STR, NULL), required=False),
    FieldSpec("phone", "details.phone", (STR, NULL), required=False),
)
CLIENT_KNOWN = frozenset({"id", "email", "details"})


class ClientModel(pa.DataFrameModel):
    client_id: Series[pd.Int64Dtype] = pa.Field(gt=0, unique=True)
    email: Series[str] = pa.Field(nullable=True, str_matches=r.EMAIL)
    details: Series[object]
    phone: Series[str] = pa.Field(nullable=True, str_matches=r.PHONE)

    class Config:
        coerce = True


ORDERS = ResourceQuality(
    resource="orders",
    table="stg_qtickets_api_orders_raw",
    key_columns=("order_id",),
    description="Orders and their baskets: types, money >= 0, quantity >= 1, formats, paid/refund/cancel rules.",
    frames=(
        FrameSpec("orders", ORDER_FIELDS, OrderModel, ORDER_KNOWN),
        FrameSpec("baskets", BASKET_FIELDS, BasketModel, BASKET_KNOWN,
                  explode=explode_children("baskets", "__order__", ("id", "payed", "deleted_at"))),
    ),
)

CLIENTS = ResourceQuality(
    resource="clients",
    table="stg_qtickets_api_clients_raw",
    key_columns=("client_id",),
    description="Buyers: unique id, email and phone formats (failure samples are masked).",
    frames=(FrameSpec("clients", CLIENT_FIELDS, ClientModel, CLIENT_KNOWN),),
)
