"""The Dagster UI in a real headless Chromium: lineage and asset pages after one full materialization.

Starts the real webserver on the project (workspace.yaml), materializes every asset once through the Dagster
CLI against the sandbox and the embedded ClickHouse, then opens the pages with Playwright driving Debian's
/usr/bin/chromium (never a downloaded browser) and saves screenshots under tests/artifacts/ui/.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from qtickets_assets.local.clickhouse_server import free_port
from qtickets_assets.local.sandbox_process import SandboxProcess
from tests.conftest import new_database

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "ui"
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]


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
    with SandboxProcess(orders=1500) as sandbox:
        env = {**os.environ, **clickhouse_server.env(), **sandbox.env(),
               "CLICKHOUSE_DATABASE": database.database, "DAGSTER_HOME": str(home)}
        started = time.monotonic()
        result = subprocess.run([str(BIN / "dagster"), "asset", "materialize", "--select", "*",
                                 "-m", "qtickets_assets.definitions"],
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        materialize_seconds = time.monotonic() - started
        assert result.returncode == 0, result.stderr[-3000:]
        port = free_port()
        server = subprocess.Popen([str(BIN / "dagster-webserver"), "-w", "workspace.yaml", "-h", "127.0.0.1",
                                   "-p", str(port)], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_http(f"{base}/server_info", 120)
            # Dismiss the "Join the Dagster community" modal before any screenshot.
            request = urllib.request.Request(f"{base}/graphql", data=json.dumps(
                {"query": "mutation { setNuxSeen }"}).encode(), headers={"Content-Type": "application/json"})
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


def _open(browser, url: str, wait_for: str, shot: str):
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_text(wait_for, exact=False).first.wait_for(timeout=60_000)
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


def test_staging_asset_page_lists_its_pandera_check(webserver, browser):
    page = _open(browser, f"{webserver['base']}/assets/stg_qtickets_api_orders_raw?view=checks",
                 "pandera", "stg_orders_checks.png")
    assert "pandera" in page.inner_text("body")
    page.close()


def test_fact_asset_page_shows_dbt_checks(webserver, browser):
    page = _open(browser, f"{webserver['base']}/assets/fact_qtickets_sales_daily?view=checks",
                 "not_null", "fact_sales_checks.png")
    assert "fact_qtickets_sales_daily" in page.inner_text("body")
    page.close()


def test_fact_lineage_runs_from_the_api_resources(webserver, browser):
    url = (f"{webserver['base']}/assets/fact_qtickets_sales_daily?view=lineage&lineageScope=upstream"
           "&lineageDepth=4")
    page = _open(browser, url, "stg_qtickets_api_orders_raw", "fact_sales_lineage.png")
    text = page.inner_text("body")
    for key in ("stg_qtickets_api_orders_raw", "stg_qtickets_api_events_raw", "stg_qtickets__baskets",
                "int_qtickets__paid_baskets"):
        assert key in text, f"{key} missing from the upstream lineage of the sales fact"
    page.close()
