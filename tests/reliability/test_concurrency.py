"""Concurrency: two overlapping runs of the orders asset + dbt, in two PROCESSES on one Dagster instance whose
dagster.yaml is the one the platform writes (qtickets_assets/local/stack.py: pool `qtickets_api`, default_limit 1).

What must hold: nothing doubled (deduplicated counts and the sales facts equal the sandbox's truth), and the API's
rate budget holds across both runs. The client's rate limiter is per PROCESS, so across processes only the pool can
keep the budget: the sandbox's requests per second are sampled while both run and must stay within ONE client's
budget (rate x window + one burst), and the two orders steps must not overlap in time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import dagster as dg
import pytest

from qtickets_assets.local.stack import prepare_dagster_home
from qtickets_assets.qtickets.ingest.assets import STEP_NAME
from qtickets_sandbox.testing import SandboxServer
from tests.reliability.harness import clickhouse_env, clickhouse_for, materialize, qtickets_for, staging, step_failures
from tests.reliability.truth import assert_same, expected_sales, fact_sales, latest_payloads

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

RATE = 8.0  # requests/s of each client (QTICKETS_REQUESTS_PER_SECOND); burst = one second's worth
PAGE_SIZE = 50  # 2,000 orders = 40 pages per load: ~5 s at the budget
WINDOW = 3.0  # seconds: the sampling window of the rate measurement
REPO = Path(__file__).resolve().parents[2]


def _sample(sandbox, samples: list, stop: threading.Event) -> None:
    while not stop.is_set():
        samples.append((time.monotonic(), sandbox.stats()["requests_served"]))
        time.sleep(0.1)


def max_rate(samples: list[tuple[float, int]], window: float) -> float:
    """The highest requests/s over any stretch of at least `window` seconds between two samples."""
    best, j = 0.0, 0
    for i, (t0, n0) in enumerate(samples):
        j = max(j, i)
        while j < len(samples) and samples[j][0] - t0 < window:
            j += 1
        if j == len(samples):
            break
        t1, n1 = samples[j]
        best = max(best, (n1 - n0) / (t1 - t0))
    return best


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer(orders=2000, seed=13) as server:
        yield server


def test_two_threads_in_one_process_share_the_client_budget(sandbox, clickhouse_server):
    """What `dg.materialize` without an instance gets (in-memory instance: pools NOT enforced): two threads loading
    orders at once. The client's rate limiter is process-wide per base URL, so the budget still holds."""
    assert not dg.DagsterInstance.ephemeral().event_log_storage.supports_global_concurrency_limits
    clickhouse = clickhouse_for(clickhouse_server, f"rel_threads_{uuid.uuid4().hex[:8]}")
    resources = {
        "qtickets": qtickets_for(sandbox, page_size=PAGE_SIZE, requests_per_second=RATE),
        "clickhouse": clickhouse,
    }
    samples: list = []
    stop = threading.Event()
    sampler = threading.Thread(target=_sample, args=(sandbox, samples, stop), daemon=True)
    sampler.start()
    results: list = []
    threads = [
        threading.Thread(
            target=lambda: results.append(materialize(staging("orders"), resources, staging_config={"mode": "full"}))
        )
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    stop.set()
    sampler.join(5)
    assert len(results) == 2 and all(r.success for r in results)
    ch = clickhouse.get_client()
    truth = {int(o["id"]) for o in sandbox.export("orders")}
    assert latest_payloads(ch, "orders").keys() == truth
    assert int(ch.command("SELECT count() FROM stg_qtickets_api_orders_raw FINAL")) == len(truth)
    assert int(ch.command("SELECT count() FROM stg_qtickets_api_orders_raw")) == 2 * len(truth)
    peak = max_rate(samples, WINDOW)
    budget = (RATE * WINDOW + RATE + 4) / WINDOW
    print(
        f"RELIABILITY concurrency-threads: two in-process loads together peaked at {peak:.1f} req/s over "
        f"{WINDOW:.0f} s windows (budget {RATE:.0f}/s, bound {budget:.1f}); dedup {len(truth)} = truth"
    )
    assert peak <= budget


@pytest.mark.slow
def test_two_overlapping_runs_double_nothing_and_share_the_budget(
    sandbox, clickhouse_server, dbt_assets, dbt, tmp_path, monkeypatch
):
    database = f"rel_conc_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    home = prepare_dagster_home()  # writes the platform's dagster.yaml (pool limit 1)
    assert "default_limit: 1" in (home / "dagster.yaml").read_text()
    # Pools live in the instance's storage: enforced on $DAGSTER_HOME's instance (what `dagster dev`, the daemon
    # and these workers use), NOT on the in-memory instance `dg.materialize` makes when given none.
    assert dg.DagsterInstance.get().event_log_storage.supports_global_concurrency_limits
    clickhouse = clickhouse_for(clickhouse_server, database)
    started = time.monotonic()
    env = {
        **os.environ,
        **clickhouse_server.env(),
        "CLICKHOUSE_DATABASE": database,
        "QTICKETS_BASE_URL": sandbox.rest_url,
        "QTICKETS_TOKEN": sandbox.token,
        "QTICKETS_PARTNERS_BASE_URL": sandbox.partners_url,
        "QTICKETS_PARTNERS_TOKEN": sandbox.partners_token,
        "QTICKETS_REQUESTS_PER_SECOND": str(RATE),
        "OVERLAP_PAGE_SIZE": str(PAGE_SIZE),
        "DAGSTER_HOME": str(home),
        "PYTHONPATH": str(REPO),
    }
    # Everything once, dbt included (a deployment has built every model before two runs ever overlap; the
    # workers build only the models up to the sales fact), then new activity for the overlapping runs to load.
    with clickhouse_env(clickhouse_server.host, clickhouse_server.http_port, database):
        first = materialize(
            [*staging(), *dbt_assets], {"qtickets": qtickets_for(sandbox), "clickhouse": clickhouse, "dbt": dbt}
        )
    assert first.success, step_failures(first)
    sandbox.advance(60)

    prepared = time.monotonic()
    samples: list = []
    stop = threading.Event()
    sampler = threading.Thread(target=_sample, args=(sandbox, samples, stop), daemon=True)
    sampler.start()
    workers = []
    for _ in range(2):
        workers.append(
            subprocess.Popen(
                [sys.executable, "-m", "tests.reliability.overlap_worker"],
                cwd=REPO,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
        )
        time.sleep(0.5)
    outputs = [w.communicate(timeout=240)[0] for w in workers]
    overlapped = time.monotonic()
    stop.set()
    sampler.join(5)
    runs = [json.loads(out.strip().splitlines()[-1]) for out in outputs]
    for run in runs:
        assert run["success"], run["failures"]

    ch = clickhouse.get_client()
    orders = {int(o["id"]): o for o in sandbox.export("orders")}
    stored = latest_payloads(ch, "orders")
    assert stored.keys() == orders.keys()
    assert all(json.loads(stored[k]) == o for k, o in orders.items())
    assert int(ch.command("SELECT count() FROM stg_qtickets_api_orders_raw FINAL")) == len(orders)
    loaded = int(
        ch.command(
            "SELECT count() FROM stg_qtickets_api_orders_raw WHERE _run_id IN %(r)s",
            parameters={"r": [r["run_id"] for r in runs]},
        )
    )
    assert loaded == 2 * len(orders)  # both runs loaded everything; dedup keeps one each
    assert int(ch.command("SELECT count() - uniqExact(_version) FROM stg_qtickets_api_orders_raw")) == 0
    sales = expected_sales(list(orders.values()), sandbox.export("events"))
    assert_same(fact_sales(ch), sales, "fact_qtickets_sales_daily")

    a, b = (r["steps"][STEP_NAME] for r in runs)
    overlap = min(a["end"], b["end"]) - max(a["start"], b["start"])
    peak = max_rate(samples, WINDOW)
    budget = (RATE * WINDOW + RATE + 4) / WINDOW  # one client's bucket: rate x window + one burst, +4 slack
    dbt_a, dbt_b = (r["steps"]["qtickets_dbt_assets"] for r in runs)
    dbt_overlap = min(dbt_a["end"], dbt_b["end"]) - max(dbt_a["start"], dbt_b["start"])
    print(
        f"RELIABILITY concurrency: first load + dbt {prepared - started:.0f} s, the two workers "
        f"{overlapped - prepared:.0f} s; orders steps {a['end'] - a['start']:.1f} s and {b['end'] - b['start']:.1f} s, "
        f"overlapping {max(0.0, overlap):.1f} s; dbt steps overlapping {max(0.0, dbt_overlap):.1f} s; peak "
        f"{peak:.1f} req/s over {WINDOW:.0f} s windows (budget {RATE:.0f}/s, bound {budget:.1f}); "
        f"{len(samples)} samples; "
        f"dedup {len(stored)} orders = truth, {loaded} raw rows from the two runs, {len(sales)} sales rows = truth"
    )
    assert overlap <= 0.5, f"the two orders steps ran together for {overlap:.1f} s: the pool did not hold"
    assert peak <= budget, f"{peak:.1f} requests/s across the two runs: over the {RATE:.0f}/s budget"
