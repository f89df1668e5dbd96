"""The production topology with real processes (tests/deploy/conftest.py starts it): the daemon ticking the orders
schedule, the sensors, the run queue, pools and run monitoring, all driven through the webserver's GraphQL API."""

from __future__ import annotations

import os
import re
import signal
import time

from dagster._core.storage.tags import GRPC_INFO_TAG

from qtickets_assets.local.production import daemon_statuses
from tests.deploy.conftest import (
    DEPLOY_MARKS,
    ORDERS_DEADLINE,
    ORDERS_JOB,
    ORDERS_SCHEDULE,
    event_types,
    facts_match,
    paid_orders,
    run_tags,
    screenshot,
    stored_tags,
    why,
)

pytestmark = DEPLOY_MARKS


def test_every_daemon_is_healthy_and_the_pages_show_it(prod):
    statuses = daemon_statuses(prod["stack"].port)
    required = {s["daemonType"]: s["healthy"] for s in statuses if s["required"]}
    assert {"SCHEDULER", "SENSOR", "QUEUED_RUN_COORDINATOR", "MONITORING", "BACKFILL", "ASSET"} <= set(required)
    assert all(required.values()), required
    screenshot(prod, "/deployment/daemons", "daemons.png", ["Run queue", "Monitoring", "Scheduler"])


def test_orders_schedule_ticks_through_the_queue_and_survives_a_daemon_restart(prod):
    ops, stack, sandbox = prod["ops"], prod["stack"], prod["sandbox"]
    failures_cursor = ops.sensor("record_run_failures")["typeSpecificData"]["lastCursor"]
    started = time.time()
    ops.start_schedule()
    try:  # stopped whatever happens: a schedule left ticking every minute would flood the later tests' queue
        first = ops.wait_scheduled_run_after(started - 60)
        assert first["status"] == "SUCCESS", why(first)
        paid_before = paid_orders(prod)

        sandbox.advance(60)  # new orders, payments and refunds between the ticks
        assert paid_orders(prod) > paid_before
        stack.restart_daemon()  # schedule state and cursors live in PostgreSQL, not in the daemon
        second = ops.wait_scheduled_run_after(first["scheduled"])
        assert second["status"] == "SUCCESS", why(second)
    finally:
        ops.stop_schedule()
    screenshot(prod, "/automation", "schedules.png", [ORDERS_SCHEDULE, "Every minute"])
    rebuilt = ops.wait_sales_rebuild(second["scheduled"])  # the months the load touched, as partitions
    assert all(r["status"] == "SUCCESS" for r in rebuilt), [why(r) for r in rebuilt]

    for run in (first, second):
        tags, events = run_tags(run), event_types(run)
        assert "RunEnqueuedEvent" in events and "RunStartingEvent" in events, " ".join(
            sorted(set(events))
        )  # queued, then launched
        assert GRPC_INFO_TAG in stored_tags(stack, run["runId"]), tags  # launched on the code server
        assert tags["dagster/max_runtime"] == ORDERS_DEADLINE  # the deadline setting
    # Every tick once: the scheduled times are consecutive minutes, none doubled (a tick missed while the daemon
    # restarted is caught up, as Dagster documents), and each run belongs to exactly one tick.
    ticks = ops.schedule()["scheduleState"]["ticks"]
    assert all(len(t["runIds"]) <= 1 for t in ticks), ticks
    times = [scheduled for scheduled, _ in ops.schedule_ticks()]
    assert len(times) == len(set(times)), times
    assert all(b - a == 60 for a, b in zip(times, times[1:])), times
    scheduled_runs = ops.runs(
        pipelineName=ORDERS_JOB, tags=[{"key": "dagster/schedule_name", "value": ORDERS_SCHEDULE}]
    )
    assert len(scheduled_runs) == len(times), (scheduled_runs, times)
    assert ops.schedule()["scheduleState"]["status"] == "STOPPED"
    # The run-failure sensor's cursor survived the restart (kept in PostgreSQL).
    assert ops.sensor("record_run_failures")["typeSpecificData"]["lastCursor"] >= (failures_cursor or "")
    rows = facts_match(prod)  # the facts include the new orders, row by row
    print(f"two ticks ({len(times)} scheduled runs), {rows} sales rows equal the recomputation")


def test_automation_sensor_refreshes_the_facts_after_a_staging_load(prod):
    ops, sandbox = prod["ops"], prod["sandbox"]
    name = "qtickets_automation_sensor"
    ops.start_sensor(name)
    try:
        deadline = time.monotonic() + 120
        while not ops.sensor(name)["ticks"] and time.monotonic() < deadline:
            time.sleep(3)  # the first evaluation records the state the next ones compare with
        sandbox.advance(30)
        loaded_at = time.time()
        loaded = ops.wait_run(ops.launch("__ASSET_JOB", assets=["stg_qtickets_api_orders_raw"]))
        assert loaded["status"] == "SUCCESS", why(loaded)
        deadline = time.monotonic() + 300
        refresh = None
        while refresh is None and time.monotonic() < deadline:
            for run_id in (rid for tick in ops.sensor(name)["ticks"] for rid in tick["runIds"]):
                run = ops.run(run_id)
                if any(s["stepKey"].startswith("qtickets_dbt") for s in run["stepStats"]) or run["status"] != "SUCCESS":
                    refresh = ops.wait_run(run_id)
                    break
            time.sleep(3)
    finally:
        ops.stop_sensor(name)
    assert refresh is not None, "the automation sensor requested no run after the staging load"
    assert refresh["status"] == "SUCCESS", why(refresh)
    # The staging models the facts read are rebuilt: the sales-months sensor now rebuilds the months it touched.
    rebuilt = ops.wait_sales_rebuild(loaded_at)
    assert all(r["status"] == "SUCCESS" for r in rebuilt), [why(r) for r in rebuilt]
    facts_match(prod)


def test_two_runs_launched_together_take_turns_on_the_api_pool(prod):
    ops = prod["ops"]
    ids = [ops.launch(ORDERS_JOB), ops.launch("inventory_job")]
    runs = [ops.wait_run(i) for i in ids]
    assert [r["status"] for r in runs] == ["SUCCESS", "SUCCESS"], runs
    spans = []
    for run in runs:
        (step,) = [s for s in run["stepStats"] if s["stepKey"] == "qtickets_staging"]
        spans.append((step["startTime"], step["endTime"]))
    spans.sort()
    assert spans[0][1] <= spans[1][0], f"the ingestion steps overlapped: {spans}"


def _run_worker_pids(run: dict) -> list[int]:
    """The process running this run, as the code server reported it in the run's event log ("Started process for
    run (pid: N)."): other runs (a sensor's) may have workers of their own at the same time."""
    return [
        int(m.group(1))
        for e in run["eventConnection"]["events"]
        if (m := re.search(r"Started process for run \(pid: (\d+)\)", e.get("message") or ""))
    ]


def _meta_job_runs_errors(prod, run_id: str) -> list[tuple]:
    client = prod["clickhouse"].get_client()
    try:
        return client.query(
            "SELECT asset, message FROM meta_job_runs WHERE run_id = {r:String} AND status = 'error'",
            parameters={"r": run_id},
        ).result_rows
    finally:
        client.close()


def test_a_killed_run_worker_is_recorded_by_the_failure_sensor(prod):
    ops, stack, sandbox = prod["ops"], prod["stack"], prod["sandbox"]
    sandbox.set_faults(rate=1.0, kinds=["timeout"], stall_seconds=20)  # every request hangs: the load is mid-way
    try:
        run_id = ops.launch(ORDERS_JOB)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            steps = {s["stepKey"]: s["status"] for s in ops.run(run_id)["stepStats"]}
            if steps.get("qtickets_staging") == "IN_PROGRESS":
                break
            time.sleep(1)
        workers = _run_worker_pids(ops.run(run_id))
        assert len(workers) == 1, workers
        with open(f"/proc/{workers[0]}/stat") as stat:  # never kill anything but the code server's child
            assert int(stat.read().rsplit(")", 1)[1].split()[1]) == stack.code_server.pid
        os.kill(workers[0], signal.SIGKILL)
        failed = ops.wait_run(run_id, timeout=120)
    finally:
        sandbox.set_faults(rate=0.0)
    assert failed["status"] == "FAILURE", failed
    deadline = time.monotonic() + 120
    while not _meta_job_runs_errors(prod, run_id) and time.monotonic() < deadline:
        time.sleep(3)
    rows = _meta_job_runs_errors(prod, run_id)
    assert rows and rows[0][0] == "(run)", rows
    assert "orders_and_sales_job" in rows[0][1]


def test_a_run_past_its_deadline_is_failed_by_run_monitoring(prod):
    ops, sandbox = prod["ops"], prod["sandbox"]
    sandbox.set_faults(rate=1.0, kinds=["timeout"], stall_seconds=120)
    try:
        run_id = ops.launch(ORDERS_JOB, tags={"dagster/max_runtime": "20"})  # a test-sized deadline
        failed = ops.wait_run(run_id, timeout=150)
    finally:
        sandbox.set_faults(rate=0.0)
    assert failed["status"] == "FAILURE", failed
    messages = " ".join(e.get("message") or "" for e in failed["eventConnection"]["events"])
    assert "maximum runtime" in messages, messages[-500:]


def test_the_next_tick_recovers_exactly(prod):
    ops, sandbox = prod["ops"], prod["sandbox"]
    sandbox.advance(30)
    started = time.time()
    ops.start_schedule()
    try:
        run = ops.wait_scheduled_run_after(started)
    finally:
        ops.stop_schedule()
    assert run["status"] == "SUCCESS", why(run)
    rebuilt = ops.wait_sales_rebuild(run["scheduled"])
    statuses = [(r["runId"], r["status"]) for r in rebuilt]
    assert statuses and all(status == "SUCCESS" for _, status in statuses), (statuses, [why(r) for r in rebuilt])
    facts_match(prod)  # nothing lost by the killed or the hung run, nothing doubled


def test_graphql_reports_runs_ticks_and_daemon_health(prod):
    ops = prod["ops"]
    statuses = {s["status"] for s in ops.runs(pipelineName=ORDERS_JOB)}
    assert {"SUCCESS", "FAILURE"} <= statuses
    ticks = ops.schedule()["scheduleState"]["ticks"]
    assert any(t["status"] == "SUCCESS" and t["runIds"] for t in ticks)
    assert all(s["healthy"] for s in daemon_statuses(prod["stack"].port) if s["required"])
