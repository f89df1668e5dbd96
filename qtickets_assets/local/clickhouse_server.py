"""Start and stop the embedded ClickHouse as a subprocess (the demo, `make dev` and the tests use this).

The engine can only run once per process (chdb's LocalServer), so every start is a fresh
`python -m qtickets_assets.local.cli clickhouse ...` child. Readiness = the child's "ClickHouse ready" line, which
it prints only after its own marker query was seen through the HTTP port (see clickhouse_engine.py).
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from qtickets_assets.local.processes import child_setup

START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EmbeddedClickHouseError(RuntimeError):
    pass


class EmbeddedClickHouse:
    """Context manager: a real ClickHouse server on 127.0.0.1 with its data in `path`.

    `http_port=0` / `tcp_port=0` pick free ports; `tcp_port=None` leaves the native listener off.
    """

    host = "127.0.0.1"

    def __init__(
        self,
        path: str | os.PathLike,
        http_port: int = 0,
        tcp_port: int | None = 0,
        database: str = "qtickets",
        cluster_config: str | os.PathLike | None = None,
    ):
        self.path = Path(path).absolute()
        self.cluster_config = Path(cluster_config).absolute() if cluster_config else None
        self.http_port = http_port or free_port()
        self.tcp_port = None if tcp_port is None else (tcp_port or free_port())
        self.database = database
        self.process: subprocess.Popen | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self.stderr_tail: list[str] = []

    # -- lifecycle -------------------------------------------------------------------------------------
    def start(self) -> EmbeddedClickHouse:
        self._lines = queue.Queue()  # a fresh queue: a previous run's end-of-output marker must not end this start
        self.stderr_tail = []
        cmd = [
            sys.executable,
            "-m",
            "qtickets_assets.local.cli",
            "clickhouse",
            "--path",
            str(self.path),
            "--http-port",
            str(self.http_port),
            "--tcp-port",
            str(self.tcp_port or 0),
        ]
        if self.cluster_config:
            cmd += ["--cluster-config", str(self.cluster_config)]
        # Its own session (as before), and SIGTERM from the kernel if we die first: a killed test run or launcher
        # must not leave a server holding its ports and data folder (it stops within a second on SIGTERM).
        self.process = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=child_setup()
        )
        threading.Thread(target=self._pump, args=(self.process.stdout, True), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.process.stderr, False), daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                line = self._lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            if line is None:
                break
            if line.startswith("ClickHouse ready"):
                return self
        self._terminate()
        detail = self._last_error() or "no output"
        raise EmbeddedClickHouseError(f"embedded ClickHouse failed to start on port {self.http_port}: {detail}")

    def stop(self) -> None:
        self._terminate()

    def kill(self) -> None:
        """SIGKILL the server (fault tests): no clean shutdown."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT_S)

    def __enter__(self) -> EmbeddedClickHouse:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- helpers ---------------------------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        return {
            "CLICKHOUSE_HOST": self.host,
            "CLICKHOUSE_PORT": str(self.http_port),
            "CLICKHOUSE_TCP_PORT": str(self.tcp_port or ""),
            "CLICKHOUSE_USER": "default",
            "CLICKHOUSE_PASSWORD": "",
            "CLICKHOUSE_DATABASE": self.database,
            "CLICKHOUSE_SECURE": "false",
        }

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _pump(self, stream, is_stdout: bool) -> None:
        for line in stream:
            line = line.rstrip("\n")
            if is_stdout:
                self._lines.put(line)
            else:
                self.stderr_tail = (self.stderr_tail + [line])[-20:]
        if is_stdout:
            self._lines.put(None)

    def _last_error(self) -> str:
        for line in reversed(self.stderr_tail):
            if "error" in line.lower():
                return line.strip()
        return self.stderr_tail[-1].strip() if self.stderr_tail else ""

    def _terminate(self) -> None:
        if not self.process or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT_S)
