"""The automation sensor's conditions, evaluated by Dagster itself on an ephemeral instance: a staging load makes
the dbt models that read it due, even though the webhook table (written outside Dagster, never materialized) is
one of stg_qtickets__orders' upstreams. The daemon-driven version is tests/deploy/test_production_stack.py."""

from __future__ import annotations

from dagster import AssetMaterialization, DagsterInstance, evaluate_automation_conditions


def requested(result) -> set[str]:
    return {r.key.to_user_string() for r in result.results if r.true_subset.size}


def test_an_orders_load_makes_the_orders_models_due_without_any_webhook():
    from qtickets_assets.definitions import defs

    with DagsterInstance.ephemeral() as instance:
        first = evaluate_automation_conditions(defs=defs, instance=instance)
        assert requested(first) == set()  # nothing loaded yet: every model waits for its staging table
        instance.report_runless_asset_event(AssetMaterialization("stg_qtickets_api_orders_raw"))
        second = evaluate_automation_conditions(defs=defs, instance=instance, cursor=first.cursor)
        assert {"stg_qtickets__orders", "stg_qtickets__baskets"} <= requested(second)
        assert "fact_qtickets_sales_daily" not in requested(second)  # months follow the sales-months sensor
