"""Serve a real ClickHouse 26.9 over HTTP (and native TCP) from the chdb-core wheel, in THIS process.

How (docs/architecture.md#embedded-clickhouse): the private `chdb._chdb.query()` runs the full clickhouse-local
program, which can open the real listeners with `SYSTEM START LISTEN`. The listeners live only while that one
query runs, so the query is an endless `sleepEachRow` carrying a unique marker; stopping is `KILL QUERY` on that
marker. clickhouse-local reads its ports from ./config.xml, so we chdir into a private temp dir after `import chdb`
(the import itself starts an embedded server that would also read ./config.xml).

One engine run per process: restarts are new processes (see clickhouse_server.py for the supervisor side).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

LISTEN_HOST = "127.0.0.1"
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 5.0


class EngineError(RuntimeError):
    """A one-line, user-facing reason why the engine could not serve."""


def port_is_free(port: int, host: str = LISTEN_HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


# Set by the launcher only: a cluster config that tried to change them would open the server beyond loopback.
RESERVED_CONFIG = ("listen_host", "http_port", "tcp_port", "https_port", "tcp_port_secure", "interserver_http_port")


def extra_config(path: str | None) -> str:
    """The children of an extra config file's <clickhouse> root (e.g. <remote_servers> and <macros> for a sharded
    cluster: docs/clickhouse_cluster.md), as XML text to merge into the server's config. Raises EngineError."""
    if not path:
        return ""
    import xml.etree.ElementTree as ET

    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise EngineError(f"--cluster-config {path}: {exc}") from None
    if root.tag != "clickhouse":
        raise EngineError(f"--cluster-config {path}: the root element must be <clickhouse>, not <{root.tag}>")
    reserved = [child.tag for child in root if child.tag in RESERVED_CONFIG]
    if reserved:
        raise EngineError(f"--cluster-config {path}: <{reserved[0]}> is set by the launcher (loopback only)")
    return "".join(ET.tostring(child, encoding="unicode") for child in root)


def _config_xml(http_port: int, tcp_port: int, extra: str = "") -> str:
    tcp = f"<tcp_port>{tcp_port}</tcp_port>" if tcp_port else ""
    return (
        f"<clickhouse><listen_host>{LISTEN_HOST}</listen_host><http_port>{http_port}</http_port>{tcp}{extra}"
        "</clickhouse>"
    )


def _http(port: int, sql: str, post: bool = False, timeout: float = 2.0) -> str:
    url = f"http://{LISTEN_HOST}:{port}/"
    if post:  # a GET runs readonly=2 and cannot see/kill other queries
        request = urllib.request.Request(url, data=sql.encode(), method="POST")
    else:
        request = urllib.request.Request(url + "?" + urllib.parse.urlencode({"query": sql}))
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read().decode()


class Engine:
    """The engine thread plus the readiness probe and the stop command for one marker."""

    def __init__(self, data_path: str, http_port: int, tcp_port: int, cluster_config: str | None = None):
        self.data_path = os.path.abspath(data_path)
        self.http_port = http_port
        self.tcp_port = tcp_port
        self.cluster_config = cluster_config
        self.marker = f"qtickets_embedded_{uuid.uuid4().hex}"
        self.error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def _marker_sql(self) -> str:
        listen = "SYSTEM START LISTEN HTTP; " + ("SYSTEM START LISTEN TCP; " if self.tcp_port else "")
        return (
            f"{listen}SELECT sleepEachRow(0.5) AS {self.marker} FROM numbers(1e12) "
            "SETTINGS max_block_size=1, function_sleep_max_microseconds_per_block=0 FORMAT Null"
        )

    def start(self) -> None:
        extra = extra_config(self.cluster_config)
        for port, name in ((self.http_port, "HTTP"), (self.tcp_port, "TCP")):
            if port and not port_is_free(port):
                raise EngineError(f"{name} port {port} on {LISTEN_HOST} is already in use; choose another port")
        os.makedirs(self.data_path, exist_ok=True)
        import chdb  # noqa: F401  (must precede the chdir, see the module docstring)
        from chdb import _chdb

        workdir = tempfile.mkdtemp(prefix="qtickets_ch_")
        with open(os.path.join(workdir, "config.xml"), "w") as fh:
            fh.write(_config_xml(self.http_port, self.tcp_port, extra))
        os.chdir(workdir)

        def run() -> None:
            try:
                # The output format given here becomes the HTTP default format of the served queries: keep ClickHouse's own.
                _chdb.query(self._marker_sql(), "TabSeparated", path=self.data_path)
            except BaseException as exc:  # noqa: BLE001 - any end of the server thread is reported by wait_ready
                self.error = exc
            finally:
                shutil.rmtree(workdir, ignore_errors=True)

        self._thread = threading.Thread(target=run, name="clickhouse-engine", daemon=True)
        self._thread.start()

    def is_ours_serving(self) -> bool:
        """True only when OUR marker query is visible through the port: a foreign server never passes."""
        sql = (
            "SELECT count() FROM system.processes "
            f"WHERE query LIKE '%AS {self.marker} FROM numbers%' AND query NOT LIKE '%system.processes%'"
        )
        try:
            return _http(self.http_port, sql).strip() == "1"
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._thread is not None and not self._thread.is_alive():
                detail = f": {self.error}" if self.error else ""
                raise EngineError(f"ClickHouse engine stopped during start-up{detail}".splitlines()[0])
            if self.is_ours_serving():
                return
            time.sleep(0.1)
        raise EngineError(f"ClickHouse did not become ready on {LISTEN_HOST}:{self.http_port} within {timeout:.0f} s")

    def stop(self) -> bool:
        """Kill the marker query (listeners close with it); True when the engine thread finished in time."""
        if self._thread is None or not self._thread.is_alive():
            return True
        sql = f"KILL QUERY WHERE query LIKE '%{self.marker} FROM numbers%' AND query NOT LIKE 'KILL%' SYNC"
        try:
            _http(self.http_port, sql, post=True, timeout=STOP_TIMEOUT_S)
        except (urllib.error.URLError, OSError):
            pass
        self._thread.join(STOP_TIMEOUT_S + 2)
        return not self._thread.is_alive()


def serve_forever(data_path: str, http_port: int, tcp_port: int, cluster_config: str | None = None) -> int:
    """Run until SIGTERM/SIGINT. Returns the process exit code; prints one line on errors."""
    engine = Engine(data_path, http_port, tcp_port, cluster_config)
    stop_requested = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop_requested.set())
    signal.signal(signal.SIGINT, lambda *_: stop_requested.set())
    try:
        engine.start()
        engine.wait_ready()
    except EngineError as exc:
        print(f"qtickets-platform clickhouse: error: {exc}", file=sys.stderr, flush=True)
        engine.stop()
        return 2
    tcp = f", native TCP on {LISTEN_HOST}:{tcp_port}" if tcp_port else ""
    print(f"ClickHouse ready: HTTP on http://{LISTEN_HOST}:{http_port}{tcp}, data in {engine.data_path}", flush=True)
    while not stop_requested.wait(0.5):
        if engine.error is not None or (engine._thread is not None and not engine._thread.is_alive()):
            print(f"qtickets-platform clickhouse: error: engine stopped: {engine.error}", file=sys.stderr, flush=True)
            return 1
    stopped = engine.stop()
    print("ClickHouse stopped" if stopped else "ClickHouse did not stop in time; exiting hard", flush=True)
    return 0 if stopped else 1
