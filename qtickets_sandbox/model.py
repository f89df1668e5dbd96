"""Compact in-memory records (slots, epoch-second ints, shared strings) so a million orders fit in memory.

JSON is rendered on demand from these records (render_*.py); nothing here knows about HTTP.
"""

from __future__ import annotations


class Zone:
    __slots__ = ("idx", "id", "name", "description", "admission", "tier", "x", "y", "w", "h", "start", "end")


class Scheme:
    """A venue's seat plan, shared by every show played there. Seat attributes are parallel lists."""

    __slots__ = (
        "id",
        "venue_id",
        "kind",
        "place_name",
        "place_address",
        "place_description",
        "city",
        "width",
        "height",
        "zones",
        "seat_root",
        "seat_zone",
        "seat_row",
        "seat_place",
        "seat_x",
        "seat_y",
        "seat_max",
        "seat_name",
        "seat_index",
        "disabled",
        "capacity",
        "seat_json",
        "seat_fast",
    )


class Event:
    __slots__ = (
        "id",
        "is_active",
        "name",
        "scheme",
        "city",
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
        "slug",
        "created_at",
        "updated_at",
        "deleted_at",
        "tariffs",
        "partner_enabled",
        "fanid_required",
        "doc_verification",
        "pushkin_id",
        "popularity",
        "discounts",
        "place_name",
        "place_address",
        "place_description",
    )


class Show:
    """A date of an event. `ordered`/`paid` hold the live quantity per seat index of the scheme.
    `version` moves with every seat change (Partners' last_update_hash); `touched` with every other change of
    its tickets (payments, scans, edits). Together they stamp the cached fan-out answers (fanout.py)."""

    __slots__ = (
        "id",
        "event",
        "name",
        "is_active",
        "sale_start",
        "sale_finish",
        "open_date",
        "start",
        "finish",
        "prices",
        "zone_price",
        "created_at",
        "updated_at",
        "deleted_at",
        "ordered",
        "paid",
        "disabled",
        "version",
        "touched",
        "series",
        "baskets",
        "ptickets",
    )


class Client:
    __slots__ = ("id", "email", "name", "surname", "middlename", "phone", "vk_id", "facebook_id", "holder", "version")


class Order:
    __slots__ = (
        "id",
        "uniqid",
        "payed",
        "payed_at",
        "created_at",
        "updated_at",
        "deleted_at",
        "client",
        "site_id",
        "payment_id",
        "payment_type_id",
        "card",
        "basket_user_id",
        "backend_user_id",
        "discount_id",
        "promo_code_id",
        "reserved",
        "reserved_to",
        "reserve_extended",
        "event",
        "utm",
        "fields",
        "integrations",
        "baskets",
        "refunds",
        "json",
        "json_client_version",
    )


class Basket:
    """A ticket. `holder` is a shared (email, phone, name, surname, middlename) tuple (usually the buyer's)."""

    __slots__ = (
        "id",
        "order",
        "show",
        "seat",
        "tariff",
        "quantity",
        "original_price",
        "ticket_original_price",
        "discount_value",
        "price",
        "barcode",
        "holder",
        "checked_at",
        "created_at",
        "updated_at",
        "deleted_at",
        "refunded_at",
        "refunded_amount",
        "refunded_deduction_amount",
        "refunds",
    )


class Discount:
    __slots__ = (
        "id",
        "is_active",
        "name",
        "type",
        "percent",
        "active_from",
        "active_to",
        "events",
        "created_at",
        "updated_at",
        "deleted_at",
        "promos",
    )


class PromoCode:
    __slots__ = (
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
    )


class PartnerTicket:
    __slots__ = (
        "id",
        "event",
        "show",
        "seat",
        "offer_id",
        "paid",
        "paid_at",
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
        "fanid",
        "visitor_user_id",
        "user_session",
        "deleted",
        "checked_at",
        "created_at",
        "updated_at",
    )


def new(cls, **values):
    """Create a slots record with every slot defaulting to None."""
    obj = cls.__new__(cls)
    for name in cls.__slots__:
        setattr(obj, name, values.get(name))
    return obj


def multiprice_code(b: Basket):
    """The basket's tariff code as the API renders it: null for the event's base tariff (`full`), as in all
    139 real baskets [OBS]; the code (`child`, `preferential`) for the other tariffs (the docs' example) [DOC]."""
    tariff = b.tariff
    return None if tariff == b.show.event.tariffs[0] else tariff


def basket_is_live(b: Basket) -> bool:
    """A basket that still holds its seat: not cancelled, not refunded, and its order not cancelled."""
    return b.deleted_at is None and b.refunded_at is None and b.order.deleted_at is None


def basket_is_valid_ticket(b: Basket) -> bool:
    """A ticket with a currently valid barcode (GET /shows/{id}/barcodes)."""
    return b.order.payed and b.barcode is not None and basket_is_live(b)
