"""Every staging resource the quality checks cover, by resource name (the `<r>` of stg_qtickets_api_<r>_raw)."""

from __future__ import annotations

from qtickets_assets.quality.models_catalog import DISCOUNTS, EVENTS, PRICE_SHADES, PROMO_CODES
from qtickets_assets.quality.models_inventory import BARCODES, INVENTORY
from qtickets_assets.quality.models_partners import PARTNER_EVENTS, PARTNER_TICKETS
from qtickets_assets.quality.models_sales import CLIENTS, ORDERS
from qtickets_assets.quality.spec import ResourceQuality

RESOURCES: dict[str, ResourceQuality] = {
    rq.resource: rq
    for rq in (
        EVENTS, ORDERS, CLIENTS, INVENTORY, PRICE_SHADES, DISCOUNTS, PROMO_CODES, BARCODES,
        PARTNER_TICKETS, PARTNER_EVENTS,
    )
}


def staging_asset_name(resource: str) -> str:
    return f"stg_qtickets_api_{resource}_raw"
