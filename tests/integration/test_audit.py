"""The audit asset end to end: the sandbox over real HTTP, a real ClickHouse, real files and the real
`sha256sum -c`. Three runs share one sandbox: writes requested (every case runs and matches the plan), writes
disabled (every write case reads "not executed: writes disabled"), and a wrong configured token. The default write
policy (off, and on only against the sandbox) is tested in test_audit_writes.py.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import zipfile
from pathlib import Path

import dagster as dg
import pytest

from qtickets_assets.audit.asset import qtickets_audit
from qtickets_assets.audit.plan import load_plan
from qtickets_assets.qtickets.client.resource import QTicketsResource
from qtickets_assets.qtickets.ingest.catalog import CATALOG
from qtickets_sandbox.testing import SandboxServer
from tests.conftest import new_database
from tests.reliability.leaks import find_leaks, personal_values

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer(orders=300, seed=42) as server:
        yield server


@pytest.fixture(scope="module")
def clickhouse(clickhouse_server):
    resource = new_database(clickhouse_server, "audit")
    ch = resource.get_client()
    # Two versions of one order: 2 raw rows, 1 business key (the audit must report both figures).
    for version in (1, 2):
        ch.command(
            f"INSERT INTO stg_qtickets_api_orders_raw (order_id, event_id, payed, created_at, payload, "
            f"_loaded_at, _run_id, _version) VALUES (1, 1, 1, now64(3), '{{}}', now64(3), 't', {version})"
        )
    ch.close()
    return resource


def run_audit_asset(sandbox, clickhouse, root: Path, allow_writes=None, token=None):
    qtickets = QTicketsResource(
        base_url=sandbox.rest_url,
        token=token or sandbox.token,
        partners_base_url=sandbox.partners_url,
        partners_token=sandbox.partners_token,
        max_retries=2,
        backoff_base_seconds=0.05,
    )
    config = {"output_root": str(root)}
    if allow_writes is not None:
        config["allow_writes"] = allow_writes
    result = dg.materialize(
        [qtickets_audit],
        resources={"qtickets": qtickets, "clickhouse": clickhouse},
        run_config={"ops": {"qtickets_audit": {"config": config}}},
    )
    assert result.success
    metadata = result.asset_materializations_for_node("qtickets_audit")[0].metadata
    folder = Path(metadata["archive"].value).parent
    return metadata, folder


def case_docs(folder: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in (folder / "responses").glob("*.json")}


def forbidden_for(sandbox, *secret_values: str):
    forbidden = personal_values(sandbox)
    for value in secret_values:
        forbidden.add_secret(value, "token")
    assert len(forbidden.emails) > 20 and len(forbidden.names) > 20, "the sandbox should hold buyers' data"
    return forbidden


def assert_no_leaks(folder: Path, forbidden):
    blobs = {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and not p.name.endswith(".zip")
    }
    for zpath in folder.glob("*.zip"):
        with zipfile.ZipFile(zpath) as zf:
            blobs.update({f"zip:{n}": zf.read(n) for n in zf.namelist()})
    assert find_leaks(blobs, forbidden) == []


def assert_archive(folder: Path):
    tag = folder.name
    done = subprocess.run(["sha256sum", "-c", f"audit_{tag}.zip.sha256"], cwd=folder, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    report = (folder / "report.md").read_text()
    artifacts = report.split("## 7. Artifacts")[1].split("## 8.")[0]
    named = re.findall(r"^- `([^`]+)`$", artifacts, flags=re.M)
    with zipfile.ZipFile(folder / f"audit_{tag}.zip") as zf:
        members = set(zf.namelist())
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {
        f"audit_{tag}.zip",
        f"audit_{tag}.zip.sha256",
    }
    assert {"report.md", "log.jsonl", "clickhouse_counts.csv"} <= set(named)
    assert set(named) == members == on_disk


def test_writes_enabled_every_case_runs_and_matches(sandbox, clickhouse, tmp_path):
    metadata, folder = run_audit_asset(sandbox, clickhouse, tmp_path, allow_writes=True)  # the sandbox: asked for
    docs = case_docs(folder)
    plan = load_plan()
    assert set(docs) == {c.id for c in plan.cases}
    wrong = {
        cid: (d["result"], d["reason"]) for cid, d in docs.items() if d["result"] not in ("passed", "expected error")
    }
    assert wrong == {}
    assert metadata["verdict_status"].value == "PASSED", metadata["verdict"].value
    assert metadata["cases_failed"].value == 0 and metadata["cases_not_executed"].value == 0
    for c in plan.cases:  # the result kind follows the expectation kind
        expected_error = c.id in ("5.2", "7.1", "7.2", "7.3", "7.4", "x.1", "x.2", "x.3", "x.7") or (
            c.id == "7.5" and docs[c.id]["status"] != 200
        )
        assert docs[c.id]["result"] == ("expected error" if expected_error else "passed"), c.id

    log = [json.loads(line) for line in (folder / "log.jsonl").read_text().splitlines()]
    assert {"setup", "discovery", "probe", "counts", "verdict"} <= {row["stage"] for row in log}
    assert all(
        set(row) == {"ts", "stage", "test_id", "endpoint", "spec_ref", "status", "latency_ms", "result", "notes"}
        for row in log
    )
    assert sum(1 for row in log if row["stage"] == "probe") == len(plan.cases)

    with (folder / "clickhouse_counts.csv").open() as fh:
        counts = {row["table"]: row for row in csv.DictReader(fh)}
    assert {entry.table for entry in CATALOG.values()} | {"meta_job_runs"} <= set(counts)
    assert counts["stg_qtickets_api_orders_raw"]["rows_after"] == "2"
    assert counts["stg_qtickets_api_orders_raw"]["distinct_keys"] == "1"

    report = (folder / "report.md").read_text()
    assert "## 8. Итог (по-русски)" in report and "ПРОЙДЕН" in report and "MSK" in report
    assert_archive(folder)
    assert_no_leaks(folder, forbidden_for(sandbox, sandbox.token, sandbox.partners_token))


def test_writes_disabled_never_reads_as_passed(sandbox, clickhouse, tmp_path):
    first, _ = run_audit_asset(sandbox, clickhouse, tmp_path, allow_writes=False)
    metadata, folder = run_audit_asset(sandbox, clickhouse, tmp_path, allow_writes=False)
    docs = case_docs(folder)
    plan = load_plan()
    for c in plan.cases:
        if c.writes:
            assert docs[c.id]["result"] == "not executed", c.id
            assert docs[c.id]["reason"].startswith("writes disabled"), c.id
            assert docs[c.id]["status"] is None
    report = (folder / "report.md").read_text()
    assert report.count("not executed: writes disabled") == sum(1 for c in plan.cases if c.writes)
    assert metadata["verdict_status"].value == "PASSED WITH LIMITATIONS"
    # Counts "before" come from the previous audit in the same root.
    previous = {
        r["table"]: r for r in csv.DictReader((Path(first["archive"].value).parent / "clickhouse_counts.csv").open())
    }
    now = {r["table"]: r for r in csv.DictReader((folder / "clickhouse_counts.csv").open())}
    assert all(now[t]["rows_before"] == previous[t]["rows_after"] for t in now)
    assert int(now["meta_job_runs"]["delta"]) >= 1  # the first audit's own run row
    assert_archive(folder)
    assert_no_leaks(folder, forbidden_for(sandbox, sandbox.token, sandbox.partners_token))


def test_wrong_configured_token_gives_a_failed_verdict(sandbox, clickhouse, tmp_path):
    metadata, folder = run_audit_asset(sandbox, clickhouse, tmp_path, allow_writes=False, token="wrong-token-not-valid")
    expected = "FAILED: the API rejected the configured token (403 WRONG_AUTHORIZATION) — check QTICKETS_TOKEN"
    assert metadata["verdict"].value.startswith(expected)
    assert f"**Verdict: {expected}" in (folder / "report.md").read_text()
    assert_archive(folder)
    assert_no_leaks(folder, forbidden_for(sandbox, "wrong-token-not-valid", sandbox.partners_token))
