"""Partners API: tickets (tickets/find, with `deleted`) and event-show entries (events/lists): §2.3."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from qtickets_assets.quality import rules as r
from qtickets_assets.quality.frame import BOOL, FLOAT, INT, NULL, OBJECT, STR, FieldSpec
from qtickets_assets.quality.spec import FrameSpec, ResourceQuality

TICKET_FIELDS = (
    # `id` is a string ("27061") in a single add and an int in batch/find: both are documented.
    FieldSpec("ticket_id", "id", (INT, STR)),
    FieldSpec("event_id", "@event_id", (INT,)),
    FieldSpec("show_id", "@show_id", (INT,)),
    FieldSpec("paid", "paid", (INT, BOOL)),
    FieldSpec("paid_at", "paid_at", (STR, NULL)),
    FieldSpec("seat_id", "seat_id", (STR,)),
    FieldSpec("barcode", "barcode", (STR, NULL)),
    FieldSpec("price", "price", (INT, FLOAT, NULL)),
    FieldSpec("deleted", "deleted", (INT, BOOL)),
    FieldSpec("reserved_to", "reserved_to", (STR, NULL), required=False),
    FieldSpec("offer_id", "offer_id", (STR, NULL), required=False),
)
TICKET_KNOWN = frozenset({
    "id", "paid", "paid_at", "seat_id", "offer_id", "admission", "payment_type_id", "reserved_to", "external_id",
    "external_order_id", "barcode", "price", "client_email", "client_phone", "client_name", "client_surname",
    "client_middlename", "fanid_card", "visitor_user_id", "deleted", "user_session", "fanid",
})


class PartnerTicketModel(pa.DataFrameModel):
    ticket_id: Series[str] = pa.Field(str_matches=r.NUMERIC_ID, unique=True)
    event_id: Series[pd.Int64Dtype] = pa.Field(gt=0)
    show_id: Series[pd.Int64Dtype] = pa.Field(ge=0)
    paid: Series[object] = pa.Field(isin=r.FLAG)
    paid_at: Series[str] = pa.Field(nullable=True, str_matches=r.ISO_TS)
    seat_id: Series[str] = pa.Field(str_matches=r.SEAT_ID)
    barcode: Series[str] = pa.Field(nullable=True, str_matches=r.BARCODE)
    price: Series[float] = pa.Field(nullable=True, ge=0)
    deleted: Series[object] = pa.Field(isin=r.FLAG)
    reserved_to: Series[str] = pa.Field(nullable=True, str_matches=r.ISO_TS)

    @pa.dataframe_check(name="barcode_set_when_paid")
    def barcode_when_paid(cls, df: pd.DataFrame) -> pd.Series:
        """A paid ticket has a barcode (assigned on payment)."""
        return ~r.truthy(df["paid"]) | df["barcode"].notna()

    class Config:
        coerce = True


PARTNER_EVENT_FIELDS = (
    FieldSpec("event_id", "event_id", (INT,)),
    FieldSpec("show_id", "show_id", (INT,)),
    FieldSpec("event_name", "event_name", (STR,)),
    FieldSpec("start_date", "start_date", (STR,)),
    FieldSpec("finish_date", "finish_date", (STR, NULL), required=False),
    FieldSpec("last_update_hash", "last_update_hash", (STR,)),
    FieldSpec("city", "city", (OBJECT,), required=False),
)
PARTNER_EVENT_KNOWN = frozenset({
    "event_id", "show_id", "event_name", "start_date", "finish_date", "scheme", "city", "event_type", "age",
    "fanid_required", "has_document_verification", "integrations", "last_update_hash",
})


class PartnerEventModel(pa.DataFrameModel):
    event_id: Series[pd.Int64Dtype] = pa.Field(gt=0)
    show_id: Series[pd.Int64Dtype] = pa.Field(gt=0)
    event_name: Series[str] = pa.Field(str_length={"min_value": 1})
    start_date: Series[str] = pa.Field(str_matches=r.ISO_TS)
    finish_date: Series[str] = pa.Field(nullable=True, str_matches=r.ISO_TS)
    last_update_hash: Series[str] = pa.Field(str_matches=r.SHA1_HEX)

    @pa.dataframe_check(name="finish_date_not_before_start_date")
    def finish_after_start(cls, df: pd.DataFrame) -> pd.Series:
        """A show does not end before it starts."""
        return r.not_after(df["start_date"], df["finish_date"])

    class Config:
        coerce = True
        unique = ["event_id", "show_id"]


PARTNER_TICKETS = ResourceQuality(
    resource="partner_tickets",
    table="stg_qtickets_api_partner_tickets_raw",
    key_columns=("ticket_id", "event_id", "show_id"),
    description="Partners tickets: numeric unique id, 0/1 paid/deleted, seat id shape, a paid ticket has a barcode.",
    frames=(FrameSpec("partner_tickets", TICKET_FIELDS, PartnerTicketModel, TICKET_KNOWN),),
)
PARTNER_EVENTS = ResourceQuality(
    resource="partner_events",
    table="stg_qtickets_api_partner_events_raw",
    key_columns=("event_id", "show_id"),
    description="Partners events/lists: unique (event, show), ISO dates in order, 40-hex last_update_hash.",
    frames=(FrameSpec("partner_events", PARTNER_EVENT_FIELDS, PartnerEventModel, PARTNER_EVENT_KNOWN),),
)
