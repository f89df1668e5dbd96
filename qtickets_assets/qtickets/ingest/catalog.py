"""One entry per QTickets resource: where it comes from, where it goes, how it is keyed and cursored.

The staging assets are generated from this table (assets.py), so adding a resource is one entry here
plus its DDL in clickhouse/sql/. Endpoints follow the vendor docs, not the old project's guesses
(/color-themes not /price-shades, /shows/{id}/seats not /events/{id}/seats, /shows/{id}/barcodes not
/barcodes; qtickets_api.md §4).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from . import columns as rows

# Fan-out: none | show (active shows of active events) | any_show (every show of a non-deleted event) | event
FANOUT_NONE, FANOUT_SHOW, FANOUT_ANY_SHOW, FANOUT_EVENT = "none", "show", "any_show", "event"


@dataclass(frozen=True)
class CatalogEntry:
    name: str                                   # resource name, e.g. "orders"
    api: str                                    # "rest" | "partners"
    endpoint: str                               # path below the API base; {event_id}/{show_id} for fan-out
    table: str                                  # staging table = asset key
    business_key: tuple[str, ...]
    key_columns: tuple[str, ...]                # typed columns, in the order `extract` returns them
    extract: Callable[[Any, dict], tuple]       # (object, context) -> key column values
    description: str
    cursor_column: str | None = None            # incremental by `where cursor >= ...` when set
    range_column: str | None = None             # backfill by date range on this column (mode "range")
    paged: bool = True                          # REST list with paging{}
    page_size: int | None = None                # None = the client's page_size
    fanout: str = FANOUT_NONE
    body: dict = field(default_factory=dict)    # extra request body (e.g. {"flat": true} for seats)
    keyed_map: bool = False                     # answer's data is {key: object} (flat seats)
    snapshot: bool = False                      # rows carry snapshot_ts (history is kept)
    # REST resources: the top-level fields `extract` reads. Their answers are decoded sparsely (rawjson.py): the
    # payload is the API's own bytes of each object and only these fields are parsed. None = parse it all
    # (the Partners resources: their envelope carries errors and context that the ordinary path reads).
    object_fields: tuple[str, ...] | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return self.key_columns + ("payload", "_loaded_at", "_run_id", "_version")


def _t(name: str) -> str:
    return f"stg_qtickets_api_{name}_raw"


CATALOG: dict[str, CatalogEntry] = {e.name: e for e in [
    CatalogEntry(
        "events", "rest", "events", _t("events"), ("event_id",),
        ("event_id", "updated_at", "deleted_at"), rows.event_keys,
        "QTickets events (GET /events) with their shows nested in the payload, one row per event.",
        cursor_column="updated_at", object_fields=rows.ID_UPDATED_DELETED_FIELDS),
    CatalogEntry(
        "orders", "rest", "orders", _t("orders"), ("order_id",),
        ("order_id", "event_id", "payed", "created_at", "payed_at", "updated_at", "deleted_at"), rows.order_keys,
        "QTickets orders (GET /orders) with baskets nested in the payload, one row per order. Incremental "
        "on updated_at with a lookback; backfill any created_at date range with mode=range.",
        cursor_column="updated_at", range_column="created_at", object_fields=rows.ORDER_FIELDS),
    CatalogEntry(
        "clients", "rest", "clients", _t("clients"), ("client_id",), ("client_id",), rows.id_only_keys,
        "QTickets buyers (GET /clients), one row per client; no updated_at, so a full load every run. "
        "Personal data lives only in this table.", object_fields=rows.ID_FIELDS),
    CatalogEntry(
        "inventory", "rest", "shows/{show_id}/seats", _t("inventory"), ("show_id", "seat_id", "snapshot_ts"),
        ("event_id", "show_id", "seat_id", "snapshot_ts"), rows.seat_keys,
        "Seat availability snapshot: GET /shows/{id}/seats (flat) for every active show of every active, "
        "non-deleted event; one row per seat per snapshot.",
        paged=False, fanout=FANOUT_SHOW, body={"flat": True}, keyed_map=True, snapshot=True,
        object_fields=rows.SEAT_FIELDS),
    CatalogEntry(
        "price_shades", "rest", "color-themes", _t("price_shades"), ("shade_id",), ("shade_id",),
        rows.id_only_keys, "Price shades = colour themes (GET /color-themes), one row per shade.", paged=False,
        object_fields=rows.ID_FIELDS),
    CatalogEntry(
        "discounts", "rest", "discounts", _t("discounts"), ("discount_id",),
        ("discount_id", "updated_at", "deleted_at"), rows.discount_keys,
        "QTickets discounts (GET /discounts), one row per discount.", cursor_column="updated_at",
        object_fields=rows.ID_UPDATED_DELETED_FIELDS),
    CatalogEntry(
        "promo_codes", "rest", "promo-codes", _t("promo_codes"), ("promo_code_id",),
        ("promo_code_id", "discount_id", "updated_at", "deleted_at"), rows.promo_code_keys,
        "QTickets promo codes (GET /promo-codes, explicitly ordered by id), one row per promo code.",
        cursor_column="updated_at", object_fields=rows.PROMO_CODE_FIELDS),
    CatalogEntry(
        "barcodes", "rest", "shows/{show_id}/barcodes", _t("barcodes"), ("show_id", "barcode", "snapshot_ts"),
        ("event_id", "show_id", "barcode", "snapshot_ts", "checked_at"), rows.barcode_keys,
        "Currently valid barcodes per show (GET /shows/{id}/barcodes, a bare array) per snapshot; "
        "checked_at from the object when present.",
        paged=False, fanout=FANOUT_SHOW, snapshot=True, object_fields=rows.BARCODE_FIELDS),
    CatalogEntry(
        "partner_tickets", "partners", "tickets/find/{event_id}/{show_id}", _t("partner_tickets"), ("ticket_id",),
        ("ticket_id", "event_id", "show_id", "paid", "deleted"), rows.partner_ticket_keys,
        "Partners API tickets (tickets/find/{event_id}/{show_id} with an empty filter = every ticket of the "
        "show, with its deleted flag), for every show of every non-deleted event. Asked per show, not per "
        "event: a ticket object carries no show_id, so only the URL tells which show of a multi-show event "
        "it belongs to.",
        paged=False, fanout=FANOUT_ANY_SHOW, body={"filter": {}}),
    CatalogEntry(
        "partner_events", "partners", "events/lists", _t("partner_events"), ("event_id", "show_id"),
        ("event_id", "show_id", "last_update_hash"), rows.partner_event_keys,
        "Partners API events/lists: one row per event-show open to partner sales, with last_update_hash.",
        paged=False),
]}
