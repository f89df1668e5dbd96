"""Events and their shows, price shades (colour themes), discounts, promo codes: docs/qtickets_api.md, "Event and
Show", "Price shade", "Discount", "Promo code"."""

from __future__ import annotations

import ibis.expr.datatypes as dt
import pandera.ibis as pa
from pandera.ibis import IbisData

from qtickets_assets.quality import rules as r
from qtickets_assets.quality.fields import ARRAY, BOOL, INT, NULL, STR, Explode, FieldSpec, FrameSpec, ResourceContract

EVENT_FIELDS = (
    FieldSpec("event_id", "id", (INT,)),
    FieldSpec("is_active", "is_active", (INT, BOOL)),
    FieldSpec("name", "name", (STR,)),
    FieldSpec("currency_id", "currency_id", (STR,)),
    FieldSpec("shows", "shows", (ARRAY,)),
    FieldSpec("deleted_at", "deleted_at", (STR, NULL)),
    FieldSpec("city_id", "city_id", (INT, NULL), required=False),
    FieldSpec("updated_at", "updated_at", (STR, NULL), required=False),
)
EVENT_KNOWN = frozenset(
    {
        "id",
        "is_active",
        "name",
        "scheme_id",
        "currency_id",
        "place_name",
        "place_address",
        "place_description",
        "city_id",
        "description",
        "site_url",
        "external_id",
        "ticket_id",
        "mail_template_id",
        "age",
        "shows",
        "payments",
        "poster",
        "event_type_id",
        "city",
        "ticket",
        "mail_template",
        "slug",
        "place_coordinates",
        "url",
        "created_at",
        "updated_at",
        "deleted_at",
    }
)


class EventContract(pa.DataFrameModel):
    event_id: dt.Int64 = pa.Field(gt=0, unique=True)
    is_active: dt.Int64 = pa.Field(isin=r.FLAG)
    name: dt.String = pa.Field(str_length={"min_value": 1})
    currency_id: dt.String = pa.Field(isin=r.CURRENCIES)
    deleted_at: dt.String = pa.Field(nullable=True, str_matches=r.ISO_TS)
    updated_at: dt.String = pa.Field(nullable=True, str_matches=r.ISO_TS)


SHOW_FIELDS = (
    FieldSpec("show_id", "id", (INT,)),
    FieldSpec("event_id", "^id", (INT,)),
    FieldSpec("is_active", "is_active", (INT, BOOL)),
    FieldSpec("start_date", "start_date", (STR,), timestamp=True),
    FieldSpec("finish_date", "finish_date", (STR, NULL), required=False, timestamp=True),
    FieldSpec("sale_start_date", "sale_start_date", (STR, NULL), required=False),
    FieldSpec("sale_finish_date", "sale_finish_date", (STR, NULL), required=False),
    FieldSpec("deleted_at", "deleted_at", (STR, NULL), required=False),
)
SHOW_KNOWN = frozenset(
    {
        "id",
        "name",
        "is_active",
        "sale_start_date",
        "sale_finish_date",
        "open_date",
        "start_date",
        "finish_date",
        "scheme_properties",
        "prices",
        "min_price",
        "max_price",
        "created_at",
        "updated_at",
        "deleted_at",
    }
)


class ShowContract(pa.DataFrameModel):
    show_id: dt.Int64 = pa.Field(gt=0, unique=True)
    event_id: dt.Int64 = pa.Field(gt=0)
    is_active: dt.Int64 = pa.Field(isin=r.FLAG)
    start_date: dt.String = pa.Field(str_matches=r.ISO_TS)
    finish_date: dt.String = pa.Field(nullable=True, str_matches=r.ISO_TS)
    sale_start_date: dt.String = pa.Field(nullable=True, str_matches=r.ISO_TS)
    sale_finish_date: dt.String = pa.Field(nullable=True, str_matches=r.ISO_TS)

    @pa.dataframe_check(name="finish_date_not_before_start_date")
    def finish_after_start(cls, data: IbisData):
        """A show does not end before it starts."""
        return r.not_after(data.table.start_date__ts, data.table.finish_date__ts)


SHADE_FIELDS = (FieldSpec("shade_id", "id", (INT,)), FieldSpec("color", "color", (STR,)))


class PriceShadeContract(pa.DataFrameModel):
    shade_id: dt.Int64 = pa.Field(gt=0, unique=True)
    color: dt.String = pa.Field(str_matches=r.COLOR)


DISCOUNT_FIELDS = (
    FieldSpec("discount_id", "id", (INT,)),
    FieldSpec("is_active", "is_active", (INT, BOOL)),
    FieldSpec("name", "name", (STR,)),
    FieldSpec("type", "type", (STR,), required=False),
    FieldSpec("active_from", "active_from", (STR, NULL), timestamp=True),
    FieldSpec("active_to", "active_to", (STR, NULL), timestamp=True),
    FieldSpec("events", "events", (ARRAY,), required=False),
    FieldSpec("deleted_at", "deleted_at", (STR, NULL)),
)
DISCOUNT_KNOWN = frozenset(
    {
        "id",
        "is_active",
        "name",
        "active_from",
        "active_to",
        "type",
        "events",
        "shows",
        "created_at",
        "updated_at",
        "deleted_at",
    }
)


class DiscountContract(pa.DataFrameModel):
    discount_id: dt.Int64 = pa.Field(gt=0, unique=True)
    is_active: dt.Int64 = pa.Field(isin=r.FLAG)
    name: dt.String = pa.Field(str_length={"min_value": 1})
    active_from: dt.String = pa.Field(nullable=True, str_matches=r.ISO_TS)
    active_to: dt.String = pa.Field(nullable=True, str_matches=r.ISO_TS)
    deleted_at: dt.String = pa.Field(nullable=True, str_matches=r.ISO_TS)

    @pa.dataframe_check(name="active_to_not_before_active_from")
    def window_ordered(cls, data: IbisData):
        """active_from <= active_to (when both are set)."""
        return r.not_after(data.table.active_from__ts, data.table.active_to__ts)


PROMO_FIELDS = (
    FieldSpec("promo_code_id", "id", (INT,)),
    FieldSpec("is_active", "is_active", (INT, BOOL)),
    FieldSpec("discount_id", "discount_id", (INT,)),
    FieldSpec("code", "code", (STR,)),
    FieldSpec("max_uses_count", "max_uses_count", (INT,)),
    FieldSpec("active_from", "active_from", (STR, NULL), timestamp=True),
    FieldSpec("active_to", "active_to", (STR, NULL), timestamp=True),
    FieldSpec("deleted_at", "deleted_at", (STR, NULL)),
    FieldSpec("type", "type", (INT,), required=False),
)
PROMO_KNOWN = frozenset(
    {
        "id",
        "is_active",
        "type",
        "discount_id",
        "code",
        "max_uses_count",
        "active_from",
        "active_to",
        "created_at",
        "updated_at",
        "deleted_at",
    }
)


class PromoCodeContract(pa.DataFrameModel):
    promo_code_id: dt.Int64 = pa.Field(gt=0, unique=True)
    is_active: dt.Int64 = pa.Field(isin=r.FLAG)
    discount_id: dt.Int64 = pa.Field(gt=0)
    code: dt.String = pa.Field(str_length={"min_value": 1})
    max_uses_count: dt.Int64 = pa.Field(ge=0)  # 0 = unlimited
    active_from: dt.String = pa.Field(nullable=True, str_matches=r.ISO_TS)
    active_to: dt.String = pa.Field(nullable=True, str_matches=r.ISO_TS)
    deleted_at: dt.String = pa.Field(nullable=True, str_matches=r.ISO_TS)

    @pa.dataframe_check(name="active_to_not_before_active_from")
    def window_ordered(cls, data: IbisData):
        """active_from <= active_to (when both are set)."""
        return r.not_after(data.table.active_from__ts, data.table.active_to__ts)


EVENTS = ResourceContract(
    resource="events",
    description="Events and their shows: unique ids, 0/1 flags, currency, ISO dates, a show ends after it starts.",
    frames=(
        FrameSpec("events", EVENT_FIELDS, EventContract, EVENT_KNOWN),
        FrameSpec("shows", SHOW_FIELDS, ShowContract, SHOW_KNOWN, explode=Explode("shows")),
    ),
)
PRICE_SHADES = ResourceContract(
    resource="price_shades",
    description="Colour themes: unique id, colour `#rrggbb`.",
    frames=(FrameSpec("price_shades", SHADE_FIELDS, PriceShadeContract, frozenset({"id", "color"})),),
)
DISCOUNTS = ResourceContract(
    resource="discounts",
    description="Discounts: unique id, 0/1 flag, ISO active window in order.",
    frames=(FrameSpec("discounts", DISCOUNT_FIELDS, DiscountContract, DISCOUNT_KNOWN),),
)
PROMO_CODES = ResourceContract(
    resource="promo_codes",
    description="Promo codes: unique id, discount reference, non-empty code, max uses >= 0, active window in order.",
    frames=(FrameSpec("promo_codes", PROMO_FIELDS, PromoCodeContract, PROMO_KNOWN),),
)
