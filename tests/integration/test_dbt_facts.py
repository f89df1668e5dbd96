"""End to end: sandbox API -> Dagster staging assets -> dbt facts, checked row by row against the sandbox's own data.

The truth is recomputed independently of the SQL, from `sandbox.export(...)` with Decimal money and zoneinfo
dates, following docs/fact_semantics.md (tests/facts_oracle.py). Every row of fact_qtickets_sales_daily and
fact_qtickets_inventory_latest must match, to the kopeck; after `sandbox.advance(120)` (new orders, payments,
refunds) an incremental re-run must match the new truth with nothing doubled.
"""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal

import pytest
from dagster import materialize

from qtickets_assets.clickhouse.resource import ClickHouseResource
from qtickets_assets.local.clickhouse_server import EmbeddedClickHouse
from qtickets_assets.qtickets.ingest.assets import STAGING_ASSETS
from qtickets_assets.resources import resources_for
from qtickets_assets.transform.project import prepare_manifest
from qtickets_sandbox.testing import SandboxServer
from tests.facts_oracle import (
    TZ_NAME,
    InventoryOracle,
    assert_same,
    expected_sales,
    fact_inventory,
    fact_sales,
    loaded_shows,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    prepare_manifest()
    with (
        SandboxServer(orders=2000, seed=42) as sandbox,
        EmbeddedClickHouse(path=tmp_path_factory.mktemp("ch"), http_port=0, tcp_port=0) as ch,
    ):
        saved = dict(os.environ)
        # dbt reads its connection from the environment (profiles.yml); Dagster resources get it explicitly.
        os.environ.update({**ch.env(), "QTICKETS_TIMEZONE": TZ_NAME})
        try:
            clickhouse = ClickHouseResource(host=ch.host, port=ch.http_port, database="qtickets")
            clickhouse.bootstrap()
            resources = resources_for(clickhouse, sandbox)
            yield sandbox, clickhouse.get_client(), resources
        finally:
            os.environ.clear()
            os.environ.update(saved)


def run_pipeline(resources) -> None:
    from qtickets_assets.transform.assets import DBT_ASSETS
    from qtickets_assets.transform.partitions import all_months_tags

    result = materialize(
        [*STAGING_ASSETS, *DBT_ASSETS], resources=resources, raise_on_error=False, tags=all_months_tags()
    )
    failed_checks = [c.check_name for c in result.get_asset_check_evaluations() if not c.passed]
    assert result.success, "pipeline run failed"
    assert not failed_checks, failed_checks


def check_facts(sandbox, client, inventory: InventoryOracle | None = None) -> tuple[int, Decimal]:
    """The facts against the recomputation. `inventory` remembers earlier snapshots; without one, every show
    snapshotted is assumed to have been snapshotted by the latest load (true when no show left the loader's
    scope since the first load)."""
    orders, events = sandbox.export("orders"), sandbox.export("events")
    sales = expected_sales(orders, events)
    assert_same(fact_sales(client), sales, "fact_qtickets_sales_daily")
    if inventory is None:
        inventory = InventoryOracle()
        inventory.observe(sandbox)
    assert_same(fact_inventory(client), inventory.expected(), "fact_qtickets_inventory_latest")
    # the UTM fact carries the same totals
    utm = client.query(
        "select sum(tickets_sold), sum(revenue), sum(tickets_refunded) from fact_qtickets_sales_utm_daily"
    ).result_rows[0]
    tickets = sum(v[3] for v in sales.values())
    revenue = sum((v[4] for v in sales.values()), Decimal("0"))
    assert (int(utm[0]), Decimal(utm[1]), int(utm[2])) == (tickets, revenue, sum(v[6] for v in sales.values()))
    return tickets, revenue


def test_facts_match_the_sandbox_then_stay_right_after_new_activity(platform):
    sandbox, client, resources = platform
    inventory = InventoryOracle()
    run_pipeline(resources)
    inventory.observe(sandbox)
    tickets, revenue = check_facts(sandbox, client, inventory)
    assert tickets > 0 and revenue > 0
    print(f"first load: {len(fact_sales(client))} sales rows, {tickets} tickets, revenue {revenue}")
    assert isinstance(next(iter(fact_sales(client)))[0], date)

    # Shows leave the loader's scope the ways the real API allows: a show is deactivated, an event deleted (with
    # its shows), another event deactivated. Their last snapshots must stay in the inventory fact.
    live = loaded_shows(sandbox.export("events"))
    events_with_shows = sorted({e for e, _ in live})
    gone_show, deleted_event, inactive_event = live[0][1], events_with_shows[-1], events_with_shows[-2]
    sandbox.deactivate("shows", gone_show)
    sandbox.delete("events", deleted_event)
    sandbox.deactivate("events", inactive_event)
    after = set(loaded_shows(sandbox.export("events")))
    left = set(live) - after
    assert {s for _, s in left} >= {gone_show} and {e for e, _ in left} >= {deleted_event, inactive_event}

    sandbox.advance(120)  # two hours of new orders, payments, cancellations and refunds
    run_pipeline(resources)  # incremental: staging lookback + insert_overwrite of the touched months
    inventory.observe(sandbox)
    new_tickets, new_revenue = check_facts(sandbox, client, inventory)
    assert left <= set(fact_inventory(client)), "shows out of the loader's scope lost their last snapshot"
    print(f"after advance(120): {len(fact_sales(client))} sales rows, {new_tickets} tickets, revenue {new_revenue}")
    assert (new_tickets, new_revenue) != (tickets, revenue), "advance(120) changed nothing: the test proves little"
