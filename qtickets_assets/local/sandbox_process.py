"""Start the local QTickets sandbox as a separate process for the demo and `make dev`.

The platform never imports `qtickets_sandbox`: it only runs it, exactly like it would reach qtickets.ru.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from qtickets_assets.local.clickhouse_server import free_port
from qtickets_assets.local.processes import child_setup

SANDBOX_TOKEN = "sandbox-token"
SANDBOX_PARTNERS_TOKEN = "sandbox-partner-key"


class SandboxProcess:
    def __init__(
        self,
        port: int = 0,
        orders: int = 5000,
        seed: int = 42,
        extra_args: tuple[str, ...] = (),
        log_path: Path | None = None,
    ):
        self.log_path = log_path  # long-lived sandboxes write their log here (a pipe nobody reads would fill up)
        self.port = port or free_port()
        self.orders = orders
        self.seed = seed
        self.extra_args = extra_args
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return {
            "QTICKETS_BASE_URL": f"{self.base_url}/api/rest/v1",
            "QTICKETS_PARTNERS_BASE_URL": f"{self.base_url}/api/partners/v1",
            "QTICKETS_TOKEN": SANDBOX_TOKEN,
            "QTICKETS_PARTNERS_TOKEN": SANDBOX_PARTNERS_TOKEN,
        }

    def start(self, timeout: float = 120.0) -> SandboxProcess:
        return self.launch().wait_ready(timeout)

    def launch(self) -> SandboxProcess:
        """Start the process without waiting: the caller can start other servers while the sandbox generates."""
        cmd = [
            sys.executable,
            "-m",
            "qtickets_sandbox",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--seed",
            str(self.seed),
            "--orders",
            str(self.orders),
            *self.extra_args,
        ]
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(
                    cmd, stdout=subprocess.DEVNULL, stderr=log, preexec_fn=child_setup(), text=True
                )
        else:
            self.process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        return self

    def wait_ready(self, timeout: float = 120.0) -> SandboxProcess:
        """Block until the sandbox answers its health route (it generates its data first)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the sandbox exited: {self._stderr_tail()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/__sandbox/health", timeout=2) as response:
                    if json.load(response).get("status") == "ok":
                        return self
            except (urllib.error.URLError, OSError, ValueError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the sandbox did not answer on {self.base_url} within {timeout:.0f} s")

    def _stderr_tail(self) -> str:
        if self.process.stderr is not None:
            return (self.process.stderr.read() or "").strip()[-300:]
        try:
            return self.log_path.read_text(errors="replace").strip()[-300:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def __enter__(self) -> SandboxProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
