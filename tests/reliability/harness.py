"""Shared helpers of the reliability suite: resources for a sandbox + ClickHouse pair, one call that materializes
the real assets, and small readers of the result (step failures, staging metadata, meta_job_runs rows).

Runs disable Dagster's STEP retries (executor config `retries: disabled`): the staging assets carry a whole-step
retry policy of 2 retries 30 s / 60 s apart (qtickets/assets.py), which would add ~2 minutes to every test that
makes a step fail. The client's own per-request retries — what these tests exercise — are untouched.
"""
from __future__ import annotations

import contextlib
import os
from typing import Iterable

import dagster as dg

from qtickets_assets.clickhouse.resource import ClickHouseResource
from qtickets_assets.qtickets.assets import STAGING_ASSETS
from qtickets_assets.qtickets.catalog import CATALOG
from qtickets_assets.qtickets.client import QTicketsResource

ASSETS = {a.key.path[0]: a for a in STAGING_ASSETS}
NO_STEP_RETRIES = {"execution": {"config": {"retries": {"disabled": {}}}}}
FAULT_KINDS = ["429", "503", "timeout", "reset", "truncated"]


def staging(*names: str) -> list[dg.AssetsDefinition]:
    """Staging assets by resource name (all of them when no name is given)."""
    return [ASSETS[CATALOG[n].table] for n in (names or CATALOG)]


def qtickets_for(sandbox, **overrides) -> QTicketsResource:
    """The QTickets resource on the sandbox, with short backoffs (the sandbox's Retry-After still rules 429s)."""
    settings = dict(base_url=sandbox.rest_url, token=sandbox.token, partners_base_url=sandbox.partners_url,
                    partners_token=sandbox.partners_token, backoff_base_seconds=0.05, backoff_max_seconds=0.5)
    settings.update(overrides)
    return QTicketsResource(**settings)


def materialize(assets: Iterable, resources: dict, *, staging_config: dict | None = None,
                instance: dg.DagsterInstance | None = None, extra_config: dict | None = None,
                selection=None) -> dg.ExecuteInJobResult:
    """Materialize the given assets (and checks) in-process; never raises on a failed run."""
    assets = list(assets)
    run_config: dict = {**NO_STEP_RETRIES}
    ops = {a.op.name: {"config": staging_config} for a in assets
           if staging_config is not None and isinstance(a, dg.AssetsDefinition) and a.key.path[0] in ASSETS}
    ops.update(extra_config or {})
    if ops:
        run_config["ops"] = ops
    return dg.materialize(assets, resources=resources, run_config=run_config, raise_on_error=False,
                          instance=instance, selection=selection)


def step_failures(result) -> dict[str, list[str]]:
    """step key -> the messages of its STEP_FAILURE events."""
    out: dict[str, list[str]] = {}
    for event in result.all_events:
        if event.is_step_failure:
            out.setdefault(event.step_key, []).append(event.step_failure_data.error.message)
    return out


def staging_metadata(result) -> dict[str, dict]:
    """staging table -> metadata values of its materialization in this run."""
    out = {}
    for event in result.get_asset_materialization_events():
        name = event.asset_key.path[-1]
        if name in ASSETS:
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
    rows = ch.query("SELECT asset, status, message FROM meta_job_runs WHERE run_id = %(r)s",
                    parameters={"r": run_id}).result_rows
    return {r[0]: (r[1], r[2]) for r in rows}


def fault_counts(sandbox) -> dict[str, int]:
    return dict(sandbox.stats()["faults_injected"])


def delta(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {k: after.get(k, 0) - before.get(k, 0) for k in after if after.get(k, 0) - before.get(k, 0)}


@contextlib.contextmanager
def clickhouse_env(host: str, port: int, database: str):
    """dbt's profiles.yml reads CLICKHOUSE_* from the environment: point it at this test's database."""
    saved = {k: os.environ.get(k) for k in ("CLICKHOUSE_HOST", "CLICKHOUSE_PORT", "CLICKHOUSE_DATABASE",
                                            "CLICKHOUSE_USER", "CLICKHOUSE_PASSWORD", "QTICKETS_TIMEZONE")}
    os.environ.update({"CLICKHOUSE_HOST": host, "CLICKHOUSE_PORT": str(port), "CLICKHOUSE_DATABASE": database,
                       "CLICKHOUSE_USER": "default", "CLICKHOUSE_PASSWORD": "", "QTICKETS_TIMEZONE": "Europe/Moscow"})
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
