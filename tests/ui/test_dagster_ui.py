"""The Dagster UI in a real headless Chromium: lineage and asset pages after one full materialization.

Starts the real webserver on the project (workspace.yaml), materializes every asset once through the Dagster
CLI against the sandbox and the embedded ClickHouse, then opens the pages with Playwright driving Debian's
/usr/bin/chromium (never a downloaded browser) and saves screenshots under tests/artifacts/ui/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from qtickets_assets.local.clickhouse_server import free_port
from qtickets_assets.local.sandbox_process import SandboxProcess
from qtickets_assets.transform.partitions import all_months_tags
from tests.conftest import new_database

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "ui"
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# CI must run these: .ci/run installs chromium and sets QTICKETS_REQUIRE_BROWSER=1, so a missing browser fails
# there instead of skipping. Elsewhere they skip, and tests/conftest.py says so loudly at the end of the run.
if not os.path.exists(CHROMIUM) and os.environ.get("QTICKETS_REQUIRE_BROWSER") == "1":
    raise RuntimeError(
        f"QTICKETS_REQUIRE_BROWSER=1 but there is no chromium at {CHROMIUM}: the browser tests "
        "must run here (apt-get install chromium)"
    )
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]
ORDERS = 1500


def _wait_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


@pytest.fixture(scope="module")
def webserver(tmp_path_factory, clickhouse_server):
    database = new_database(clickhouse_server, "ui")
    home = tmp_path_factory.mktemp("dagster_home")
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    with SandboxProcess(orders=ORDERS) as sandbox:
        env = {
            **os.environ,
            **clickhouse_server.env(),
            **sandbox.env(),
            "CLICKHOUSE_DATABASE": database.database,
            "DAGSTER_HOME": str(home),
        }
        started = time.monotonic()
        result = subprocess.run(
            [
                *(str(BIN / "dagster"), "job", "execute", "-j", "__ASSET_JOB", "-m", "qtickets_assets.definitions"),
                *("--tags", json.dumps(all_months_tags())),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        materialize_seconds = time.monotonic() - started
        assert result.returncode == 0, result.stderr[-3000:]
        port = free_port()
        server = subprocess.Popen(
            [str(BIN / "dagster-webserver"), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_http(f"{base}/server_info", 120)
            # Dismiss the "Join the Dagster community" modal before any screenshot.
            request = urllib.request.Request(
                f"{base}/graphql",
                data=json.dumps({"query": "mutation { setNuxSeen }"}).encode(),
                headers={"Content-Type": "application/json"},
            )
            urllib.request.urlopen(request, timeout=10).read()
            yield {"base": base, "materialize_seconds": materialize_seconds}
        finally:
            server.terminate()
            server.wait(20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def _open(browser, url: str, wait_for: str, shot: str, viewport=(1600, 1000)):
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    page.goto(url, wait_until="domcontentloaded")
    try:
        page.get_by_text(wait_for, exact=False).first.wait_for(timeout=60_000)
    except Exception:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)  # what the page showed instead, for whoever reads the failure
        page.screenshot(path=str(ARTIFACTS / f"FAILED_{shot}"), full_page=True)
        raise
    page.wait_for_timeout(3000)  # let the graph layout and the status queries settle before the screenshot
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
    return page


def test_lineage_shows_every_layer(webserver, browser):
    page = _open(browser, f"{webserver['base']}/asset-groups", "ingestion", "lineage.png")
    text = page.inner_text("body")
    for group in ("ingestion", "transform", "audit"):
        assert group in text, f"asset group {group} missing from the lineage page"
    page.close()


def test_staging_asset_shows_its_materialization_with_row_count(webserver, browser):
    page = _open(browser, f"{webserver['base']}/assets/stg_qtickets_api_orders_raw", "Row count", "stg_orders.png")
    lines = _lines(page)
    assert "Latest materialization" in lines
    # the row count the asset reported: every order of the sandbox (deduplicated rows of the table)
    assert lines[lines.index("Row count") + 1] == f"{ORDERS:,}", lines[lines.index("Row count") :][:3]
    page.close()


def test_staging_asset_checks_show_as_passed(webserver, browser):
    page = _open(
        browser,
        f"{webserver['base']}/assets/stg_qtickets_api_orders_raw?view=checks",
        "pandera",
        "stg_orders_checks.png",
    )
    status = _check_states(page)
    assert status.get("pandera_contract") == "Succeeded", status
    assert status.get("freshness_check") == "Succeeded", status
    page.close()


def test_fact_asset_page_shows_dbt_checks_passed(webserver, browser):
    page = _open(
        browser,
        f"{webserver['base']}/assets/fact_qtickets_sales_daily?view=checks",
        "not_null",
        "fact_sales_checks.png",
    )
    status = _check_states(page)
    dbt_checks = {name: state for name, state in status.items() if name != "freshness_check"}
    assert len(dbt_checks) >= 10 and set(dbt_checks.values()) == {"Succeeded"}, status
    assert "assert_sales_revenue_matches_staging" in dbt_checks  # the singular reconciliation test too
    page.close()


# What a user sees as the edges of a node: its direct neighbours in the lineage view at depth 1. The sales facts
# read the raw orders directly too (the months to rebuild come from the newest loads), and the audit counts the
# raw tables.
EDGES = {
    ("stg_qtickets_api_orders_raw", "downstream"): {
        "stg_qtickets__orders",
        "stg_qtickets__baskets",
        "fact_qtickets_sales_daily",
        "fact_qtickets_sales_utm_daily",
        "qtickets_audit",
    },
    ("int_qtickets__paid_baskets", "upstream"): {"stg_qtickets__baskets"},
    ("int_qtickets__paid_baskets", "downstream"): {"fact_qtickets_sales_daily", "fact_qtickets_sales_utm_daily"},
    ("fact_qtickets_sales_daily", "upstream"): {
        "int_qtickets__paid_baskets",
        "stg_qtickets__events",
        "stg_qtickets_api_orders_raw",
    },
    ("fact_qtickets_inventory_latest", "upstream"): {"stg_qtickets__seats", "stg_qtickets__events"},
}


@pytest.mark.parametrize("node, direction", sorted(EDGES), ids=[f"{n}-{d}" for n, d in sorted(EDGES)])
def test_lineage_edges(webserver, browser, node, direction):
    url = f"{webserver['base']}/assets/{node}?view=lineage&lineageScope={direction}&lineageDepth=1"
    page = _open(browser, url, "Materialized", f"edges_{node}_{direction}.png")  # the nodes with their status
    shown = {line for line in _lines(page) if re.fullmatch(r"(stg|int|fact|dim)_qtickets\w+|qtickets_audit", line)}
    assert shown - {node} == EDGES[(node, direction)], shown
    page.close()


def test_fact_lineage_runs_from_the_api_resources(webserver, browser):
    url = f"{webserver['base']}/assets/fact_qtickets_sales_daily?view=lineage&lineageScope=upstream&lineageDepth=4"
    # Wide enough that the graph is drawn at a zoom where Dagster prints full asset names (it shortens them when
    # zoomed out, and the webhook table made this graph wider).
    page = _open(browser, url, "stg_qtickets_api_orders_raw", "fact_sales_lineage.png", viewport=(2560, 1600))
    text = page.inner_text("body")
    for key in (
        "stg_qtickets_api_orders_raw",
        "stg_qtickets_webhooks_raw",  # the receiver's table, an external asset upstream of orders staging
        "stg_qtickets_api_events_raw",
        "stg_qtickets__baskets",
        "int_qtickets__paid_baskets",
    ):
        assert key in text, f"{key} missing from the upstream lineage of the sales fact"
    page.close()


def _check_states(page) -> dict[str, str]:
    """check name -> state from the asset's checks list (each row: a shortened name, the full name, the state)."""
    lines = _lines(page)
    states = ("Succeeded", "Failed", "Skipped", "Not evaluated", "Running", "Warning")
    return {lines[i + 1]: lines[i + 2] for i in range(len(lines) - 2) if lines[i + 2] in states}


def _lines(page) -> list[str]:
    return [line.strip() for line in page.inner_text("body").splitlines() if line.strip()]
