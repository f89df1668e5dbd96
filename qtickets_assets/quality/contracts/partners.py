"""Partners API: tickets (tickets/find, with `deleted`) and event-show entries (events/lists): docs/qtickets_api.md,
"Partners API"."""

from __future__ import annotations

import ibis.expr.datatypes as dt
import pandera.ibis as pa
from pandera.ibis import IbisData

from qtickets_assets.quality import rules as r
from qtickets_assets.quality.fields import BOOL, FLOAT, INT, NULL, OBJECT, STR, FieldSpec, FrameSpec, ResourceContract

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
TICKET_KNOWN = frozenset(
    {
        "id",
        "paid",
        "paid_at",
        "seat_id",
        "offer_id",
        "admission",
        "payment_type_id",
        "reserved_to",
        "external_id",
        "external_order_id",
        "barcode",
        "price",
        "client_email",
        "client_phone",
        "client_name",
        "client_surname",
        "client_middlename",
        "fanid_card",
        "visitor_user_id",
        "deleted",
        "user_session",
        "fanid",
    }
)


class PartnerTicketContract(pa.DataFrameModel):
    ticket_id: dt.String = pa.Field(str_matches=r.NUMERIC_ID, unique=True)
    event_id: dt.Int64 = pa.Field(gt=0)
    show_id: dt.Int64 = pa.Field(ge=0)
    paid: dt.Int64 = pa.Field(isin=r.FLAG)
    paid_at: dt.String = pa.Field(nullable=True, str_matches=r.ISO_TS)
    seat_id: dt.String = pa.Field(str_matches=r.SEAT_ID)
    barcode: dt.String = pa.Field(nullable=True, str_matches=r.BARCODE)
    price: dt.Float64 = pa.Field(nullable=True, ge=0)
    deleted: dt.Int64 = pa.Field(isin=r.FLAG)
    reserved_to: dt.String = pa.Field(nullable=True, str_matches=r.ISO_TS)

    @pa.dataframe_check(name="barcode_set_when_paid")
    def barcode_when_paid(cls, data: IbisData):
        """A paid ticket has a barcode (assigned on payment)."""
        t = data.table
        return ~r.truthy(t.paid) | t.barcode.notnull()


PARTNER_EVENT_FIELDS = (
    FieldSpec("event_id", "event_id", (INT,)),
    FieldSpec("show_id", "show_id", (INT,)),
    FieldSpec("event_name", "event_name", (STR,)),
    FieldSpec("start_date", "start_date", (STR,), timestamp=True),
    FieldSpec("finish_date", "finish_date", (STR, NULL), required=False, timestamp=True),
    FieldSpec("last_update_hash", "last_update_hash", (STR,)),
    FieldSpec("city", "city", (OBJECT,), required=False),
)
PARTNER_EVENT_KNOWN = frozenset(
    {
        "event_id",
        "show_id",
        "event_name",
        "start_date",
        "finish_date",
        "scheme",
        "city",
        "event_type",
        "age",
        "fanid_required",
        "has_document_verification",
        "integrations",
        "last_update_hash",
    }
)


class PartnerEventContract(pa.DataFrameModel):
    event_id: dt.Int64 = pa.Field(gt=0)
    show_id: dt.Int64 = pa.Field(gt=0)
    event_name: dt.String = pa.Field(str_length={"min_value": 1})
    start_date: dt.String = pa.Field(str_matches=r.ISO_TS)
    finish_date: dt.String = pa.Field(nullable=True, str_matches=r.ISO_TS)
    last_update_hash: dt.String = pa.Field(str_matches=r.SHA1_HEX)

    @pa.dataframe_check(name="finish_date_not_before_start_date")
    def finish_after_start(cls, data: IbisData):
        """A show does not end before it starts."""
        return r.not_after(data.table.start_date__ts, data.table.finish_date__ts)

    class Config:
        unique = ["event_id", "show_id"]


PARTNER_TICKETS = ResourceContract(
    resource="partner_tickets",
    description="Partners tickets: numeric unique id, 0/1 paid/deleted, seat id shape, a paid ticket has a barcode.",
    frames=(FrameSpec("partner_tickets", TICKET_FIELDS, PartnerTicketContract, TICKET_KNOWN),),
)
PARTNER_EVENTS = ResourceContract(
    resource="partner_events",
    description="Partners events/lists: unique (event, show), ISO dates in order, 40-hex last_update_hash.",
    frames=(FrameSpec("partner_events", PARTNER_EVENT_FIELDS, PartnerEventContract, PARTNER_EVENT_KNOWN),),
)
