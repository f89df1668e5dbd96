"""Events and their shows, price shades (colour themes), discounts, promo codes: API reference §1.5.4-§1.5.7."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from qtickets_assets.quality import rules as r
from qtickets_assets.quality.frame import ARRAY, BOOL, INT, NULL, STR, FieldSpec
from qtickets_assets.quality.spec import FrameSpec, ResourceQuality, explode_children

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
EVENT_KNOWN = frozenset({
    "id", "is_active", "name", "scheme_id", "currency_id", "place_name", "place_address", "place_description",
    "city_id", "description", "site_url", "external_id", "ticket_id", "mail_template_id", "age", "shows",
    "payments", "poster", "event_type_id", "city", "ticket", "mail_template", "slug", "place_coordinates", "url",
    "created_at", "updated_at", "deleted_at",
})


class EventModel(pa.DataFrameModel):
    event_id: Series[pd.Int64Dtype] = pa.Field(gt=0, unique=True)
    is_active: Series[object] = pa.Field(isin=r.FLAG)
    name: Series[str] = pa.Field(str_length={"min_value": 1})
    currency_id: Series[str] = pa.Field(isin=r.CURRENCIES)
    shows: Series[object]
    deleted_at: Series[str] = pa.Field(nullable=True, str_matches=r.ISO_TS)
    updated_at: Series[str] = pa.Field(nullable=True, str_matches=r.ISO_TS)

    class Config:
        coerce = True


SHOW_FIELDS = (
    FieldSpec("show_id", "id", (INT,)),
    FieldSpec("event_id", "__event__.id", (INT,)),
    FieldSpec("is_active", "is_active", (INT, BOOL)),
    FieldSpec("start_date", "start_date", (STR,)),
    FieldSpec("finish_date", "finish_date", (STR, NULL), required=False),
    FieldSpec("sale_start_date", "sale_start_date", (STR, NULL), required=False),
    FieldSpec("sale_finish_date", "sale_finish_date", (STR, NULL), required=False),
    FieldSpec("deleted_at", "deleted_at", (STR, NULL), required=False),
)
SHOW_KNOWN = frozenset({
    "id", "name", "is_active", "sale_start_date", "sale_finish_date", "open_date", "start_date", "finish_date",
    "scheme_properties", "prices", "min_price", "max_price", "created_at", "updated_at", "deleted_at",
})


class ShowModel(pa.DataFrameModel):
    show_id: Series[pd.Int64Dtype] = pa.Field(gt=0, unique=True)
    event_id: Series[pd.Int64Dtype] = pa.Field(gt=0)
    is_active: Series[object] = pa.Field(isin=r.FLAG)
    start_date: Series[str] = pa.Field(str_matches=r.ISO_TS)
    finish_date: Series[str] = pa.Field(nullable=True, str_matches=r.ISO_TS)
    sale_start_date: Series[str] = pa.Field(nullable=True, str_matches=r.ISO_TS)
    sale_finish_date: Series[str] = pa.Field(nullable=True, str_matches=r.ISO_TS)

    @pa.dataframe_check(name="finish_date_not_before_start_date")
    def finish_after_start(cls, df: pd.DataFrame) -> pd.Series:
        """A show does not end before it starts."""
        return r.not_after(df["start_date"], df["finish_date"])

    class Config:
        coerce = True


class PriceShadeModel(pa.DataFrameModel):
    shade_id: Series[pd.Int64Dtype] = pa.Field(gt=0, unique=True)
    color: Series[str] = pa.Field(str_matches=r.COLOR)

    class Config:
        coerce = True


SHADE_FIELDS = (FieldSpec("shade_id", "id", (INT,)), FieldSpec("color", "color", (STR,)))

DISCOUNT_FIELDS = (
    FieldSpec("discount_id", "id", (INT,)),
    FieldSpec("is_active", "is_active", (INT, BOOL)),
    FieldSpec("name", "name", (STR,)),
    FieldSpec("type", "type", (STR,), required=False),
    FieldSpec("active_from", "active_from", (STR, NULL)),
    FieldSpec("active_to", "active_to", (STR, NULL)),
    FieldSpec("events", "events", (ARRAY,), required=False),
    FieldSpec("deleted_at", "deleted_at", (STR, NULL)),
)
DISCOUNT_KNOWN = frozenset({
    "id", "is_active", "name", "active_from", "active_to", "type", "events", "shows",
    "created_at", "updated_at", "deleted_at",
})


class DiscountModel(pa.DataFrameModel):
    discount_id: Series[pd.Int64Dtype] = pa.Field(gt=0, unique=True)
    is_active: Series[object] = pa.Field(isin=r.FLAG)
    name: Series[str] = pa.Field(str_length={"min_value": 1})
    active_from: Series[str] = pa.Field(nullable=True, str_matches=r.ISO_TS)
    active_to: Series[str] = pa.Field(nullable=True, str_matches=r.ISO_TS)
    deleted_at: Series[str] = pa.Field(nullable=True, str_matches=r.ISO_TS)

    @pa.dataframe_check(name="active_to_not_before_active_from")
    def window_ordered(cls, df: pd.DataFrame) -> pd.Series:
        """active_from <= active_to (when both are set)."""
        return r.not_after(df["active_from"], df["active_to"])

    class Config:
        coerce = True


PROMO_FIELDS = (
    FieldSpec("promo_code_id", "id", (INT,)),
    FieldSpec("is_active", "is_active", (INT, BOOL)),
    FieldSpec("discount_id", "discount_id", (INT,)),
    FieldSpec("code", "code", (STR,)),
    FieldSpec("max_uses_count", "max_uses_count", (INT,)),
    FieldSpec("active_from", "active_from", (STR, NULL)),
    FieldSpec("active_to", "active_to", (STR, NULL)),
    FieldSpec("deleted_at", "deleted_at", (STR, NULL)),
    FieldSpec("type", "type", (INT,), required=False),
)
PROMO_KNOWN = frozenset({
    "id", "is_active", "type", "discount_id", "code", "max_uses_count", "active_from", "active_to",
    "created_at", "updated_at", "deleted_at",
})


class PromoCodeModel(pa.DataFrameModel):
    promo_code_id: Series[pd.Int64Dtype] = pa.Field(gt=0, unique=True)
    is_active: Series[object] = pa.Field(isin=r.FLAG)
    discount_id: Series[pd.Int64Dtype] = pa.Field(gt=0)
    code: Series[str] = pa.Field(str_length={"min_value": 1})
    max_uses_count: Series[pd.Int64Dtype] = pa.Field(ge=0)  # 0 = unlimited
    active_from: Series[str] = pa.Field(nullable=True, str_matches=r.ISO_TS)
    active_to: Series[str] = pa.Field(nullable=True, str_matches=r.ISO_TS)
    deleted_at: Series[str] = pa.Field(nullable=True, str_matches=r.ISO_TS)

    @pa.dataframe_check(name="active_to_not_before_active_from")
    def window_ordered(cls, df: pd.DataFrame) -> pd.Series:
        """active_from <= active_to (when both are set)."""
        return r.not_after(df["active_from"], df["active_to"])

    class Config:
        coerce = True


EVENTS = ResourceQuality(
    resource="events",
    table="stg_qtickets_api_events_raw",
    key_columns=("event_id",),
    description="Events and their shows: unique ids, 0/1 flags, currency, ISO dates, a show ends after it starts.",
    frames=(
        FrameSpec("events", EVENT_FIELDS, EventModel, EVENT_KNOWN),
        FrameSpec("shows", SHOW_FIELDS, ShowModel, SHOW_KNOWN, explode=explode_children("shows", "__event__", ("id",))),
    ),
)
PRICE_SHADES = ResourceQuality(
    resource="price_shades",
    table="stg_qtickets_api_price_shades_raw",
    key_columns=("shade_id",),
    description="Colour themes: unique id, colour `#rrggbb`.",
    frames=(FrameSpec("price_shades", SHADE_FIELDS, PriceShadeModel, frozenset({"id", "color"})),),
)
DISCOUNTS = ResourceQuality(
    resource="discounts",
    table="stg_qtickets_api_discounts_raw",
    key_columns=("discount_id",),
    description="Discounts: unique id, 0/1 flag, ISO active window in order.",
    frames=(FrameSpec("discounts", DISCOUNT_FIELDS, DiscountModel, DISCOUNT_KNOWN),),
)
PROMO_CODES = ResourceQuality(
    resource="promo_codes",
    table="stg_qtickets_api_promo_codes_raw",
    key_columns=("promo_code_id",),
    description="Promo codes: unique id, discount reference, non-empty code, max uses >= 0, active window in order.",
    frames=(FrameSpec("promo_codes", PROMO_FIELDS, PromoCodeModel, PROMO_KNOWN),),
)
