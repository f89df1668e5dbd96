"""Secrets and personal data: a full materialization (every staging asset, the pandera checks, dbt, the audit) with
DISTINCTIVE tokens, plus the failure paths (wrong token, API down, wrong ClickHouse password, transport faults),
then every text that left the staging tables is scanned for the tokens and for the buyers' emails and phones:
Dagster's event log (every event, message and metadata value, serialised whole), the process's stdout/stderr
(the fd level, so dbt's and the servers' output too), every Python log record at DEBUG, the audit's report, log,
CSV, responses and zip, dbt's files written by this run, every ClickHouse table and view but the raw staging
tables, and every exception text. Writes: none unless enabled (the sandbox's state, compared before and after).
"""
from __future__ import annotations

import logging
import os
import secrets
import time
import uuid
import zipfile
from pathlib import Path

import dagster as dg
import pytest
from dagster._serdes import serialize_value

from qtickets_assets.audit.asset import qtickets_audit
from qtickets_assets.clickhouse.resource import ClickHouseResource
from qtickets_assets.qtickets.assets import STAGING_ASSETS
from qtickets_assets.quality.checks import quality_checks
from qtickets_assets.resources import all_resources
from qtickets_assets.transform import DBT_PROJECT_DIR
from qtickets_sandbox.testing import SandboxServer
from tests.reliability.harness import clickhouse_for, materialize, qtickets_for, staging, step_failures
from tests.reliability.leaks import find_leaks, personal_values

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

VIEWS: dict[str, bytes] = {}   # the dbt views as the full materialization left them (scanned by the xfail test)
STATE = ("orders", "clients", "events", "discounts", "promo_codes", "color_themes", "seats", "barcodes",
         "partner_tickets", "partner_events")


@pytest.fixture(scope="module")
def world(clickhouse_server, dbt_assets, tmp_path_factory):
    token, partners_token = f"tok-{secrets.token_hex(12)}", f"pk-{secrets.token_hex(12)}"
    database = f"rel_sec_{uuid.uuid4().hex[:8]}"
    with SandboxServer(orders=300, seed=9, token=token, partners_token=partners_token) as sandbox, \
            pytest.MonkeyPatch.context() as env:
        for key, value in {**clickhouse_server.env(), "CLICKHOUSE_DATABASE": database,
                           "QTICKETS_BASE_URL": sandbox.rest_url, "QTICKETS_TOKEN": token,
                           "QTICKETS_PARTNERS_BASE_URL": sandbox.partners_url,
                           "QTICKETS_PARTNERS_TOKEN": partners_token, "QTICKETS_TIMEZONE": "Europe/Moscow"}.items():
            env.setenv(key, value)
        env.delenv("QTICKETS_ALLOW_WRITES", raising=False)
        clickhouse = clickhouse_for(clickhouse_server, database)
        forbidden = {token: "REST token", partners_token: "Partners token",
                     **{v: "email/phone" for v in personal_values(sandbox)}}
        yield sandbox, clickhouse, dbt_assets, forbidden, tmp_path_factory.mktemp("audit")


def api_state(sandbox) -> dict:
    """Everything a write could change, plus the clock (every successful write moves it by one second)."""
    return {"clock": sandbox.stats()["clock"], **{r: sandbox.export(r) for r in STATE}}


def event_log_texts(instance: dg.DagsterInstance) -> dict[str, str]:
    return {f"event log {run.run_id[:8]} #{i}": serialize_value(entry)
            for run in instance.get_runs() for i, entry in enumerate(instance.all_logs(run.run_id))}


def folder_texts(folder: Path, label: str, since: float = 0.0) -> dict[str, bytes]:
    out = {}
    for path in folder.rglob("*"):
        if not path.is_file() or path.stat().st_mtime < since:
            continue
        out[f"{label}:{path.relative_to(folder)}"] = path.read_bytes()
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as zf:
                out.update({f"{label}:{path.name}!{n}": zf.read(n) for n in zf.namelist()})
    return out


def clickhouse_texts(clickhouse: ClickHouseResource) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """(tables, views) of the platform database except the raw staging tables, each dumped whole."""
    ch = clickhouse.get_client()
    rows = ch.query("SELECT name, engine = 'View' FROM system.tables WHERE database = %(d)s "
                    "AND NOT startsWith(name, 'stg_qtickets_api_')", parameters={"d": clickhouse.database}).result_rows
    tables, views = {}, {}
    for name, is_view in rows:
        (views if is_view else tables)[f"clickhouse:{name}"] = ch.raw_query(f"SELECT * FROM {name} FORMAT JSONEachRow")
    ch.close()
    return tables, views


def failure_texts(sandbox, clickhouse, instance, forbidden: dict) -> list[str]:
    """Exception texts of the failure paths (each run also lands in the scanned event log)."""
    texts = []
    runs = [  # (assets, resources) of runs that must fail
        (staging("orders", step_retries=False),                 # the Partners key used as the REST token
         {"qtickets": qtickets_for(sandbox, token=sandbox.partners_token), "clickhouse": clickhouse}),
        (staging("partner_events", step_retries=False),         # the REST token used as the Partners key
         {"qtickets": qtickets_for(sandbox, partners_token=sandbox.token), "clickhouse": clickhouse}),
    ]
    password = f"chpw-{secrets.token_hex(8)}"
    forbidden[password] = "ClickHouse password"
    wrong_password = ClickHouseResource(host=clickhouse.host, port=clickhouse.port, database=clickhouse.database,
                                        password=password)
    runs.append((staging("orders", step_retries=False), {"qtickets": qtickets_for(sandbox),
                                                         "clickhouse": wrong_password}))
    for assets, resources in runs:
        result = materialize(assets, resources, instance=instance)
        assert not result.success
        texts += [m for ms in step_failures(result).values() for m in ms]
    sandbox.set_faults(down=True)
    try:
        result = materialize(staging("orders", "partner_events", step_retries=False),
                             {"qtickets": qtickets_for(sandbox, max_retries=1), "clickhouse": clickhouse},
                             instance=instance)
        texts += [m for ms in step_failures(result).values() for m in ms]
    finally:
        sandbox.set_faults(down=False)
    sandbox.set_faults(rate=1.0, kinds=["reset", "truncated"])
    try:
        client = qtickets_for(sandbox, max_retries=1).get_client()
        for call in (lambda: client.get("orders"), lambda: client.partners("events/lists")):
            with pytest.raises(Exception) as caught:
                call()
            texts.append(f"{type(caught.value).__name__}: {caught.value!s} {caught.value!r}")
        raw = client.raw_request("rest", "GET", "orders")
        texts.append(repr(raw))
        client.close()
    finally:
        sandbox.set_faults(rate=0.0)
    return texts


@pytest.mark.slow
def test_full_materialization_leaks_no_secret_and_no_personal_data(world, capfd, caplog):
    sandbox, clickhouse, dbt_assets, forbidden, audit_root = world
    caplog.set_level(logging.DEBUG)
    started = time.time()
    before = api_state(sandbox)
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [*STAGING_ASSETS, *quality_checks, dbt_assets, qtickets_audit], resources=all_resources(), instance=instance,
        run_config={"ops": {"qtickets_audit": {"config": {"output_root": str(audit_root), "allow_writes": False}}}},
        raise_on_error=False)
    assert result.success, step_failures(result)
    audit = result.asset_materializations_for_node("qtickets_audit")[0].metadata
    assert audit["cases_not_executed"].value > 0                     # the write cases, refused
    assert api_state(sandbox) == before, "the API changed although writes were disabled"

    exceptions = failure_texts(sandbox, clickhouse, instance, forbidden)
    captured = capfd.readouterr()
    tables, views = clickhouse_texts(clickhouse)
    VIEWS.update(views)
    texts = {**event_log_texts(instance),
             "stdout": captured.out, "stderr": captured.err,
             **{f"log record {i} {r.name}": f"{r.getMessage()} {r.exc_text or ''}"
                for i, r in enumerate(caplog.records)},
             **folder_texts(audit_root, "audit"),
             **folder_texts(DBT_PROJECT_DIR / "target", "dbt target", since=started),
             **folder_texts(DBT_PROJECT_DIR / "logs", "dbt logs", since=started),
             **tables,
             **{f"exception {i}": t for i, t in enumerate(exceptions)}}
    leaks = find_leaks(texts, forbidden)
    assert leaks == [], leaks

    # The scanner is not blind: it finds the tokens where they must be (the environment) and the personal
    # data where it may be (the raw staging table of clients).
    ch = clickhouse.get_client()
    raw_clients = ch.raw_query("SELECT payload FROM stg_qtickets_api_clients_raw FORMAT TSVRaw")
    assert find_leaks({"raw clients": raw_clients}, forbidden) == ["raw clients: email/phone"]
    assert len(find_leaks({k: v for k, v in os.environ.items() if k.startswith("QTICKETS_")}, forbidden)) == 2
    kinds = {k: sum(1 for n in texts if n.startswith(k)) for k in
             ("event log", "log record", "audit:", "dbt target", "dbt logs", "clickhouse:", "exception")}
    print(f"RELIABILITY secrets: scanned {len(texts)} texts ({sum(len(t) for t in texts.values()) / 1e6:.1f} MB): "
          f"{kinds}, stdout/stderr {len(captured.out) + len(captured.err)} chars; forbidden values "
          f"{len(forbidden)} (2 tokens, 1 ClickHouse password, {len(forbidden) - 3} emails/phones); leaks: "
          f"{len(leaks)}; API state unchanged with writes disabled")


def test_dbt_views_expose_no_personal_data(world):
    """Found by this suite: stg_qtickets__orders once exposed the raw baskets (ticket holders' emails, phones)."""
    if not VIEWS:
        pytest.skip("needs test_full_materialization_leaks_no_secret_and_no_personal_data to run first")
    leaks = find_leaks(VIEWS, world[3])
    assert leaks == [], leaks


def test_writes_happen_only_when_enabled(world):
    """The same audit with writes requested (the target is the sandbox) does change the sandbox: the unchanged
    state above is the guard working, not a blind comparison. Its outputs leak nothing either."""
    sandbox, clickhouse, _, forbidden, audit_root = world
    client = qtickets_for(sandbox).get_client()
    before = api_state(sandbox)
    for call in (lambda: client.raw_request("rest", "POST", "clients", {"data": {"email": "x@example.com"}}),
                 lambda: client.raw_request("rest", "DELETE", "orders/1"),
                 lambda: client.partners("tickets/add/1/1", {"data": {}})):
        with pytest.raises(Exception, match="allow_writes is False"):
            call()
    client.close()
    assert api_state(sandbox) == before
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([qtickets_audit], resources={"qtickets": qtickets_for(sandbox), "clickhouse": clickhouse},
                            instance=instance, run_config={"ops": {"qtickets_audit": {"config": {
                                "output_root": str(audit_root / "writes"), "allow_writes": True}}}})
    metadata = result.asset_materializations_for_node("qtickets_audit")[0].metadata
    assert metadata["cases_not_executed"].value == 0
    assert api_state(sandbox) != before, "the write cases ran but the sandbox did not change"
    leaks = find_leaks({**event_log_texts(instance), **folder_texts(audit_root / "writes", "audit")}, forbidden)
    assert leaks == [], leaks
