"""Orders (GET /orders), their baskets, and clients (GET /clients): docs/qtickets_api.md, "Order", "Basket",
"Client"."""

from __future__ import annotations

import ibis.expr.datatypes as dt
import pandera.ibis as pa
from pandera.ibis import IbisData

from qtickets_assets.quality import rules as r
from qtickets_assets.quality.fields import (
    ARRAY,
    BOOL,
    FLOAT,
    INT,
    NULL,
    NUM,
    OBJECT,
    STR,
    Explode,
    FieldSpec,
    FrameSpec,
    ResourceContract,
)

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
    # Computed: does any basket carry a barcode (the rule on deleted unpaid orders reads it).
    FieldSpec(
        "has_barcode",
        "baskets[].barcode",
        (BOOL,),
        required=False,
        sql="arrayExists(b -> JSONExtractString(b, 'barcode') != '', JSONExtractArrayRaw(__kv['baskets']))",
    ),
)
ORDER_KNOWN = frozenset(
    {
        "id",
        "uniqid",
        "payed",
        "payed_at",
        "created_at",
        "updated_at",
        "deleted_at",
        "client_id",
        "client",
        "site_id",
        "site",
        "payment_id",
        "payment_type_id",
        "payment_card_number",
        "payment_url",
        "cancel_url",
        "basket_user_id",
        "backend_user_id",
        "access_code_id",
        "discount_id",
        "promo_code_id",
        "reserved",
        "reserved_to",
        "reserve_extended",
        "event_id",
        "price",
        "original_price",
        "currency_id",
        "utm",
        "custom",
        "fields",
        "baskets",
        "refunds",
        "integrations",
        # webhook-only fields are documented too: their appearance is not drift
        "refunded_baskets",
        "checked_basket",
        "checked_service",
        "unchecked_basket",
        "unchecked_service",
        "primary_orders",
        "secondary_orders",
    }
)


class OrderContract(pa.DataFrameModel):
    order_id: dt.Int64 = pa.Field(gt=0, unique=True)
    event_id: dt.Int64 = pa.Field(gt=0)
    payed: dt.Int64 = pa.Field(isin=r.FLAG)
    payed_at: dt.String = pa.Field(nullable=True, str_matches=r.ISO_TS)
    created_at: dt.String = pa.Field(str_matches=r.ISO_TS)
    deleted_at: dt.String = pa.Field(nullable=True, str_matches=r.ISO_TS)
    price: dt.Float64 = pa.Field(ge=0)
    currency_id: dt.String = pa.Field(isin=r.CURRENCIES)
    payment_card_number: dt.String = pa.Field(nullable=True, str_matches=r.MASKED_PAN)
    has_barcode: dt.Int64 = pa.Field(nullable=True)

    @pa.dataframe_check(name="payed_at_set_when_payed")
    def payed_at_set_when_payed(cls, data: IbisData):
        """A paid order has payed_at."""
        t = data.table
        return ~r.truthy(t.payed) | t.payed_at.notnull()

    @pa.dataframe_check(name="payed_at_null_when_unpaid")
    def payed_at_null_when_unpaid(cls, data: IbisData):
        """An unpaid order has no payed_at."""
        t = data.table
        return r.truthy(t.payed) | t.payed_at.isnull()

    @pa.dataframe_check(name="baskets_no_barcode_when_deleted_unpaid")
    def no_barcodes_when_deleted_unpaid(cls, data: IbisData):
        """A deleted unpaid order has no barcodes."""
        t = data.table
        dead = t.deleted_at.notnull() & ~r.truthy(t.payed)
        return ~dead | ~r.truthy(t.has_barcode)


BASKET_FIELDS = (
    FieldSpec("basket_id", "id", (INT,)),
    FieldSpec("order_id", "^id", (INT,)),
    FieldSpec("order_payed", "^payed", (BOOL, INT)),
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
    # `null` in all real baskets (the base tariff), a code such as `child` otherwise.
    FieldSpec("multiprice_code", "multiprice_code", (STR, NULL), required=False),
)
BASKET_KNOWN = frozenset(
    {
        "id",
        "series",
        "barcode",
        "show_id",
        "seat_id",
        "seat_name",
        "original_price",
        "ticket_original_price",
        "discount_value",
        "price",
        "ticket_amount",
        "service_fee_amount",
        "multiprice_code",
        "quantity",
        "client_email",
        "client_phone",
        "client_name",
        "client_surname",
        "client_middlename",
        "organization_name",
        "legal_name",
        "work_position",
        "inn",
        "kpp",
        "comment",
        "pdf_url",
        "passbook_url",
        "gpass_url",
        "related_baskets",
        "services",
        "checked_at",
        "created_at",
        "updated_at",
        "deleted_at",
        "refunded_at",
        "refunded_amount",
        "refunded_deduction_amount",
        "refunds",
    }
)


class BasketContract(pa.DataFrameModel):
    basket_id: dt.Int64 = pa.Field(gt=0, unique=True)
    order_id: dt.Int64 = pa.Field(gt=0)
    order_payed: dt.Int64 = pa.Field(nullable=True)
    show_id: dt.Int64 = pa.Field(gt=0)
    seat_id: dt.String = pa.Field(str_matches=r.SEAT_ID)
    barcode: dt.String = pa.Field(nullable=True, str_matches=r.BARCODE)
    price: dt.Float64 = pa.Field(ge=0)
    quantity: dt.Int64 = pa.Field(ge=1)
    deleted_at: dt.String = pa.Field(nullable=True, str_matches=r.ISO_TS)
    refunded_at: dt.String = pa.Field(nullable=True, str_matches=r.ISO_TS)
    refunded_amount: dt.Float64 = pa.Field(nullable=True, ge=0)
    original_price: dt.Float64 = pa.Field(nullable=True, ge=0)
    checked_at: dt.String = pa.Field(nullable=True, str_matches=r.ISO_TS)

    @pa.dataframe_check(name="refunded_amount_set_when_refunded")
    def refunded_amount_when_refunded(cls, data: IbisData):
        """A refunded basket has refunded_amount."""
        t = data.table
        return t.refunded_at.isnull() | t.refunded_amount.notnull()

    @pa.dataframe_check(name="barcode_set_when_sold")
    def barcode_when_sold(cls, data: IbisData):
        """A live basket of a paid order has a barcode."""
        t = data.table
        sold = r.truthy(t.order_payed) & t.deleted_at.isnull() & t.refunded_at.isnull()
        return ~sold | t.barcode.notnull()


CLIENT_FIELDS = (
    FieldSpec("client_id", "id", (INT,)),
    FieldSpec("email", "email", (STR, NULL)),
    FieldSpec("details", "details", (OBJECT,)),
    FieldSpec("name", "details.name", (STR, NULL), required=False),
    FieldSpec("phone", "details.phone", (STR, NULL), required=False),
)
CLIENT_KNOWN = frozenset({"id", "email", "details"})


class ClientContract(pa.DataFrameModel):
    client_id: dt.Int64 = pa.Field(gt=0, unique=True)
    email: dt.String = pa.Field(nullable=True, str_matches=r.EMAIL)
    phone: dt.String = pa.Field(nullable=True, str_matches=r.PHONE)


ORDERS = ResourceContract(
    resource="orders",
    description="Orders and their baskets: types, money >= 0, quantity >= 1, formats, paid/refund/cancel rules.",
    frames=(
        FrameSpec("orders", ORDER_FIELDS, OrderContract, ORDER_KNOWN),
        FrameSpec("baskets", BASKET_FIELDS, BasketContract, BASKET_KNOWN, explode=Explode("baskets")),
    ),
)

CLIENTS = ResourceContract(
    resource="clients",
    description="Buyers: unique id, email and phone formats (failure samples are masked).",
    frames=(FrameSpec("clients", CLIENT_FIELDS, ClientContract, CLIENT_KNOWN),),
)
