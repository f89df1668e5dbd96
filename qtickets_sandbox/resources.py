"""Registry of the REST list resources: where their records live, default page size, filterable columns,
how one record renders (dict for filters and payload modes, cached bytes for speed)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from qtickets_sandbox import payload_modes, query
from qtickets_sandbox.jsonio import dumps
from qtickets_sandbox.render_catalog import discount_dict, event_dict, promo_dict
from qtickets_sandbox.render_orders import (
    BASKET_COLUMNS,
    BASKET_KEYS,
    CLIENT_COLUMNS,
    CLIENT_KEYS,
    ORDER_COLUMNS,
    ORDER_KEYS,
    basket_dict,
    client_dict,
    order_bytes,
    order_dict,
)

EVENT_KEYS = [
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
]
DISCOUNT_KEYS = [
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
]
PROMO_KEYS = [
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
]
ID_ONLY = {"id": ("int", lambda r: r.id)}


@dataclass
class ListSpec:
    records: Callable  # store -> list of records in default order
    per_page: int  # observed default page size
    columns: dict  # fast where/orderBy getters
    keys: list  # top-level fields (valid first segment of a where column)
    render: Callable  # record -> dict
    mode_resource: str  # payload-mode resource name
    name: str  # resource name in RESOURCE_NOT_FOUND
    fast_bytes: Callable = None


def _basket_render(b):
    return basket_dict(b, with_order_id=True)


SPECS = {
    "orders": ListSpec(lambda s: s.orders, 50, ORDER_COLUMNS, ORDER_KEYS, order_dict, "orders", "Order", order_bytes),
    "clients": ListSpec(lambda s: s.clients, 100, CLIENT_COLUMNS, CLIENT_KEYS, client_dict, "clients", "Client"),
    "events": ListSpec(lambda s: s.events, 10, ID_ONLY, EVENT_KEYS, event_dict, "events", "Event"),
    "discounts": ListSpec(lambda s: s.discounts, 100, ID_ONLY, DISCOUNT_KEYS, discount_dict, "discounts", "Discount"),
    "promo-codes": ListSpec(lambda s: s.promos, 500, ID_ONLY, PROMO_KEYS, promo_dict, "promo_codes", "PromoCode"),
    "baskets": ListSpec(lambda s: s.baskets, 100, BASKET_COLUMNS, BASKET_KEYS, _basket_render, "baskets", "Basket"),
}


def record_bytes(store, spec: ListSpec, record) -> bytes:
    cfg = store.payload_modes.get(spec.mode_resource)
    if cfg is None:
        return spec.fast_bytes(record) if spec.fast_bytes else dumps(spec.render(record))
    return dumps(payload_modes.apply(cfg, spec.render(record), record.id))


def record_obj(store, spec: ListSpec, record):
    """The rendered object after payload modes (for /__sandbox/export)."""
    return payload_modes.apply(store.payload_modes.get(spec.mode_resource), spec.render(record), record.id)


def select_records(store, resource: str, where, order_by) -> list:
    """Filtered and sorted records, cached per (resource, where, orderBy, state version)."""
    spec = SPECS[resource]
    key = (resource, json.dumps(where, sort_keys=True, default=str), json.dumps(order_by, sort_keys=True, default=str))

    def compute():
        pred = query.compile_where(where, spec.columns, spec.keys, spec.render)
        records = spec.records(store)
        if pred is not None:
            records = [r for r in records if pred(r)]
        return query.sort_records(records, order_by, spec.columns, spec.keys, spec.render)

    return store.cached_query(key, compute)
