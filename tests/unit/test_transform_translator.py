"""How dbt resources map to Dagster: models keyed by bare name in group "transform", sources on the ingestion
assets' keys (from meta.dagster.asset_key), dbt tests as asset checks."""

import pytest
from dagster import AssetKey

from qtickets_assets.qtickets.ingest.catalog import CATALOG
from qtickets_assets.transform.project import DBT_PROJECT, prepare_manifest
from qtickets_assets.transform.translator import QTicketsDbtTranslator

RESOURCES = list(CATALOG)


def test_model_key_is_the_bare_name_and_group_transform():
    props = {
        "resource_type": "model",
        "name": "fact_qtickets_sales_daily",
        "fqn": ["qtickets", "marts", "x"],
        "config": {},
        "meta": {},
    }
    translator = QTicketsDbtTranslator()
    assert translator.get_asset_key(props) == AssetKey("fact_qtickets_sales_daily")
    assert translator.get_group_name(props) == "transform"


def test_source_keeps_its_meta_asset_key():
    props = {
        "resource_type": "source",
        "name": "stg_qtickets_api_orders_raw",
        "source_name": "qtickets_api",
        "fqn": ["qtickets", "staging", "qtickets_api", "stg_qtickets_api_orders_raw"],
        "config": {},
        "meta": {"dagster": {"asset_key": ["stg_qtickets_api_orders_raw"]}},
    }
    assert QTicketsDbtTranslator().get_asset_key(props) == AssetKey("stg_qtickets_api_orders_raw")


class _Both:
    """The two dbt definitions (unpartitioned models, partitioned sales facts) seen as one project."""

    def __init__(self, definitions):
        self.specs = [spec for d in definitions for spec in d.specs]
        self.check_specs = [spec for d in definitions for spec in d.check_specs]


@pytest.fixture(scope="module")
def dbt_assets():
    prepare_manifest()  # dbt parse: offline, no database
    from qtickets_assets.transform.assets import DBT_ASSETS

    return _Both(DBT_ASSETS)


def test_project_lineage_from_every_api_resource(dbt_assets):
    specs = {spec.key: spec for spec in dbt_assets.specs}
    marts = [
        "fact_qtickets_sales_daily",
        "fact_qtickets_sales_utm_daily",
        "fact_qtickets_inventory_latest",
        "dim_qtickets_events",
        "dim_qtickets_shows",
    ]
    for name in marts:
        spec = specs[AssetKey(name)]
        assert spec.group_name == "transform"
        assert set(spec.kinds) >= {"dbt", "clickhouse"}
        # The partitioned facts follow the months each load touched (sales_months_sensor), not eager.
        partitioned = name in ("fact_qtickets_sales_daily", "fact_qtickets_sales_utm_daily")
        assert (spec.automation_condition is None) == partitioned, name
        assert (spec.partitions_def is not None) == partitioned, name
    upstream = {dep.asset_key for spec in specs.values() for dep in spec.deps}
    used = {AssetKey(CATALOG[r].table) for r in RESOURCES}
    assert used <= upstream
    assert all(len(key.path) == 1 for key in specs)
    assert DBT_PROJECT.manifest_path.exists()


def test_dbt_tests_are_asset_checks(dbt_assets):
    checks = {(c.asset_key, c.name) for c in dbt_assets.check_specs}
    assert (
        AssetKey("fact_qtickets_sales_daily"),
        "unique_combination_fact_qtickets_sales_daily_sales_date__event_id__show_id",
    ) in checks
    assert (AssetKey("fact_qtickets_sales_daily"), "assert_sales_revenue_matches_staging") in checks
    assert (AssetKey("fact_qtickets_inventory_latest"), "unique_fact_qtickets_inventory_latest_show_id") in checks


def test_every_dbt_test_has_a_description_in_the_ui(dbt_assets):
    """dagster-dbt reads check descriptions from a test's meta only; the translator describes every test."""
    specs = list(dbt_assets.check_specs)
    assert len(specs) > 50
    assert [s.name for s in specs if not s.description] == []
    described = {s.name: s.description for s in specs}
    assert described["not_null_fact_qtickets_sales_daily_sales_date"] == "sales_date is never null."
    assert described["assert_sales_revenue_matches_staging"].startswith("Tickets sold and revenue")
