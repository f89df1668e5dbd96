"""API faults: 10 % of requests fail (429 with Retry-After, 503, stalls past the client timeout, TCP resets, cut
JSON) during a full load and an incremental load of ALL staging assets + dbt; both complete and the staging tables
and facts equal the sandbox's truth. With the API down for good, the run fails in bounded time with one clear
message per step, recorded in meta_job_runs. A partial load (a range backfill) never moves the incremental cursor.
"""

from __future__ import annotations

import logging
import time
import uuid

import dagster as dg
import pytest

from qtickets_assets.qtickets.ingest.assets import STEP_NAME
from qtickets_sandbox.testing import SandboxServer
from tests.reliability.harness import (
    FAULT_KINDS,
    STAGING_TABLES,
    clickhouse_env,
    clickhouse_for,
    delta,
    fault_counts,
    materialize,
    meta_rows,
    qtickets_for,
    retries_by_reason,
    staging,
    staging_failures,
    staging_metadata,
    step_failures,
)
from tests.reliability.truth import assert_staging_matches, check_facts, latest_payloads

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def platform(clickhouse_server, dbt_assets, dbt):
    database = f"rel_api_{uuid.uuid4().hex[:8]}"
    # seed 2: the sandbox's fault RNG (seeded by --seed) draws every kind within the full load's ~140 requests
    with (
        SandboxServer(orders=1500, seed=2) as sandbox,
        clickhouse_env(clickhouse_server.host, clickhouse_server.http_port, database),
    ):
        clickhouse = clickhouse_for(clickhouse_server, database)
        ch = clickhouse.get_client()
        yield sandbox, clickhouse, ch, dbt_assets, dbt
        ch.close()


def _load(platform, **client):
    sandbox, clickhouse, _, dbt_assets, dbt = platform
    resources = {"qtickets": qtickets_for(sandbox, **client), "clickhouse": clickhouse, "dbt": dbt}
    return materialize([*staging(), *dbt_assets], resources)


@pytest.mark.slow
def test_ten_percent_faults_full_then_incremental_stay_exact(platform):
    sandbox, _, ch, _, _ = platform
    # Small pages = many requests, so every fault kind shows up; a 2 s stall outlasts the 1 s client timeout.
    client = dict(page_size=50, timeout_seconds=1.0, max_retries=8, requests_per_second=50)
    sandbox.set_faults(rate=0.10, kinds=FAULT_KINDS, stall_seconds=2, retry_after=1)
    try:
        figures = {}
        for phase in ("full", "incremental"):
            if phase == "incremental":
                sandbox.advance(120)  # new orders, payments, refunds, scans: the incremental has work
            before, served = fault_counts(sandbox), sandbox.stats()["requests_served"]
            started = time.monotonic()
            result = _load(platform, **client)
            seconds = time.monotonic() - started
            assert result.success, step_failures(result)
            meta = staging_metadata(result)
            assert len(meta) == 10
            assert meta["stg_qtickets_api_orders_raw"]["mode"] == phase
            injected = delta(fault_counts(sandbox), before)
            retried = retries_by_reason(result)
            compared = assert_staging_matches(ch, sandbox)
            tickets, revenue = check_facts(sandbox, ch)
            figures[phase] = dict(
                seconds=round(seconds, 1),
                requests=sandbox.stats()["requests_served"] - served,
                faults=injected,
                retries=retried,
                rows_compared=compared,
                tickets_sold=tickets,
                revenue=str(revenue),
            )
            print(f"RELIABILITY api-faults {phase}: {figures[phase]}")
            assert sum(injected.values()) >= 5, injected
            # every injected fault was answered by a retry (a stalled read may count as a timeout on our side)
            assert sum(retried.values()) >= sum(injected.values()), (injected, retried)
        both = {
            k: figures["full"]["faults"].get(k, 0) + figures["incremental"]["faults"].get(k, 0) for k in FAULT_KINDS
        }
        assert all(both.values()), f"a fault kind never fired: {both}"
    finally:
        sandbox.set_faults(rate=0.0)


def test_api_down_fails_fast_with_one_clear_message(platform):
    sandbox, clickhouse, ch, dbt_assets, dbt = platform
    sandbox.set_faults(down=True)
    instance = dg.DagsterInstance.ephemeral()
    try:
        started = time.monotonic()
        resources = {
            "qtickets": qtickets_for(
                sandbox, max_retries=2, timeout_seconds=1.0, backoff_base_seconds=0.05, backoff_max_seconds=0.2
            ),
            "clickhouse": clickhouse,
            "dbt": dbt,
        }
        result = materialize([*staging(step_retries=False), *dbt_assets], resources, instance=instance)
        seconds = time.monotonic() - started
    finally:
        sandbox.set_faults(down=False)
    assert not result.success
    # 10 loads at once x 3 attempts, backoffs <= 0.2 s: seconds, not minutes (plus Dagster's own overhead). In
    # production an outage is also retried twice inside the step (30 s, then 60 s): a bounded, known delay.
    assert seconds < 45, f"API down took {seconds:.1f} s to fail"
    assert len(step_failures(result).get(STEP_NAME, [])) == 1  # one step failure naming every resource
    failures = staging_failures(result)
    assert set(failures) == STAGING_TABLES, failures.keys()
    for _table, message in failures.items():
        assert message.startswith("QTickets API did not answer") and "after 2 retries (last: HTTP 503)" in message
        assert "QTICKETS_BASE_URL" in message or "QTICKETS_PARTNERS_BASE_URL" in message, message
        assert "Traceback" not in message and "\n" not in message and sandbox.token not in message
    # one ERROR-level entry for the failed staging step in the whole event log (no stack-trace spam beside it);
    # Dagster adds its own: one per dbt step skipped ("Dependencies for step ... failed": the models and the
    # partitioned sales facts) and RUN_FAILURE
    errors: dict[str, int] = {}
    for entry in instance.all_logs(result.run_id):
        if entry.level >= logging.ERROR:
            errors[entry.step_key] = errors.get(entry.step_key, 0) + 1
    assert errors == {STEP_NAME: 1, "qtickets_dbt_assets": 1, "qtickets_sales_facts": 1, None: 1}, errors
    assert not {e.asset_key for e in result.get_asset_materialization_events()} & {
        key for d in dbt_assets for key in d.keys
    }
    rows = meta_rows(ch, result.run_id)
    assert set(rows) == STAGING_TABLES
    for asset, (status, message) in rows.items():
        assert status == "error" and message == failures[asset], (asset, status, message)
    sample = failures["stg_qtickets_api_orders_raw"]
    print(f"RELIABILITY api-down: failed in {seconds:.1f} s; 10/10 resources one message each, e.g. {sample!r}")


def test_a_partial_load_never_moves_the_incremental_cursor(platform, clickhouse_server):
    """Only a COMPLETE full/incremental load sets the high-water mark: after a range backfill of one created_at
    slice (the newest orders, so the slice holds the table's newest updated_at), the default incremental run
    still loads every order instead of starting from the slice's maximum."""
    sandbox = platform[0]
    clickhouse = clickhouse_for(clickhouse_server, f"rel_cursor_{uuid.uuid4().hex[:8]}")
    ch = clickhouse.get_client()
    days = sorted({o["created_at"][:10] for o in sandbox.export("orders")})
    resources = {"qtickets": qtickets_for(sandbox), "clickhouse": clickhouse}
    backfill = materialize(
        staging("orders"), resources, staging_config={"mode": "range", "created_from": days[-3], "created_to": days[-1]}
    )
    sliced = staging_metadata(backfill)["stg_qtickets_api_orders_raw"]["rows_inserted"]
    result = materialize(staging("orders"), resources)
    meta = staging_metadata(result)["stg_qtickets_api_orders_raw"]
    assert meta["mode"] == "full", meta["window"]
    assert latest_payloads(ch, "orders").keys() == {int(o["id"]) for o in sandbox.export("orders")}
    print(
        f"RELIABILITY cursor: range backfill of {sliced} orders did not move the mark; the next run loaded all "
        f"{meta['rows_inserted']}"
    )
    ch.close()
