"""The production topology for tests/deploy: PostgreSQL instance storage, the gRPC code server, dagster-daemon and
dagster-webserver, started once for the package by the same code as `make prod` (qtickets_assets/local/
production.py), against the sandbox and the embedded ClickHouse; and `Ops`, which drives it the way an operator
does: through the webserver's GraphQL API (start a schedule, launch a run or a backfill) while the daemon ticks.

The orders schedule ticks every minute here (QTICKETS_ORDERS_CRON), so the tests wait on minute boundaries; run
monitoring polls every 5 s instead of 30 s. Nothing else differs from deploy/dagster.yaml.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from qtickets_assets.local.clickhouse_server import free_port
from qtickets_assets.local.production import ProductionStack, graphql
from tests.conftest import new_database
from tests.facts_oracle import TZ_NAME, assert_same, expected_sales, fact_sales

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "deploy"
REPO = {"repositoryName": "__repository__", "repositoryLocationName": "qtickets"}
ORDERS_SCHEDULE = "orders_and_sales_schedule"
ORDERS_JOB = "orders_and_sales_job"
ORDERS_DEADLINE = "900"  # QTICKETS_ORDERS_MAX_RUNTIME here: every scheduled run must carry it
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

# --- GraphQL, as the UI uses it --------------------------------------------------------------------------------
LAUNCH = """mutation($p: ExecutionParams!) { launchRun(executionParams: $p) { __typename
  ... on LaunchRunSuccess { run { runId } } ... on PythonError { message }
  ... on RunConfigValidationInvalid { errors { message } } ... on InvalidSubsetError { message } } }"""
RUN = """query($id: ID!) { runOrError(runId: $id) { __typename ... on Run { runId status jobName
  tags { key value } stepStats { stepKey status startTime endTime }
  eventConnection { events { __typename ... on MessageEvent { message }
    ... on ExecutionStepFailureEvent { error { message } } ... on RunFailureEvent { pipelineFailureError: error { message } }
    ... on EngineEvent { engineError: error { message cause { message } } } } } } } }"""
RUNS = """query($f: RunsFilter) { runsOrError(filter: $f) { ... on Runs { results { runId status jobName
  creationTime startTime endTime tags { key value } } } } }"""
BACKFILL = """mutation($p: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $p) { __typename
  ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message } ... on InvalidSubsetError { message }
  ... on PartitionKeysNotFoundError { message } } }"""
BACKFILL_STATUS = """query($id: String!) { partitionBackfillOrError(backfillId: $id) { __typename
  ... on PartitionBackfill { id status numPartitions runs(limit: 50) { runId status }
    assetBackfillData { assetBackfillStatuses { ... on AssetPartitionsStatusCounts { assetKey { path }
      numPartitionsTargeted numPartitionsMaterialized numPartitionsFailed } } } } } }"""
SALES_SENSOR = "qtickets_sales_months_sensor"
FINISHED = ("SUCCESS", "FAILURE", "CANCELED")
START_SCHEDULE = """mutation($s: ScheduleSelector!) { startSchedule(scheduleSelector: $s) { __typename
  ... on ScheduleStateResult { scheduleState { id status } } ... on PythonError { message } } }"""
SCHEDULE = """query($s: ScheduleSelector!) { scheduleOrError(scheduleSelector: $s) { ... on Schedule {
  cronSchedule scheduleState { id status ticks(limit: 20) { status timestamp runIds error { message } } } } } }"""
STOP_SCHEDULE = """mutation($id: String!) { stopRunningSchedule(id: $id) { __typename
  ... on ScheduleStateResult { scheduleState { status } } ... on PythonError { message } } }"""
START_SENSOR = """mutation($s: SensorSelector!) { startSensor(sensorSelector: $s) { __typename
  ... on Sensor { sensorState { status } } ... on PythonError { message } } }"""
SENSOR = """query($s: SensorSelector!) { sensorOrError(sensorSelector: $s) { ... on Sensor { sensorState { id status
  typeSpecificData { ... on SensorData { lastCursor } } ticks(limit: 20) { status timestamp runIds cursor } } } } }"""
STOP_SENSOR = """mutation($id: String!) { stopSensor(id: $id) { __typename
  ... on StopSensorMutationResult { instigationState { status } } ... on PythonError { message } } }"""


def _postgres_available() -> bool:
    from qtickets_assets.local.postgres import PostgresError, find_binaries

    try:
        find_binaries()
        return True
    except PostgresError:
        return False


POSTGRES = _postgres_available()
if not POSTGRES and os.environ.get("QTICKETS_REQUIRE_POSTGRES") == "1":
    raise RuntimeError("QTICKETS_REQUIRE_POSTGRES=1 but PostgreSQL is not installed (apt-get install postgresql)")
# The tests of this package: `pytestmark = DEPLOY_MARKS` (they skip where PostgreSQL is missing; CI fails instead).
DEPLOY_MARKS = [
    pytest.mark.deploy,
    pytest.mark.slow,
    pytest.mark.timeout(600),
    pytest.mark.skipif(not POSTGRES, reason="PostgreSQL server binaries are not installed"),
]


class Ops:
    """What an operator does, through GraphQL."""

    def __init__(self, port: int):
        self.port = port

    def q(self, query: str, **variables) -> dict:
        return graphql(self.port, query, variables, timeout=30)

    def launch(self, job: str, tags: dict[str, str] | None = None, assets: list[str] | None = None) -> str:
        selector = {**REPO, "jobName": job}
        if assets:
            selector["assetSelection"] = [{"path": [a]} for a in assets]
        params = {
            "selector": selector,
            "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in (tags or {}).items()]},
        }
        answer = self.q(LAUNCH, p=params)["launchRun"]
        assert answer["__typename"] == "LaunchRunSuccess", answer
        return answer["run"]["runId"]

    def run(self, run_id: str) -> dict:
        return self.q(RUN, id=run_id)["runOrError"]

    def wait_run(self, run_id: str, statuses=("SUCCESS", "FAILURE", "CANCELED"), timeout: float = 300) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.run(run_id)
            if run["status"] in statuses:
                return run
            time.sleep(2)
        raise AssertionError(f"run {run_id} is {self.run(run_id)['status']} after {timeout:.0f} s")

    def runs(self, **flt) -> list[dict]:
        return self.q(RUNS, f=flt)["runsOrError"]["results"]

    def schedule(self, name: str = ORDERS_SCHEDULE) -> dict:
        return self.q(SCHEDULE, s={**REPO, "scheduleName": name})["scheduleOrError"]

    def start_schedule(self, name: str = ORDERS_SCHEDULE) -> None:
        answer = self.q(START_SCHEDULE, s={**REPO, "scheduleName": name})["startSchedule"]
        assert answer["__typename"] == "ScheduleStateResult", answer

    def stop_schedule(self, name: str = ORDERS_SCHEDULE) -> None:
        state = self.schedule(name)["scheduleState"]
        if state["status"] == "RUNNING":
            self.q(STOP_SCHEDULE, id=state["id"])

    def sensor(self, name: str) -> dict:
        return self.q(SENSOR, s={**REPO, "sensorName": name})["sensorOrError"]["sensorState"]

    def start_sensor(self, name: str) -> None:
        answer = self.q(START_SENSOR, s={**REPO, "sensorName": name})["startSensor"]
        assert answer["__typename"] == "Sensor", answer

    def stop_sensor(self, name: str) -> None:
        state = self.sensor(name)
        if state["status"] == "RUNNING":
            self.q(STOP_SENSOR, id=state["id"])

    def wait_sales_rebuild(self, after: float, timeout: float = 240) -> list[dict]:
        """The runs qtickets_sales_months_sensor launched after `after` (epoch s), once they all finished."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            runs = [
                r
                for r in self.runs(tags=[{"key": "dagster/sensor_name", "value": SALES_SENSOR}])
                if (r["creationTime"] or 0) > after
            ]
            if runs and all(r["status"] in FINISHED for r in runs):
                return [self.run(r["runId"]) for r in runs]
            time.sleep(3)
        raise AssertionError(f"{SALES_SENSOR} launched no finished run after {after} within {timeout:.0f} s")

    def backfill(self, assets: list[str], start: str, end: str, timeout: float = 300) -> dict:
        """A partition backfill through Dagster's backfill machinery (the daemon), as the UI launches it."""
        params = {
            "partitionsByAssets": [
                {"assetKey": {"path": [a]}, "partitions": {"range": {"start": start, "end": end}}} for a in assets
            ],
            "title": f"test backfill {start}..{end}",
        }
        answer = self.q(BACKFILL, p=params)["launchPartitionBackfill"]
        assert answer["__typename"] == "LaunchBackfillSuccess", answer
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.q(BACKFILL_STATUS, id=answer["backfillId"])["partitionBackfillOrError"]
            if state["status"] not in ("REQUESTED", "CANCELING"):
                return state
            time.sleep(3)
        raise AssertionError(f"backfill {answer['backfillId']} still running after {timeout:.0f} s")

    def schedule_ticks(self) -> list[tuple[float, str]]:
        """(scheduled time, run id) of every tick of the orders schedule that launched a run, oldest first."""
        ticks = self.schedule()["scheduleState"]["ticks"]
        return sorted((t["timestamp"], run_id) for t in ticks for run_id in t["runIds"])

    def wait_scheduled_run_after(self, after: float, timeout: float = 200) -> dict:
        """The run of the first orders tick scheduled later than `after` (epoch s), once it finished."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for scheduled, run_id in self.schedule_ticks():
                if scheduled > after:
                    run = self.wait_run(run_id, timeout=max(10, deadline - time.monotonic()))
                    run["scheduled"] = scheduled
                    return run
            time.sleep(2)
        raise AssertionError(f"no orders tick after {after} launched a run within {timeout:.0f} s")


def run_tags(run: dict) -> dict[str, str]:
    return {t["key"]: t["value"] for t in run["tags"]}


def stored_tags(stack: ProductionStack, run_id: str) -> dict[str, str]:
    """A run's tags as the instance stores them (GraphQL hides Dagster's internal ones), read from PostgreSQL."""
    from dagster import DagsterInstance

    saved = dict(os.environ)
    os.environ.update({k: v for k, v in stack.env.items() if k.startswith("DAGSTER_PG_")})
    try:
        with DagsterInstance.from_config(str(stack.home)) as instance:
            return dict(instance.get_run_by_id(run_id).tags)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def why(run: dict) -> str:
    """The failure messages of a run, for assertion messages."""
    lines = []
    for event in run.get("eventConnection", {}).get("events", []):
        error = event.get("error") or event.get("pipelineFailureError") or event.get("engineError")
        if error and (error.get("cause") or {}).get("message"):
            error = {"message": f"{error['message']} (cause: {error['cause']['message']})"}
        if error or event["__typename"] in ("ExecutionStepFailureEvent", "RunFailureEvent", "EngineEvent"):
            lines.append(f"{event['__typename']}: {(error or {}).get('message') or event.get('message')}"[:600])
    return f"run {run.get('runId')} {run.get('status')}: " + " | ".join(lines[-6:])


def event_types(run: dict) -> list[str]:
    return [e["__typename"] for e in run["eventConnection"]["events"]]


@pytest.fixture(scope="package")
def prod(clickhouse_server):
    """The topology, on free ports, with its state in a fresh folder (PostgreSQL must be able to enter it when it
    runs as the `postgres` user, so not under pytest's private tmp folder)."""
    from qtickets_sandbox.testing import SandboxServer

    root = Path(tempfile.mkdtemp(prefix="qtickets_prod_", dir="/tmp"))
    root.chmod(0o755)
    database = new_database(clickhouse_server, "prod")
    with SandboxServer(orders=300, seed=7) as sandbox, contextlib.ExitStack() as stack:
        env = {
            **os.environ,
            **clickhouse_server.env(),
            "CLICKHOUSE_DATABASE": database.database,
            "QTICKETS_BASE_URL": sandbox.rest_url,
            "QTICKETS_PARTNERS_BASE_URL": sandbox.partners_url,
            "QTICKETS_TOKEN": sandbox.token,
            "QTICKETS_PARTNERS_TOKEN": sandbox.partners_token,
            "QTICKETS_TIMEZONE": TZ_NAME,
            "QTICKETS_ORDERS_CRON": "* * * * *",
            "QTICKETS_ORDERS_MAX_RUNTIME": ORDERS_DEADLINE,
        }
        for key in ("DAGSTER_PG_HOST", "DAGSTER_HOME"):
            env.pop(key, None)
        import yaml

        monitoring = yaml.safe_load((Path(__file__).resolve().parents[2] / "deploy" / "dagster.yaml").read_text())
        monitoring = {**monitoring["run_monitoring"], "poll_interval_seconds": 5}
        stack_obj = ProductionStack(
            port=free_port(),
            grpc_port=free_port(),
            pg_port=free_port(),
            root=root,
            base_env=env,
            instance_overrides={"run_monitoring": monitoring},
            log=lambda line: print(line, flush=True),
        )
        stack_obj.start(stack)
        ops = Ops(stack_obj.port)
        graphql(stack_obj.port, "mutation { setNuxSeen }")
        # Events and the other dimensions first: the sales facts name each event.
        run = ops.wait_run(ops.launch("dimensions_job"), timeout=300)
        assert run["status"] == "SUCCESS", why(run)
        yield {"stack": stack_obj, "ops": ops, "sandbox": sandbox, "clickhouse": database}
    shutil.rmtree(root, ignore_errors=True)


def paid_orders(prod) -> int:
    return sum(1 for o in prod["sandbox"].export("orders") if o.get("payed_at"))


def facts_match(prod) -> int:
    """fact_qtickets_sales_daily equals the recomputation from the sandbox, row by row; returns the row count."""
    sandbox, client = prod["sandbox"], prod["clickhouse"].get_client()
    try:
        expected = expected_sales(sandbox.export("orders"), sandbox.export("events"))
        assert_same(fact_sales(client), expected, "fact_qtickets_sales_daily")
        return len(expected)
    finally:
        client.close()


def screenshot(prod, path: str, name: str, texts: list[str]) -> None:
    """Open a page in headless Chromium, wait until it shows `texts`, save it under tests/artifacts/deploy/."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("QTICKETS_REQUIRE_BROWSER") == "1":  # CI: the screenshot is part of the proof
            pytest.fail(f"QTICKETS_REQUIRE_BROWSER=1 but there is no chromium at {CHROMIUM}")
        print(f"chromium is not installed: no screenshot of {path}")
        return
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1500, "height": 900})
        page.goto(f"http://127.0.0.1:{prod['stack'].port}{path}")
        for text in texts:
            page.get_by_text(text).first.wait_for(timeout=60000)
        page.wait_for_timeout(1500)  # let the remaining rows render
        page.screenshot(path=str(ARTIFACTS / name), full_page=True)
        browser.close()
