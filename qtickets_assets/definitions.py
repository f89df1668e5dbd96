"""The code location: assembles Definitions from the parts; nothing else lives here."""
from __future__ import annotations

from dagster import Definitions

from qtickets_assets.resources import all_resources

defs = Definitions(
    resources=all_resources(),
)
