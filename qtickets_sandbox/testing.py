"""SandboxServer: start the sandbox as a real process on a free loopback port, for tests and demos.

with SandboxServer(orders=2000, seed=42) as sb:
    requests.get(sb.rest_url + "/orders", headers={"Authorization": f"Bearer {sb.token}"}, json={...})
    sb.stats(); sb.export("orders"); sb.advance(60); sb.set_faults(rate=1.0, kinds=["429"])
    sb.set_webhooks(url="http://127.0.0.1:9/hook", secret="s", retry_scale=0.001); sb.webhooks()
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PACKAGE_PARENT = str(Path(__file__).resolve().parents[1])


class SandboxServer:
    def __init__(
        self,
        orders: int = 2000,
        seed: int = 42,
        latency_ms: int = 0,
        fault_rate: float = 0.0,
        faults=None,
        token: str = "sandbox-token",
        partners_token: str = "sandbox-partner-key",
        anchor: str | None = None,
        extra_args=(),
        start_timeout: float | None = None,
    ):
        self.orders, self.seed = orders, seed
        self.token, self.partners_token = token, partners_token
        self.args = [
            "--seed",
            str(seed),
            "--orders",
            str(orders),
            "--latency-ms",
            str(latency_ms),
            "--fault-rate",
            str(fault_rate),
            "--token",
            token,
            "--partners-token",
            partners_token,
        ]
        if faults:
            self.args += ["--faults", ",".join(faults) if not isinstance(faults, str) else faults]
        if anchor:
            self.args += ["--anchor", anchor]
        self.args += list(extra_args)
        self.start_timeout = start_timeout or 60.0 + orders / 10000.0
        self.proc = None
        self.port = None
        self._stderr = None

    # -- lifecycle --
    def start(self) -> SandboxServer:
        self._stderr = tempfile.TemporaryFile()
        env = dict(os.environ)
        env["PYTHONPATH"] = PACKAGE_PARENT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        cmd = [sys.executable, "-m", "qtickets_sandbox", "serve", "--host", "127.0.0.1", "--port", "0", *self.args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._stderr, env=env, text=True)
        deadline = time.monotonic() + self.start_timeout
        line = self.proc.stdout.readline()  # the ready line (or EOF when the process died)
        if not line.startswith("qtickets-sandbox listening on http://"):
            self._fail(f"sandbox did not start (output {line!r})")
        self.port = int(line.split("http://", 1)[1].split()[0].rsplit(":", 1)[1])
        while time.monotonic() < deadline:
            try:
                if self._get("/__sandbox/health").get("status") == "ok":
                    return self
            except OSError:
                time.sleep(0.05)
        self._fail("sandbox health check timed out")

    def _fail(self, message: str):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        err = b""
        if self._stderr:
            self._stderr.seek(0)
            err = self._stderr.read()[-4000:]
        raise RuntimeError(f"{message}; stderr: {err.decode('utf-8', 'replace')}")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc.stdout:
            self.proc.stdout.close()
        if self._stderr:
            self._stderr.close()
        self.proc = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- addresses --
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def rest_url(self) -> str:
        return self.base_url + "/api/rest/v1"

    @property
    def partners_url(self) -> str:
        return self.base_url + "/api/partners/v1"

    # -- admin helpers --
    def _get(self, path: str):
        with urllib.request.urlopen(self.base_url + path, timeout=120) as resp:
            return json.loads(resp.read())

    def _post(self, path: str, body: dict):
        data = json.dumps(body).encode()
        req = urllib.request.Request(
            self.base_url + path, data=data, method="POST", headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=120) as resp:
            return json.loads(resp.read())

    def stats(self) -> dict:
        return self._get("/__sandbox/stats")

    def export(self, resource: str):
        return self._get(f"/__sandbox/export/{resource}")

    def advance(self, minutes: float) -> dict:
        return self._post("/__sandbox/advance", {"minutes": minutes})

    def set_faults(self, **kw) -> dict:
        return self._post("/__sandbox/faults", kw)

    def faults(self) -> dict:
        return self._get("/__sandbox/faults")

    def webhooks(self) -> dict:
        return self._get("/__sandbox/webhooks")

    def set_webhooks(self, **kw) -> dict:
        """url, secret, events, retry_scale (any subset)."""
        return self._post("/__sandbox/webhooks", kw)

    def deactivate(self, kind: str, object_id: int) -> dict:
        """kind: "events" or "shows" (is_active = 0, as the cabinet's switch does)."""
        return self._post(f"/__sandbox/{kind}/{object_id}/deactivate", {})

    def delete(self, kind: str, object_id: int) -> dict:
        """kind: "events" or "shows" (deleted_at set; the object stays listed, as in real data)."""
        return self._post(f"/__sandbox/{kind}/{object_id}/delete", {})

    def set_payload_mode(self, resource: str, mode: str, field: str | None = None, **kw) -> dict:
        return self._post("/__sandbox/payload-mode", {"resource": resource, "mode": mode, "field": field, **kw})
