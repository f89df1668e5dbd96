"""ReceiverProcess: `qtickets-platform webhooks` as a real subprocess on a free loopback port (tests, the bench).

with ReceiverProcess(clickhouse_env, secret="s") as rx:
    rx.url  # http://127.0.0.1:PORT/webhooks/qtickets
    rx.health()  # the /healthz counters
    rx.post(body, event="payed")  # a correctly signed delivery -> HTTP status
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from qtickets_assets.webhooks.receiver import sign


class ReceiverProcess:
    def __init__(self, clickhouse_env: dict, secret: str, port: int = 0, extra_args=()):
        self.clickhouse_env, self.secret, self.port, self.extra_args = clickhouse_env, secret, port, list(extra_args)
        self.proc = None
        self.log = None

    def start(self) -> ReceiverProcess:
        env = {**os.environ, **self.clickhouse_env, "QTICKETS_WEBHOOK_SECRET": self.secret}
        self.log = tempfile.NamedTemporaryFile(prefix="webhooks-", suffix=".log", delete=False)
        cmd = [sys.executable, "-m", "qtickets_assets.local.cli", "webhooks", "--port", str(self.port)]
        self.proc = subprocess.Popen(
            [*cmd, *self.extra_args], stdout=subprocess.PIPE, stderr=self.log, env=env, text=True
        )
        line = self.proc.stdout.readline()
        if "listening on http://" not in line:
            self.stop()
            raise RuntimeError(f"receiver did not start: {line!r}; log: {self.logs()[-2000:]}")
        self.port = int(line.split("http://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.health()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("receiver /healthz did not answer")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return self.base_url + "/webhooks/qtickets"

    def health(self) -> dict:
        with urllib.request.urlopen(self.base_url + "/healthz", timeout=10) as resp:
            return json.loads(resp.read())

    def post(self, body: bytes, event: str = "updated", signature: str | None = "sign", headers=None) -> int:
        """POST a delivery; signature "sign" = the correct one, None = no X-Signature header, else sent as given."""
        h = {"Content-Type": "application/json", "X-Event-Type": event, "X-Model-Name": "Order", **(headers or {})}
        if signature == "sign":
            h["X-Signature"] = sign(self.secret.encode(), body)
        elif signature is not None:
            h["X-Signature"] = signature
        req = urllib.request.Request(self.url, data=body, method="POST", headers=h)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status
        except urllib.error.HTTPError as err:
            return err.code

    def pid(self) -> int:
        return self.proc.pid

    def logs(self) -> str:
        if self.log is None:
            return ""
        with open(self.log.name, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc is not None and self.proc.stdout:
            self.proc.stdout.close()
        self.proc = None

    def __enter__(self) -> ReceiverProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        if self.log is not None:
            self.log.close()
