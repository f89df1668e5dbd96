"""The pandera contracts of the staging resources, one module per family of the API reference.

`CONTRACTS` maps each catalog resource name to its contract; checks.py builds one blocking asset check per catalog
entry from it (a catalog resource without a contract fails at import, naming it).
"""

from qtickets_assets.quality.contracts.catalog import DISCOUNTS, EVENTS, PRICE_SHADES, PROMO_CODES
from qtickets_assets.quality.contracts.inventory import BARCODES, INVENTORY
from qtickets_assets.quality.contracts.partners import PARTNER_EVENTS, PARTNER_TICKETS
from qtickets_assets.quality.contracts.sales import CLIENTS, ORDERS
from qtickets_assets.quality.fields import ResourceContract

CONTRACTS: dict[str, ResourceContract] = {
    c.resource: c
    for c in (
        EVENTS,
        ORDERS,
        CLIENTS,
        INVENTORY,
        PRICE_SHADES,
        DISCOUNTS,
        PROMO_CODES,
        BARCODES,
        PARTNER_TICKETS,
        PARTNER_EVENTS,
    )
}
