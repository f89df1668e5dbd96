"""Shared helpers of the reliability suite: resources for a sandbox + ClickHouse pair, one call that materializes
the real assets, and small readers of the result (failures, staging metadata, meta_job_runs rows).

All staging resources load in one step (`qtickets_staging`, ingest/assets.py). Tests that make a load FAIL on purpose
use `staging(..., step_retries=False)`: the same step built with outage retries off (by default an API or ClickHouse
outage is retried twice inside the step, 30 s then 60 s apart, which would add ~2 minutes to each such test).
The client's own per-request retries, what these tests exercise, are untouched.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable

import dagster as dg

from qtickets_assets.clickhouse.resource import ClickHouseResource
from qtickets_assets.qtickets.client.resource import QTicketsResource
from qtickets_assets.qtickets.ingest.assets import STEP_NAME, LoadConfig, build_staging_assets
from qtickets_assets.qtickets.ingest.catalog import CATALOG
from qtickets_assets.transform.partitions import all_months_tags

STAGING_TABLES = {entry.table for entry in CATALOG.values()}
FAULT_KINDS = ["429", "503", "timeout", "reset", "truncated"]


class NoOutageRetries(LoadConfig):
    outage_retries: int = 0


def staging(*names: str, step_retries: bool = True) -> list[dg.AssetsDefinition]:
    """The staging step over the named resources (all of them when no name is given). step_retries=False: without
    the in-step outage retries (for tests that fail loads on purpose)."""
    entries = [CATALOG[n] for n in (names or CATALOG)]
    return [build_staging_assets(entries, config_class=LoadConfig if step_retries else NoOutageRetries)]


def qtickets_for(sandbox, **overrides) -> QTicketsResource:
    """The QTickets resource on the sandbox, with short backoffs (the sandbox's Retry-After still rules 429s)."""
    settings = dict(
        base_url=sandbox.rest_url,
        token=sandbox.token,
        partners_base_url=sandbox.partners_url,
        partners_token=sandbox.partners_token,
        backoff_base_seconds=0.05,
        backoff_max_seconds=0.5,
    )
    settings.update(overrides)
    return QTicketsResource(**settings)


def materialize(
    assets: Iterable, resources: dict, *, staging_config: dict | None = None, instance: dg.DagsterInstance | None = None
) -> dg.ExecuteInProcessResult:
    """Materialize the given assets (and checks) in-process, `staging_config` applied to the staging step;
    never raises on a failed run."""
    assets = list(assets)
    ops = {STEP_NAME: {"config": staging_config}} if staging_config is not None else {}
    return dg.materialize(
        assets,
        resources=resources,
        run_config={"ops": ops} if ops else None,
        raise_on_error=False,
        instance=instance,
        tags=months_tags(assets),
    )


def months_tags(assets: Iterable) -> dict[str, str] | None:
    """Every month of the partitioned sales facts when they are among `assets` (one run, single_run policy)."""
    return all_months_tags() if any(getattr(a, "partitions_def", None) for a in assets) else None


def step_failures(result) -> dict[str, list[str]]:
    """step key -> the messages of its STEP_FAILURE events: a dagster.Failure's description (what the step said),
    else the error text Dagster recorded."""
    out: dict[str, list[str]] = {}
    for event in result.all_events:
        if event.is_step_failure:
            data = event.step_failure_data
            user = data.user_failure_data
            text = user.description if user is not None and user.description else data.error.message
            out.setdefault(event.step_key, []).append(text)
    return out


def staging_failures(result) -> dict[str, str]:
    """staging table -> the one line its failed load reported (the staging step names each failed resource)."""
    out: dict[str, str] = {}
    for message in step_failures(result).get(STEP_NAME, []):
        for line in message.splitlines():
            table, sep, text = line.partition(": ")
            if sep and table in STAGING_TABLES:
                out[table] = text
    return out


def staging_metadata(result) -> dict[str, dict]:
    """staging table -> metadata values of its materialization in this run."""
    out = {}
    for event in result.get_asset_materialization_events():
        name = event.asset_key.path[-1]
        if name in STAGING_TABLES:
            out[name] = {k: v.value for k, v in event.materialization.metadata.items()}
    return out


def retries_by_reason(result) -> dict[str, int]:
    total: dict[str, int] = {}
    for meta in staging_metadata(result).values():
        for reason, n in (meta.get("retries_by_reason") or {}).items():
            total[reason] = total.get(reason, 0) + n
    return total


def meta_rows(ch, run_id: str) -> dict[str, tuple[str, str]]:
    """asset -> (status, message) of the meta_job_runs rows of one run."""
    rows = ch.query(
        "SELECT asset, status, message FROM meta_job_runs WHERE run_id = %(r)s", parameters={"r": run_id}
    ).result_rows
    return {r[0]: (r[1], r[2]) for r in rows}


def fault_counts(sandbox) -> dict[str, int]:
    return dict(sandbox.stats()["faults_injected"])


def delta(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {k: after.get(k, 0) - before.get(k, 0) for k in after if after.get(k, 0) - before.get(k, 0)}


@contextlib.contextmanager
def clickhouse_env(host: str, port: int, database: str):
    """dbt's profiles.yml reads CLICKHOUSE_* from the environment: point it at this test's database."""
    saved = {
        k: os.environ.get(k)
        for k in (
            "CLICKHOUSE_HOST",
            "CLICKHOUSE_PORT",
            "CLICKHOUSE_DATABASE",
            "CLICKHOUSE_USER",
            "CLICKHOUSE_PASSWORD",
            "QTICKETS_TIMEZONE",
        )
    }
    os.environ.update(
        {
            "CLICKHOUSE_HOST": host,
            "CLICKHOUSE_PORT": str(port),
            "CLICKHOUSE_DATABASE": database,
            "CLICKHOUSE_USER": "default",
            "CLICKHOUSE_PASSWORD": "",
            "QTICKETS_TIMEZONE": "Europe/Moscow",
        }
    )
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def clickhouse_for(server, database: str) -> ClickHouseResource:
    resource = ClickHouseResource(host=server.host, port=server.http_port, database=database)
    resource.bootstrap()
    return resource
