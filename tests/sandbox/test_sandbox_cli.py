"""The process: ready line, a busy port gives a clear one-line error, SIGTERM stops it cleanly."""

from __future__ import annotations

import subprocess
import sys

from qtickets_sandbox.testing import PACKAGE_PARENT, SandboxServer


def test_busy_port_is_a_one_line_error(shared_sandbox):
    proc = subprocess.run(
        [sys.executable, "-m", "qtickets_sandbox", "serve", "--port", str(shared_sandbox.port), "--orders", "10"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=PACKAGE_PARENT,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"qtickets-sandbox: port {shared_sandbox.port} on 127.0.0.1 is already in use"


def test_ready_line_and_clean_sigterm():
    sb = SandboxServer(orders=50, seed=1).start()
    proc = sb.proc
    assert sb.stats()["orders"] == 50
    proc.terminate()
    assert proc.wait(5) == 0
    sb.proc = proc  # let stop() close the pipes
    sb.stop()


def test_bad_arguments():
    proc = subprocess.run(
        [sys.executable, "-m", "qtickets_sandbox", "serve", "--anchor", "yesterday"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=PACKAGE_PARENT,
    )
    assert proc.returncode == 2 and "invalid --anchor" in proc.stderr


def test_health_identifies_the_sandbox(shared_sandbox):
    health = shared_sandbox._get("/__sandbox/health")
    assert health["status"] == "ok" and health["service"] == "qtickets-sandbox" and health["sandbox"] is True
    assert health["clock"].endswith("+03:00") and set(health) == {"status", "service", "sandbox", "clock"}
