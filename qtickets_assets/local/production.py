"""`qtickets-platform deploy-local` (`make prod`): the production topology on one machine, each part its own process.

    PostgreSQL        Dagster's instance storage (runs, event log, schedules, sensor cursors)  .local/postgres
    ClickHouse        the embedded server, unless CLICKHOUSE_HOST is set                       .local/prod/clickhouse
    QTickets sandbox  unless QTICKETS_BASE_URL is set
    code server       `dagster api grpc -m qtickets_assets.definitions`: loads the code, launches the run workers
    dagster-daemon    schedules, sensors, the run queue, run monitoring
    dagster-webserver the UI, on 127.0.0.1:--port

The Dagster processes use deploy/dagster.yaml (copied into DAGSTER_HOME = .local/prod/dagster at every start, so
edits there take effect on the next start) and deploy/workspace.yaml: exactly what the container images run
(deploy/docker-compose.yml). They run from `.local/prod`, so a `.env` in the repository cannot silently override
the settings this command passes (the Dagster CLIs load `.env` from their working directory).

It waits until every part is healthy (the webserver's GraphQL reports every required daemon healthy), prints one
line per process, then runs until Ctrl-C or SIGTERM and stops everything; if a part dies it says which and stops
the rest. A busy port or an unreachable PostgreSQL gives one line naming the setting.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from qtickets_assets.local.clickhouse_engine import port_is_free
from qtickets_assets.local.processes import ManagedProcess
from qtickets_assets.local.stack import LOCAL_DIR, _preferred

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
LOCATION = "qtickets"

DAEMON_HEALTH = """query { instance { daemonHealth { allDaemonStatuses {
  daemonType required healthy lastHeartbeatErrors { message } } } } }"""


class StackError(RuntimeError):
    """One line for the operator; no traceback."""


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def graphql(port: int, query: str, variables: dict | None = None, timeout: float = 10.0) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        answer = json.load(response)
    if answer.get("errors"):
        raise StackError(f"GraphQL error: {answer['errors'][0].get('message')}")
    return answer["data"]


def daemon_statuses(port: int) -> list[dict]:
    return graphql(port, DAEMON_HEALTH)["instance"]["daemonHealth"]["allDaemonStatuses"]


class ProductionStack:
    """The parts, started in order into an ExitStack (which stops them in reverse order).

    `root`: the local state folder (.local); `base_env`: the settings (default: this process's environment);
    `instance_overrides`: top-level keys replacing those of deploy/dagster.yaml (tests shorten run monitoring's
    poll interval, nothing else)."""

    def __init__(
        self,
        port: int,
        grpc_port: int,
        pg_port: int,
        orders: int = 5000,
        root: Path = LOCAL_DIR,
        base_env: dict[str, str] | None = None,
        instance_overrides: dict | None = None,
        log=print,
    ):
        self.port, self.grpc_port, self.pg_port, self.orders = port, grpc_port, pg_port, orders
        self.root = Path(root).absolute()
        self.prod_dir = self.root / "prod"
        self.base_env = dict(os.environ if base_env is None else base_env)
        self.instance_overrides = instance_overrides or {}
        self.log = log
        self.home = self.prod_dir / "dagster"
        self.logs = self.prod_dir / "logs"
        self.processes: list[ManagedProcess] = []
        self.lines: list[str] = []
        self.env: dict[str, str] = {}
        self.code_server: ManagedProcess | None = None
        self.daemon: ManagedProcess | None = None
        self.webserver: ManagedProcess | None = None

    # -- checks before anything starts ----------------------------------------------------------------------------
    def preflight(self) -> None:
        from qtickets_assets.settings import check_cadences

        problems = check_cadences(self.base_env)
        if problems:
            raise StackError(problems[0])
        ports = [(self.port, "--port (the webserver)"), (self.grpc_port, "--grpc-port / DAGSTER_GRPC_PORT")]
        if not self.base_env.get("DAGSTER_PG_HOST"):
            ports.append((self.pg_port, "--pg-port / DAGSTER_PG_PORT (the local PostgreSQL)"))
        for port, setting in ports:
            if not port_is_free(port):
                raise StackError(f"port {port} on 127.0.0.1 is busy: choose another with {setting}")

    # -- the parts ----------------------------------------------------------------------------------------------
    def start(self, stack: contextlib.ExitStack) -> None:
        self.preflight()
        self.logs.mkdir(parents=True, exist_ok=True)
        env = dict(self.base_env)
        env.update({"DAGSTER_HOME": str(self.home), "DAGSTER_GRPC_HOST": "127.0.0.1"})
        env["DAGSTER_GRPC_PORT"] = str(self.grpc_port)
        env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")

        env.update(self._postgres(stack))
        env.update(self._clickhouse(stack))
        env.update(self._sandbox(stack))
        self.env = env
        self._instance()

        self.code_server = code_server = self._spawn(
            "code server",
            [
                _bin("dagster"),
                "api",
                "grpc",
                "--module-name",
                "qtickets_assets.definitions",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.grpc_port),
                "--location-name",
                LOCATION,
                "--working-directory",
                str(REPO),
            ],
        )
        stack.callback(code_server.stop)
        self._wait("code server", code_server, self._grpc_ready, 180)
        self.lines.append(
            f"  code server   grpc://127.0.0.1:{self.grpc_port}  (location {LOCATION}, pid {code_server.pid}; "
            f"log {self._rel(code_server.log_path)})"
        )

        self.webserver = webserver = self._spawn(
            "webserver",
            [_bin("dagster-webserver"), "-w", self.workspace, "-h", "127.0.0.1", "-p", str(self.port)],
        )
        stack.callback(lambda: self.webserver.stop())
        self.daemon = daemon = self._spawn("daemon", self.daemon_cmd)
        stack.callback(lambda: self.daemon.stop())
        self._wait("webserver", webserver, self._webserver_ready, 180)
        self._wait("daemon", daemon, self._daemons_healthy, 240)
        self.lines.append(
            f"  daemon        all required daemons healthy  (pid {daemon.pid}; log {self._rel(daemon.log_path)})"
        )
        self.lines.append(
            f"  webserver     http://127.0.0.1:{self.port}  (pid {webserver.pid}; log {self._rel(webserver.log_path)})"
        )

    workspace = str(DEPLOY / "workspace.yaml")

    @property
    def daemon_cmd(self) -> list[str]:
        return [_bin("dagster-daemon"), "run", "-w", self.workspace]

    def restart_daemon(self, timeout: float = 240) -> None:
        """Stop the daemon and start a new one (its state lives in PostgreSQL, not in the process)."""
        self.daemon.stop()
        self.processes.remove(self.daemon)
        self.daemon = self._spawn("daemon", self.daemon_cmd)
        self._wait("daemon", self.daemon, self._daemons_healthy, timeout)

    def _postgres(self, stack: contextlib.ExitStack) -> dict[str, str]:
        if self.base_env.get("DAGSTER_PG_HOST"):  # an existing PostgreSQL: check it, start nothing
            self._check_external_postgres()
            host, port = self.base_env["DAGSTER_PG_HOST"], self.base_env.get("DAGSTER_PG_PORT", "5432")
            self.lines.append(f"  postgres      {host}:{port}  (DAGSTER_PG_HOST: not started here)")
            return {"DAGSTER_PG_PORT": port}
        from qtickets_assets.local.postgres import LocalPostgres, PostgresError

        self.log(f"==> starting PostgreSQL on 127.0.0.1:{self.pg_port} (data {self._rel(self.root / 'postgres')})")
        postgres = LocalPostgres(self.root / "postgres", self.pg_port)
        try:
            stack.enter_context(postgres)
        except PostgresError as exc:
            raise StackError(str(exc)) from None
        self.lines.append(
            f"  postgres      127.0.0.1:{self.pg_port}  (pid {postgres.process.pid}; data "
            f"{self._rel(postgres.data)}; log {self._rel(postgres.log_path)})"
        )
        return postgres.env()

    def _check_external_postgres(self) -> None:
        import psycopg2

        env = self.base_env
        try:
            psycopg2.connect(
                host=env["DAGSTER_PG_HOST"],
                port=int(env.get("DAGSTER_PG_PORT", "5432")),
                user=env.get("DAGSTER_PG_USER", "dagster"),
                password=env.get("DAGSTER_PG_PASSWORD", ""),
                dbname=env.get("DAGSTER_PG_DB", "dagster"),
                connect_timeout=5,
            ).close()
        except Exception as exc:  # noqa: BLE001 - one line naming the settings; the driver's text may hold the host
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StackError(
                f"PostgreSQL is unreachable with DAGSTER_PG_HOST/DAGSTER_PG_PORT/DAGSTER_PG_USER/DAGSTER_PG_PASSWORD/"
                f"DAGSTER_PG_DB: {reason}"
            ) from None

    def _clickhouse(self, stack: contextlib.ExitStack) -> dict[str, str]:
        if self.base_env.get("CLICKHOUSE_HOST"):
            self.lines.append(f"  clickhouse    {self.base_env['CLICKHOUSE_HOST']} (CLICKHOUSE_HOST: not started here)")
            return {}
        from qtickets_assets.local.clickhouse_server import EmbeddedClickHouse, EmbeddedClickHouseError

        self.log("==> starting the embedded ClickHouse")
        clickhouse = EmbeddedClickHouse(
            self.prod_dir / "clickhouse", http_port=_preferred(8123), tcp_port=_preferred(9000)
        )
        try:
            stack.enter_context(clickhouse)
        except EmbeddedClickHouseError as exc:
            raise StackError(str(exc)) from None
        self.lines.append(
            f"  clickhouse    http://127.0.0.1:{clickhouse.http_port}  (pid {clickhouse.process.pid}; data "
            f"{self._rel(clickhouse.path)})"
        )
        from qtickets_assets.clickhouse.resource import ClickHouseResource

        ClickHouseResource(host=clickhouse.host, port=clickhouse.http_port).bootstrap()
        return clickhouse.env()

    def _sandbox(self, stack: contextlib.ExitStack) -> dict[str, str]:
        if self.base_env.get("QTICKETS_BASE_URL"):
            self.lines.append("  qtickets      QTICKETS_BASE_URL (not started here)")
            return {}
        from qtickets_assets.local.sandbox_process import SandboxProcess

        self.log(f"==> starting the QTickets sandbox ({self.orders:,} orders)")
        sandbox = SandboxProcess(port=_preferred(8765), orders=self.orders, log_path=self.logs / "sandbox.log")
        try:
            stack.enter_context(sandbox)
        except RuntimeError as exc:
            raise StackError(str(exc)) from None
        self.lines.append(
            f"  sandbox       {sandbox.base_url}  (pid {sandbox.process.pid}; log {self._rel(self.logs / 'sandbox.log')})"
        )
        return sandbox.env()

    def _instance(self) -> None:
        """DAGSTER_HOME with the production dagster.yaml; the storage schema is created or migrated here, once,
        before three processes open it at the same time."""
        self.home.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DEPLOY / "dagster.yaml", self.home / "dagster.yaml")
        if self.instance_overrides:
            import yaml

            config = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())
            config.update(self.instance_overrides)
            (self.home / "dagster.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
        done = _run_quietly([_bin("dagster"), "instance", "migrate"], self.env, self.prod_dir)
        if done[0] != 0:
            raise StackError(f"`dagster instance migrate` failed on the PostgreSQL storage: {done[1]}")

    # -- health ---------------------------------------------------------------------------------------------------
    def _spawn(self, name: str, cmd: list[str]) -> ManagedProcess:
        self.log(f"==> starting the {name}")
        log_path = self.logs / f"{name.replace(' ', '_')}.log"
        process = ManagedProcess(name, cmd, self.env, self.prod_dir, log_path).start()
        self.processes.append(process)
        return process

    def _wait(self, name: str, process: ManagedProcess, ready, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not process.alive():
                raise StackError(f"the {name} exited at start: {process.log_tail() or 'no output'}")
            if ready():
                return
            time.sleep(1.0)
        raise StackError(f"the {name} was not healthy within {timeout:.0f} s: {process.log_tail() or 'no output'}")

    def _grpc_ready(self) -> bool:
        """The port accepts connections and the server answers a ping (it has loaded the definitions)."""
        import socket

        from dagster._grpc.client import DagsterGrpcClient

        try:
            socket.create_connection(("127.0.0.1", self.grpc_port), timeout=1).close()
            return DagsterGrpcClient(port=self.grpc_port, host="127.0.0.1").ping("ready") is not None
        except Exception:  # noqa: BLE001 - not up yet
            return False

    def _webserver_ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/server_info", timeout=3) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def _daemons_healthy(self) -> bool:
        try:
            statuses = daemon_statuses(self.port)
        except (StackError, urllib.error.URLError, OSError, ValueError):
            return False
        required = [s for s in statuses if s["required"]]
        return bool(required) and all(s["healthy"] for s in required)

    @staticmethod
    def _rel(path: Path) -> str:
        try:
            return str(Path(path).relative_to(Path.cwd()))
        except ValueError:
            return str(path)


def _run_quietly(cmd: list[str], env: dict, cwd: Path) -> tuple[int, str]:
    import subprocess

    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    text = (done.stderr or done.stdout).strip().splitlines()
    return done.returncode, (text[-1] if text else "")[:300]


def deploy_local(args: argparse.Namespace) -> int:
    stop = threading.Event()
    received: list[str] = []

    def on_signal(signum, _frame) -> None:
        received.append(signal.Signals(signum).name)
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    stack_obj = ProductionStack(args.port, args.grpc_port, args.pg_port, args.orders, log=_say)
    stack_obj.prod_dir.mkdir(parents=True, exist_ok=True)
    code = 0
    with contextlib.ExitStack() as stack:
        try:
            stack_obj.start(stack)
        except StackError as exc:
            print(f"==> deploy-local failed: {exc}", file=sys.stderr, flush=True)
            _say("==> stopping what was started")
            return 2
        if stop.is_set():
            _say(f"==> {received[0]} received during start-up: stopping")
            return 0
        _say("==> production-shaped stack up on 127.0.0.1 (Ctrl-C or SIGTERM stops every process):")
        for line in stack_obj.lines:
            _say(line)
        _say(
            f"==> open http://127.0.0.1:{args.port} ; schedules and sensors start stopped: turn them on under "
            "Automation (the daemon ticks them)"
        )
        while not stop.wait(2.0):
            dead = [p for p in stack_obj.processes if not p.alive()]
            if dead:
                print(
                    f"==> the {dead[0].name} exited ({dead[0].log_tail() or 'no output'}); stopping the rest",
                    file=sys.stderr,
                    flush=True,
                )
                code = 1
                break
        if received:
            _say(f"==> {received[0]} received: stopping every process")
    _say("==> stopped")
    return code


def _say(text: str) -> None:
    print(text, flush=True)


def add_subcommand(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "deploy-local",
        help="the production topology on 127.0.0.1: PostgreSQL, ClickHouse, sandbox, gRPC code server, "
        "dagster-daemon, dagster-webserver",
    )
    p.add_argument("--port", type=int, default=3000, help="the webserver's port (default 3000)")
    p.add_argument(
        "--grpc-port", type=int, default=int(os.environ.get("DAGSTER_GRPC_PORT") or 4266), help="the code server's port"
    )
    p.add_argument(
        "--pg-port",
        type=int,
        default=int(os.environ.get("DAGSTER_PG_PORT") or 15432),
        help="the local PostgreSQL's port (default 15432; ignored when DAGSTER_PG_HOST names an existing server)",
    )
    p.add_argument("--orders", type=int, default=5000, help="orders in the sandbox (when it is started)")
    p.set_defaults(func=deploy_local)
