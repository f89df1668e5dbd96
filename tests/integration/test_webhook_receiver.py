"""The webhook receiver as a real process (`qtickets-platform webhooks`) in front of the embedded ClickHouse, fed by
hand-made deliveries and by the sandbox's own webhook sender over HTTP. No mocks.

Signatures (missing, forged, from another secret -> 401, nothing stored), body size (413), quarantine of signed
bodies that are not orders, duplicates stored once, the sandbox's retries delivering everything exactly once after
the receiver was down, and the receiver's log free of the secret and of personal data.
"""

from __future__ import annotations

import json
import time

import pytest

from qtickets_assets.local.clickhouse_server import free_port
from qtickets_assets.webhooks.receiver import sign
from qtickets_assets.webhooks.testing import ReceiverProcess
from qtickets_sandbox.testing import SandboxServer
from tests.reliability.leaks import find_leaks, personal_values

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

SECRET = "receiver-test-secret-0123456789"
RAW, QUARANTINE = "stg_qtickets_webhooks_raw", "stg_qtickets_webhooks_quarantine"


def order_body(order_id: int, note: str = "") -> bytes:
    return json.dumps(
        {"id": order_id, "updated_at": "2026-11-20T12:00:00+03:00", "payed_at": None, "baskets": [], "note": note}
    ).encode()


@pytest.fixture
def database(clickhouse_server):
    from tests.conftest import new_database

    resource = new_database(clickhouse_server, "wh")
    env = {
        "CLICKHOUSE_HOST": clickhouse_server.host,
        "CLICKHOUSE_PORT": str(clickhouse_server.http_port),
        "CLICKHOUSE_DATABASE": resource.database,
    }
    client = resource.get_client()
    yield resource, env, client
    client.close()


def counts(client) -> tuple[int, int]:
    return int(client.command(f"SELECT count() FROM {RAW}")), int(client.command(f"SELECT count() FROM {QUARANTINE}"))


def test_signatures_size_quarantine_and_duplicates(database):
    _resource, env, client = database
    with ReceiverProcess(env, SECRET, extra_args=["--max-body-bytes", "4096"]) as rx:
        body = order_body(101)
        # Missing, forged, another secret's, the right one on other bytes: 401 and nothing stored.
        assert rx.post(body, signature=None) == 401
        assert rx.post(body, signature="0" * 40) == 401
        assert rx.post(body, signature=sign(b"another-secret", body)) == 401
        assert rx.post(body, signature=sign(SECRET.encode(), body + b" ")) == 401
        assert rx.post(body, signature="not hex at all \u00e9") == 401
        assert counts(client) == (0, 0)
        assert rx.health()["rejected"] == 5

        # Too large: 413, nothing stored (even correctly signed).
        big = order_body(102, "x" * 5000)
        assert rx.post(big) == 413
        assert counts(client) == (0, 0)

        # Correct: 200 only once the row is in ClickHouse (read right after the answer, no waiting).
        assert rx.post(body, event="payed") == 200
        assert counts(client) == (1, 0)
        # Uppercase hex is the same signature.
        assert rx.post(order_body(103), signature=sign(SECRET.encode(), order_body(103)).upper()) == 200
        # The same delivery again (a retry): 200, stored once. The same body under another event is another delivery.
        assert rx.post(body, event="payed") == 200
        assert rx.post(body, event="checked") == 200
        assert counts(client) == (3, 0)
        row = client.query(f"SELECT event_type, order_id, payload, updated_at FROM {RAW} WHERE event_type = 'payed'")
        event, order_id, payload, updated_at = row.result_rows[0]
        assert (event, order_id, payload.encode()) == ("payed", 101, body)
        assert updated_at.isoformat().startswith("2026-11-20T09:00:00")

        # Signed but unreadable: quarantined raw, 200 (QTickets would retry forever otherwise).
        for bad in (b"not json {", b"[1, 2]", b'{"id": "abc"}', b'{"no_id": 1}', b"\xff\xfe garbage"):
            assert rx.post(bad) == 200, bad
        assert counts(client) == (3, 5)
        reasons = dict(client.query(f"SELECT reason, count() FROM {QUARANTINE} GROUP BY reason").result_rows)
        assert reasons == {"not_json": 2, "no_order_id": 3}
        assert rx.post(b"not json {") == 200  # a quarantined delivery retried: stored once too
        assert counts(client) == (3, 5)

        health = rx.health()
        assert (health["accepted"], health["quarantined"], health["duplicates"], health["too_large"]) == (3, 5, 2, 1)
        logs = rx.logs()
    assert SECRET not in logs and SECRET[:8] not in logs
    assert "Traceback" not in logs


def test_concurrent_deliveries_share_inserts(database):
    """Many deliveries at once: every one answered 200 is in ClickHouse, and they went in fewer INSERTs."""
    from concurrent.futures import ThreadPoolExecutor

    _resource, env, client = database
    with ReceiverProcess(env, SECRET) as rx:
        with ThreadPoolExecutor(32) as pool:
            statuses = list(pool.map(lambda i: rx.post(order_body(1000 + i), event="created"), range(400)))
        assert statuses == [200] * 400
        assert counts(client) == (400, 0)
        health = rx.health()
        assert health["accepted"] == 400 and health["batches"] < 400


def test_missing_secret_is_one_clear_line(database):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "QTICKETS_WEBHOOK_SECRET"}
    done = subprocess.run(
        [sys.executable, "-m", "qtickets_assets.local.cli", "webhooks", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "QTICKETS_WEBHOOK_SECRET" in lines[0] and "Traceback" not in done.stderr


def wait_settled(sandbox, timeout=90.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status = sandbox.webhooks()
        if status["pending"] == 0 or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


def test_receiver_down_then_back_gets_everything_once(database):
    """The sandbox sends to a port where nothing listens; after some failed attempts the receiver starts on that
    port, and the sandbox's retries (n³ s x 0.01) deliver every change, each stored once."""
    _resource, env, client = database
    port = free_port()
    args = ["--webhook-url", f"http://127.0.0.1:{port}/webhooks/qtickets", "--webhook-secret", SECRET]
    args += ["--webhook-retry-scale", "0.01"]
    with SandboxServer(orders=300, seed=11, extra_args=args) as sandbox:
        summary = sandbox.advance(240)
        assert summary["orders_created"] > 0
        deadline = time.monotonic() + 30
        while sandbox.webhooks()["attempts"] < 2 * sandbox.webhooks()["sent"] and time.monotonic() < deadline:
            time.sleep(0.05)  # every delivery has failed at least twice: the receiver was really down
        down = sandbox.webhooks()
        assert down["delivered"] == 0 and down["attempts"] >= 2 * down["sent"] > 0
        with ReceiverProcess(env, SECRET, port=port) as rx:
            status = wait_settled(sandbox)
            assert status["pending"] == 0 and status["failed"] == 0, status
            assert status["delivered"] == status["sent"]
            rows, distinct = client.query(f"SELECT count(), uniqExact(delivery_hash) FROM {RAW}").result_rows[0]
            assert rows == distinct == status["delivered"]
            assert rx.health()["rejected"] == 0
            logs = rx.logs()
        # Every order the sandbox changed has its latest body stored.
        exported = {o["id"]: o for o in sandbox.export("orders")}
        stored = client.query(
            f"SELECT order_id, argMax(payload, (updated_at, _version)) FROM {RAW} GROUP BY order_id"
        ).result_rows
        assert len(stored) >= summary["orders_created"]
        for order_id, payload in stored:
            body = json.loads(payload)
            assert body["updated_at"] == exported[order_id]["updated_at"]
        leaks = find_leaks({"receiver log": logs}, personal_values(sandbox))
        assert leaks == []
        assert SECRET not in logs and SECRET[:8] not in logs
