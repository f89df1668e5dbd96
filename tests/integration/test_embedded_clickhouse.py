"""The embedded ClickHouse launcher: answers, persists across a restart, refuses a busy port, stops cleanly."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from qtickets_assets.local.clickhouse_server import EmbeddedClickHouse, EmbeddedClickHouseError, free_port


def query(port: int, sql: str) -> str:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", data=sql.encode())
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode().strip()


def test_serves_clickhouse_26_9_and_persists_across_restart(tmp_path):
    port = free_port()
    with EmbeddedClickHouse(tmp_path / "data", http_port=port, tcp_port=None) as server:
        assert query(server.http_port, "SELECT version()").startswith("26.9.")
        query(port, "CREATE TABLE default.kept (x UInt32) ENGINE = MergeTree ORDER BY x")
        query(port, "INSERT INTO default.kept VALUES (1), (2), (3)")
    assert not server.running
    with EmbeddedClickHouse(tmp_path / "data", http_port=port, tcp_port=None):
        assert query(port, "SELECT sum(x) FROM default.kept") == "6"


def test_cli_stops_on_sigterm_within_5_seconds(tmp_path):
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "qtickets_assets.local.cli",
        "clickhouse",
        "--path",
        str(tmp_path / "d"),
        "--http-port",
        str(port),
        "--tcp-port",
        "0",
    ]
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().startswith("ClickHouse ready")
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
        assert time.monotonic() - started < 5
    finally:
        if process.poll() is None:
            process.kill()


def test_busy_port_gives_one_clear_line(tmp_path, clickhouse_server):
    cmd = [
        sys.executable,
        "-m",
        "qtickets_assets.local.cli",
        "clickhouse",
        "--path",
        str(tmp_path / "d"),
        "--http-port",
        str(clickhouse_server.http_port),
        "--tcp-port",
        "0",
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [
        f"qtickets-platform clickhouse: error: HTTP port {clickhouse_server.http_port} "
        "on 127.0.0.1 is already in use; choose another port"
    ]
    assert "Traceback" not in result.stderr


def test_helper_reports_busy_port(tmp_path, clickhouse_server):
    with pytest.raises(EmbeddedClickHouseError, match="already in use"):
        EmbeddedClickHouse(tmp_path / "d", http_port=clickhouse_server.http_port, tcp_port=None).start()


def test_native_tcp_listener_answers(clickhouse_server):
    import socket

    with socket.create_connection(("127.0.0.1", clickhouse_server.tcp_port), timeout=5):
        pass


def test_same_helper_restarts_after_a_kill(tmp_path):
    server = EmbeddedClickHouse(tmp_path / "d", tcp_port=None).start()
    try:
        query(server.http_port, "CREATE TABLE default.k (x UInt8) ENGINE = MergeTree ORDER BY x")
        query(server.http_port, "INSERT INTO default.k VALUES (1)")
        server.kill()
        server.start()
        assert query(server.http_port, "SELECT count() FROM default.k") == "1"
    finally:
        server.stop()
