"""THE catalog: one entry per QTickets resource, and everything about a resource that code needs derives from it.

From an entry come: its staging table and Dagster asset (ingest/assets.py), the key columns read from each object
and the fields a sparse decode must keep (columns.py), the table's DDL with a comment on every column
(clickhouse/ddl.py), the request (endpoint, paging, fan-out, body), the incremental cursor and backfill column,
the freshness check (max_lag), the job and schedule that load it (refresh), the audit's business-key counts, and
the dbt source in dbt_project/models/staging/__sources.yml (rendered from here; a test keeps the file in step).

Adding a resource is: one entry here, its pandera contract (quality/contracts/), its dbt staging model, and the
sandbox's side of the API. Tests iterate the catalog, so a resource missing anywhere fails loudly, by name.
Endpoints follow the vendor docs (docs/qtickets_api.md), not the old project's guesses: /color-themes not
/price-shades, /shows/{id}/seats not /events/{id}/seats, /shows/{id}/barcodes not /barcodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from .columns import (
    Context,
    Field,
    FieldOrContext,
    MapKeyOrField,
    Source,
    to_flag,
    to_optional_uint,
    to_text,
    to_timestamp,
    to_timestamp_or_epoch,
    to_uint,
)

# Fan-out: none | show (active shows of active events) | any_show (every show of a non-deleted event) | event
FANOUT_NONE, FANOUT_SHOW, FANOUT_ANY_SHOW, FANOUT_EVENT = "none", "show", "any_show", "event"
# Which job (and schedule) loads a resource: see automation.py.
ORDERS_JOB, INVENTORY_JOB, DIMENSIONS_JOB = "orders", "inventory", "dimensions"

UTC_TIME = "DateTime64(3, 'UTC')"
NULLABLE_UTC_TIME = "Nullable(DateTime64(3, 'UTC'))"


@dataclass(frozen=True)
class Column:
    """A typed key column of a staging table: its ClickHouse type, what it holds, where its value comes from."""

    name: str
    type: str
    description: str
    source: Source


# The load columns every staging table ends with (writer.py fills them; dbt reads them to deduplicate).
LOAD_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("payload", "String CODEC(ZSTD(3))", "The object's JSON as the API sent it (nothing dropped)."),
    ("_loaded_at", UTC_TIME, "When the load that wrote the row started (UTC)."),
    ("_run_id", "String", "The Dagster run of that load."),
    ("_version", "UInt64", "Row version; larger is newer. Staging keeps the latest per business key."),
)


@dataclass(frozen=True)
class CatalogEntry:
    name: str  # resource name, e.g. "orders"
    description: str
    endpoint: str  # path below the API base; {event_id}/{show_id} for fan-out
    columns: tuple[Column, ...]  # the typed key columns, in table order
    business_key: tuple[str, ...]  # one row per key after deduplication (latest _version)
    refresh: str  # the job that loads it: ORDERS_JOB | INVENTORY_JOB | DIMENSIONS_JOB
    max_lag: timedelta  # freshness: stale when the last load is older than this
    api: str = "rest"  # "rest" | "partners"
    order_by: tuple[str, ...] | None = None  # the table's sorting key (default: the business key)
    partition_by: str | None = None
    cursor_column: str | None = None  # incremental by `where cursor >= ...` when set
    range_column: str | None = None  # backfill by date range on this column (mode "range")
    paged: bool = True  # REST list with paging{}
    page_size: int | None = None  # None = the client's page_size
    fanout: str = FANOUT_NONE
    body: dict = field(default_factory=dict)  # extra request body (e.g. {"flat": true} for seats)
    keyed_map: bool = False  # answer's data is {key: object} (flat seats)
    snapshot: bool = False  # rows carry snapshot_ts (history is kept)
    # Which months of the sales facts a load of this resource can change (transform/partitions.py): a query over
    # the staging tables giving partition keys ('YYYY-MM-01') for the rows of one run ({run_id:String}, platform
    # time zone {tz:String}), reported in the load's metadata; and the dbt model the facts read that must be
    # rebuilt from this table first (transform/sales_months_sensor.py waits for it).
    sales_months_sql: str | None = None
    sales_input_model: str | None = None

    @property
    def table(self) -> str:
        """The staging table, which is also the Dagster asset key."""
        return f"stg_qtickets_api_{self.name}_raw"

    @property
    def key_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def table_columns(self) -> tuple[str, ...]:
        """Every column of the table, in insert order."""
        return self.key_columns + tuple(name for name, _, _ in LOAD_COLUMNS)

    @property
    def sorting_key(self) -> tuple[str, ...]:
        return self.order_by or self.business_key

    @property
    def object_fields(self) -> tuple[str, ...] | None:
        """The top-level fields the key columns read. REST answers are decoded sparsely (client/decoding.py): only
        these are parsed and the payload keeps the API's own bytes of each object. None = parse it all (the
        Partners resources: their envelope carries errors and context that the ordinary path reads)."""
        if self.api != "rest":
            return None
        return tuple(dict.fromkeys(f for c in self.columns for f in c.source.object_fields))

    def extract(self, obj: Any, ctx: dict) -> tuple:
        """The key column values of one object, in column order."""
        return tuple(c.source.read(obj, ctx) for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


# The payment months of every known version of the orders this load touched: API rows AND webhook deliveries
# (stg_qtickets__orders may have chosen a webhook row, whose month must be rebuilt when the API row moves it).
ORDER_SALES_MONTHS = """
WITH touched AS (SELECT DISTINCT order_id FROM stg_qtickets_api_orders_raw WHERE _run_id = {run_id:String})
SELECT DISTINCT toString(toStartOfMonth(toTimeZone(payed_at, {tz:String}))) AS month
FROM (
    SELECT payed_at FROM stg_qtickets_api_orders_raw WHERE payed_at IS NOT NULL AND order_id IN touched
    UNION ALL
    SELECT payed_at FROM stg_qtickets_webhooks_raw WHERE payed_at IS NOT NULL AND order_id IN touched
)
ORDER BY month
"""

EVENT_RENAMES_SALES_MONTHS = """
WITH
    this_run AS (
        SELECT event_id,
               argMax((JSONExtractString(payload, 'name'), JSONExtractString(payload, 'city', 'name')), _version) AS shown
        FROM stg_qtickets_api_events_raw WHERE _run_id = {run_id:String} GROUP BY event_id
    ),
    before AS (
        SELECT event_id,
               argMax((JSONExtractString(payload, 'name'), JSONExtractString(payload, 'city', 'name')), _version) AS shown
        FROM stg_qtickets_api_events_raw
        WHERE _version < (SELECT min(_version) FROM stg_qtickets_api_events_raw WHERE _run_id = {run_id:String})
        GROUP BY event_id
    )
SELECT DISTINCT toString(toStartOfMonth(toTimeZone(payed_at, {tz:String}))) AS month
FROM stg_qtickets_api_orders_raw
WHERE payed_at IS NOT NULL
  AND event_id IN (
      SELECT this_run.event_id FROM this_run LEFT JOIN before ON this_run.event_id = before.event_id
      WHERE before.event_id = 0 OR this_run.shown != before.shown
  )
ORDER BY month
"""


def _id(name: str, what: str) -> Column:
    return Column(name, "UInt64", f"{what} (`id`).", Field("id", to_uint))


def _updated_deleted() -> tuple[Column, ...]:
    return (
        Column(
            "updated_at",
            NULLABLE_UTC_TIME,
            "`updated_at` in UTC: the incremental cursor.",
            Field("updated_at", to_timestamp),
        ),
        Column(
            "deleted_at",
            NULLABLE_UTC_TIME,
            "`deleted_at` in UTC: set when the object was deleted.",
            Field("deleted_at", to_timestamp),
        ),
    )


def _show_context(what: str) -> tuple[Column, ...]:
    return (
        Column("event_id", "UInt64", f"The event of the show the {what} was asked for.", Context("event_id", to_uint)),
        Column(
            "show_id",
            "UInt64",
            f"The show the {what} was asked for ({{show_id}} in the URL).",
            Context("show_id", to_uint),
        ),
    )


def _snapshot_ts() -> Column:
    return Column(
        "snapshot_ts", UTC_TIME, "When the load took this snapshot (one time per load, UTC).", Context("snapshot_ts")
    )


CATALOG: dict[str, CatalogEntry] = {
    e.name: e
    for e in [
        CatalogEntry(
            name="events",
            description="QTickets events (GET /events) with their shows nested in the payload, one row per event.",
            endpoint="events",
            refresh=DIMENSIONS_JOB,
            max_lag=timedelta(hours=6),
            columns=(_id("event_id", "The event's id"), *_updated_deleted()),
            business_key=("event_id",),
            cursor_column="updated_at",
            # The facts carry each event's name and city: a renamed (or newly arrived) event changes the months in
            # which its orders were paid.
            sales_months_sql=EVENT_RENAMES_SALES_MONTHS,
            sales_input_model="stg_qtickets__events",
        ),
        CatalogEntry(
            name="orders",
            description="QTickets orders (GET /orders) with baskets nested in the payload, one row per order. "
            "Incremental on updated_at with a lookback; backfill any created_at date range with mode=range.",
            endpoint="orders",
            refresh=ORDERS_JOB,
            max_lag=timedelta(hours=2),
            columns=(
                _id("order_id", "The order's id"),
                Column(
                    "event_id",
                    "UInt64",
                    "The order's event (`event_id`; one event per order).",
                    Field("event_id", to_uint),
                ),
                Column("payed", "UInt8", "1 when the order is paid (`payed`).", Field("payed", to_flag)),
                Column(
                    "created_at",
                    UTC_TIME,
                    "`created_at` in UTC (1970-01-01 when unreadable): the partition key.",
                    Field("created_at", to_timestamp_or_epoch),
                ),
                Column(
                    "payed_at",
                    NULLABLE_UTC_TIME,
                    "`payed_at` in UTC; NULL until paid.",
                    Field("payed_at", to_timestamp),
                ),
                *_updated_deleted(),
            ),
            business_key=("order_id",),
            partition_by="toYYYYMM(created_at)",
            cursor_column="updated_at",
            range_column="created_at",
            # The payment months of every version of the orders loaded (an order whose payment date moved, or that
            # was cancelled, changes its old month too).
            sales_months_sql=ORDER_SALES_MONTHS,
            sales_input_model="stg_qtickets__baskets",
        ),
        CatalogEntry(
            name="clients",
            description="QTickets buyers (GET /clients), one row per client; no updated_at, so a full load every run. "
            "Personal data lives only in this table.",
            endpoint="clients",
            refresh=DIMENSIONS_JOB,
            max_lag=timedelta(hours=26),
            columns=(_id("client_id", "The buyer's id"),),
            business_key=("client_id",),
        ),
        CatalogEntry(
            name="inventory",
            description="Seat availability snapshot: GET /shows/{id}/seats (flat) for every active show of every "
            "active, non-deleted event; one row per seat per snapshot.",
            endpoint="shows/{show_id}/seats",
            refresh=INVENTORY_JOB,
            max_lag=timedelta(hours=2),
            columns=(
                *_show_context("seat map"),
                Column(
                    "seat_id", "String", "The seat's id (the key of the flat seat map).", MapKeyOrField("id", to_text)
                ),
                _snapshot_ts(),
            ),
            business_key=("show_id", "seat_id", "snapshot_ts"),
            order_by=("event_id", "show_id", "snapshot_ts", "seat_id"),
            partition_by="toYYYYMM(snapshot_ts)",
            paged=False,
            fanout=FANOUT_SHOW,
            body={"flat": True},
            keyed_map=True,
            snapshot=True,
        ),
        CatalogEntry(
            name="price_shades",
            description="Price shades = colour themes (GET /color-themes), one row per shade.",
            endpoint="color-themes",
            refresh=DIMENSIONS_JOB,
            max_lag=timedelta(days=8),
            columns=(_id("shade_id", "The colour theme's id"),),
            business_key=("shade_id",),
            paged=False,
        ),
        CatalogEntry(
            name="discounts",
            description="QTickets discounts (GET /discounts), one row per discount.",
            endpoint="discounts",
            refresh=DIMENSIONS_JOB,
            max_lag=timedelta(hours=26),
            columns=(_id("discount_id", "The discount's id"), *_updated_deleted()),
            business_key=("discount_id",),
            cursor_column="updated_at",
        ),
        CatalogEntry(
            name="promo_codes",
            description="QTickets promo codes (GET /promo-codes, explicitly ordered by id), one row per promo code.",
            endpoint="promo-codes",
            refresh=DIMENSIONS_JOB,
            max_lag=timedelta(hours=26),
            columns=(
                _id("promo_code_id", "The promo code's id"),
                Column(
                    "discount_id",
                    "Nullable(UInt64)",
                    "The discount it grants (`discount_id`).",
                    Field("discount_id", to_optional_uint),
                ),
                *_updated_deleted(),
            ),
            business_key=("promo_code_id",),
            cursor_column="updated_at",
        ),
        CatalogEntry(
            name="barcodes",
            description="Currently valid barcodes per show (GET /shows/{id}/barcodes, a bare array) per snapshot; "
            "checked_at from the object when present.",
            endpoint="shows/{show_id}/barcodes",
            refresh=INVENTORY_JOB,
            max_lag=timedelta(hours=6),
            columns=(
                *_show_context("barcodes list"),
                Column(
                    "barcode", "String", "The ticket's barcode (12 digits in real data).", Field("barcode", to_text)
                ),
                _snapshot_ts(),
                Column(
                    "checked_at",
                    NULLABLE_UTC_TIME,
                    "When the ticket was scanned (`checked_at`, UTC), if ever.",
                    Field("checked_at", to_timestamp),
                ),
            ),
            business_key=("show_id", "barcode", "snapshot_ts"),
            order_by=("event_id", "show_id", "snapshot_ts", "barcode"),
            partition_by="toYYYYMM(snapshot_ts)",
            paged=False,
            fanout=FANOUT_SHOW,
            snapshot=True,
        ),
        CatalogEntry(
            name="partner_tickets",
            api="partners",
            description="Partners API tickets (tickets/find/{event_id}/{show_id} with an empty filter = every ticket of "
            "the show, with its deleted flag), for every show of every non-deleted event. Asked per show, "
            "not per event: a ticket object carries no show_id, so only the URL tells which show of a "
            "multi-show event it belongs to.",
            endpoint="tickets/find/{event_id}/{show_id}",
            refresh=DIMENSIONS_JOB,
            max_lag=timedelta(hours=6),
            columns=(
                _id("ticket_id", "The Partners ticket's id"),
                Column(
                    "event_id",
                    "UInt64",
                    "The ticket's event (`event_id`, else the one asked about).",
                    FieldOrContext("event_id", to_uint),
                ),
                Column(
                    "show_id",
                    "UInt64",
                    "The ticket's show (`show_id`, else the one asked about).",
                    FieldOrContext("show_id", to_uint),
                ),
                Column("paid", "UInt8", "1 when the ticket is paid (`paid`).", Field("paid", to_flag)),
                Column("deleted", "UInt8", "1 when the ticket was cancelled (`deleted`).", Field("deleted", to_flag)),
            ),
            business_key=("ticket_id",),
            paged=False,
            fanout=FANOUT_ANY_SHOW,
            body={"filter": {}},
        ),
        CatalogEntry(
            name="partner_events",
            api="partners",
            description="Partners API events/lists: one row per event-show open to partner sales, with "
            "last_update_hash.",
            endpoint="events/lists",
            refresh=DIMENSIONS_JOB,
            max_lag=timedelta(hours=6),
            columns=(
                Column("event_id", "UInt64", "The event (`event_id`).", Field("event_id", to_uint)),
                Column("show_id", "UInt64", "The show (`show_id`).", Field("show_id", to_uint)),
                Column(
                    "last_update_hash",
                    "String",
                    "Changes when the show's seats or quotas change (`last_update_hash`).",
                    Field("last_update_hash", to_text),
                ),
            ),
            business_key=("event_id", "show_id"),
            paged=False,
        ),
    ]
}


def staging_tables() -> list[str]:
    return [entry.table for entry in CATALOG.values()]
