"""ClickHouse SIGKILLed while webhooks stream in: the receiver answers 503 (never 200 for a delivery it could not
store), the sandbox retries (n³ s x 0.02), and after a restart of ClickHouse on the same data directory and ports
every delivery is stored exactly once: nothing lost, nothing doubled.
"""

from __future__ import annotations

import threading
import time

import clickhouse_connect
import pytest

from qtickets_assets.clickhouse.resource import ClickHouseResource
from qtickets_assets.local.clickhouse_server import EmbeddedClickHouse, free_port
from qtickets_assets.webhooks.testing import ReceiverProcess
from qtickets_sandbox.testing import SandboxServer

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

SECRET = "kill-test-webhook-secret"
RAW = "stg_qtickets_webhooks_raw"


class Server:
    """Restartable on the same data directory and ports (a NEW EmbeddedClickHouse object, as in
    test_database_faults.py: the same object cannot start again after kill())."""

    def __init__(self, path):
        self.current = EmbeddedClickHouse(path, http_port=0, tcp_port=0)

    def restart(self) -> None:
        old = self.current
        self.current = EmbeddedClickHouse(old.path, http_port=old.http_port, tcp_port=old.tcp_port)
        self.current.start()


def stream(sandbox, stop: threading.Event) -> None:
    """Order activity in small steps, so deliveries keep arriving before, during and after the outage."""
    while not stop.is_set():
        sandbox.advance(20)
        time.sleep(0.2)


@pytest.mark.slow
def test_clickhouse_killed_mid_stream_loses_and_doubles_nothing(tmp_path):
    server = Server(tmp_path / "ch")
    server.current.start()
    try:
        ch = server.current
        ClickHouseResource(host=ch.host, port=ch.http_port, database="qtickets").bootstrap()
        port = free_port()
        hooks = ["--webhook-url", f"http://127.0.0.1:{port}/webhooks/qtickets", "--webhook-secret", SECRET]
        with (
            ReceiverProcess(ch.env(), SECRET, port=port) as rx,
            SandboxServer(orders=1500, seed=5, extra_args=[*hooks, "--webhook-retry-scale", "0.02"]) as sandbox,
        ):
            stop = threading.Event()
            producer = threading.Thread(target=stream, args=(sandbox, stop), daemon=True)
            producer.start()
            client = clickhouse_connect.get_client(host=ch.host, port=ch.http_port, database="qtickets")
            deadline = time.monotonic() + 60
            while int(client.command(f"SELECT count() FROM {RAW}")) < 100 and time.monotonic() < deadline:
                time.sleep(0.05)
            before_kill = int(client.command(f"SELECT count() FROM {RAW}"))
            assert before_kill >= 100, "the stream never got going"
            server.current.kill()
            deadline = time.monotonic() + 30
            while rx.health()["unavailable"] < 5 and time.monotonic() < deadline:
                time.sleep(0.05)
            down = rx.health()
            assert down["unavailable"] >= 5 and down["clickhouse"] == "unreachable", down
            time.sleep(2)  # the outage lasts a while: retries pile up
            server.restart()
            time.sleep(2)  # more activity after the restart
            stop.set()
            producer.join(30)
            deadline = time.monotonic() + 120
            while (status := sandbox.webhooks())["pending"] and time.monotonic() < deadline:
                time.sleep(0.1)
            assert status["pending"] == 0 and status["failed"] == 0, status
            assert status["delivered"] == status["sent"] and status["attempts"] > status["sent"]
            ch = server.current
            client = clickhouse_connect.get_client(host=ch.host, port=ch.http_port, database="qtickets")
            rows, distinct = client.query(f"SELECT count(), uniqExact(delivery_hash) FROM {RAW}").result_rows[0]
            assert rows == distinct == status["delivered"], (rows, distinct, status)
            after = rx.health()
            assert after["clickhouse"] == "ok" and after["rejected"] == 0
            logs = rx.logs()
            assert "ClickHouse unavailable" in logs and "reachable again" in logs and "Traceback" not in logs
            assert SECRET not in logs
            print(
                f"RELIABILITY webhook clickhouse-kill: {before_kill} rows before the kill, {after['unavailable']} "
                f"answers 503, {status['sent']} deliveries in {status['attempts']} attempts, {rows} rows stored, "
                f"{after['duplicates']} duplicates recognised"
            )
    finally:
        server.current.kill()
