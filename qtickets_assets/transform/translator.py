"""How dbt resources appear in Dagster: models keyed by their bare name in group "transform"; sources keep the
keys of the ingestion assets they read (meta.dagster.asset_key in __sources.yml), so the lineage runs from each
API resource through staging to the marts."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster import AssetKey, AutomationCondition
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

TRANSFORM_GROUP = "transform"
_OWN_RESOURCE_TYPES = {"model", "seed", "snapshot"}


class QTicketsDbtTranslator(DagsterDbtTranslator):
    def __init__(self, settings: DagsterDbtTranslatorSettings | None = None):
        # dbt tests become Dagster asset checks (the default, stated here so it cannot silently change).
        super().__init__(settings=settings or DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        # get_asset_key is called for sources too: only models/seeds/snapshots get the bare-name key.
        if dbt_resource_props["resource_type"] in _OWN_RESOURCE_TYPES:
            return AssetKey(dbt_resource_props["name"])
        return super().get_asset_key(dbt_resource_props)

    def get_automation_condition(self, dbt_resource_props: Mapping[str, Any]) -> AutomationCondition | None:
        # Models refresh after their upstream staging assets update (evaluated only while the automation sensor
        # runs; it starts stopped). Sources are the ingestion assets' own business.
        if dbt_resource_props["resource_type"] in _OWN_RESOURCE_TYPES:
            return AutomationCondition.eager()
        return super().get_automation_condition(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] in _OWN_RESOURCE_TYPES:
            return TRANSFORM_GROUP
        return super().get_group_name(dbt_resource_props)

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str] | None:
        # `meta.owner` in a model's yml wins; otherwise the platform team owns the model.
        owner = (dbt_resource_props.get("meta") or {}).get("owner")
        return [owner] if owner else ["team:data-platform"]
