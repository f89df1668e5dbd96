"""Fixtures of the reliability suite (the session ClickHouse server comes from tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def dbt_assets():
    """The real dbt assets (the unpartitioned models and the monthly sales facts); `dbt parse` first so the
    manifest matches the checkout (offline, ~3 s)."""
    from qtickets_assets.transform.project import prepare_manifest

    prepare_manifest()
    from qtickets_assets.transform.assets import DBT_ASSETS

    facts = {"fact_qtickets_sales_daily", "fact_qtickets_inventory_latest"}
    assert facts <= {key.path[-1] for d in DBT_ASSETS for key in d.keys}  # an empty selection would pass vacuously
    return DBT_ASSETS


@pytest.fixture(scope="session")
def dbt():
    from qtickets_assets.transform.project import dbt_resource

    return dbt_resource()
