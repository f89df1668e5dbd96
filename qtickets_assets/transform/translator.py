"""How dbt resources appear in Dagster: models keyed by their bare name in group "transform"; sources keep the
keys of the ingestion assets they read (meta.dagster.asset_key in __sources.yml), so the lineage runs from each
API resource through staging to the marts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster import AssetCheckSpec, AssetKey, AssetSelection, AssetSpec, AutomationCondition
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

from qtickets_assets.webhooks.tables import WEBHOOKS_TABLE

from .partitions import SALES_FACTS

TRANSFORM_GROUP = "transform"
WEBHOOKS_ASSET_KEY = AssetKey(WEBHOOKS_TABLE)
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
        # runs; it starts stopped). Sources are the ingestion assets' own business. The partitioned sales facts
        # follow the months each load touched instead (transform/sales_months_sensor.py): eager would only ever
        # request their latest partition.
        if dbt_resource_props["name"] in SALES_FACTS:
            return None
        if dbt_resource_props["resource_type"] in _OWN_RESOURCE_TYPES:
            # The webhook table is written outside Dagster (observed, never materialized), so eager would call it
            # a missing dependency and never refresh stg_qtickets__orders; its deliveries have their own sensor
            # (webhooks/sensor.py), which requests the runs they need.
            return AutomationCondition.eager().ignore(AssetSelection.assets(WEBHOOKS_ASSET_KEY))
        return super().get_automation_condition(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] in _OWN_RESOURCE_TYPES:
            return TRANSFORM_GROUP
        return super().get_group_name(dbt_resource_props)

    def get_asset_check_spec(
        self, asset_spec: AssetSpec, manifest: Mapping[str, Any], unique_id: str, project
    ) -> AssetCheckSpec | None:
        # dagster-dbt reads a check's description from the test's meta only, so every generic test showed "No
        # description provided": describe it from the test itself when nobody wrote one.
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return spec._replace(description=describe_test(manifest["nodes"][unique_id]))

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str] | None:
        # `meta.owner` in a model's yml wins; otherwise the platform team owns the model.
        owner = (dbt_resource_props.get("meta") or {}).get("owner")
        return [owner] if owner else ["team:data-platform"]


def _ref_name(value: Any) -> str:
    """`ref('dim_qtickets_events')` -> dim_qtickets_events (how relationships tests name their target)."""
    text = str(value)
    return text.split("'")[1] if text.startswith("ref(") and "'" in text else text


def describe_test(test: Mapping[str, Any]) -> str:
    """One sentence saying what a dbt data test asserts: its own description (singular tests have one in
    tests/singular_tests.yml), else one built from the generic test's name and arguments."""
    if test.get("description"):
        return test["description"]
    metadata = test.get("test_metadata") or {}
    kwargs = metadata.get("kwargs") or {}
    column = test.get("column_name") or kwargs.get("column_name") or ""
    name = metadata.get("name", "")
    if name == "not_null":
        return f"{column} is never null."
    if name == "unique":
        return f"{column} is unique: no two rows share a value."
    if name == "accepted_values":
        return f"{column} only takes the values {', '.join(str(v) for v in kwargs.get('values', []))}."
    if name == "relationships":
        return f"Every {column} exists in {_ref_name(kwargs.get('to'))}.{kwargs.get('field')}."
    if name == "non_negative":
        return f"{column} is never negative."
    if name == "unique_combination":
        return f"One row per ({', '.join(kwargs.get('columns') or [])}): the model's grain."
    return f"dbt test {name or test.get('name')} on {column or 'the model'}."
