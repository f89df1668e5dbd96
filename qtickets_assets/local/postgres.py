"""A real PostgreSQL server for the production-shaped local stack (`make prod`): Dagster's instance storage.

The server binaries come from Debian's `postgresql` package (`.ci/run` installs it; any PostgreSQL >= 12 on the
machine works, or point QTICKETS_POSTGRES_BIN at a folder holding `initdb` and `postgres`). The cluster lives in
`.local/postgres`: created on first start with a generated password (kept in `.local/postgres/password`, mode 0600,
never printed), listening on 127.0.0.1 only, password authentication for every connection.

PostgreSQL refuses to run as root. Started by root (containers, CI), the server runs as the `postgres` system user
(created by the Debian package), and the data folder is handed to that user.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import subprocess
import time
from pathlib import Path

from qtickets_assets.local.processes import child_setup

SERVICE_USER = "postgres"


class PostgresError(RuntimeError):
    """One line that says what to fix (a setting, a package, a folder)."""


def find_binaries() -> Path:
    configured = os.environ.get("QTICKETS_POSTGRES_BIN")
    candidates = [Path(configured)] if configured else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: _major(p.parent.name), reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "postgres").exists():
            return folder
    where = f"QTICKETS_POSTGRES_BIN={configured}" if configured else "/usr/lib/postgresql/*/bin or PATH"
    raise PostgresError(
        f"no PostgreSQL server binaries (initdb, postgres) in {where}: install Debian's `postgresql` package "
        "(apt-get install postgresql) or set QTICKETS_POSTGRES_BIN"
    )


def _major(name: str) -> int:
    return int(name) if name.isdigit() else 0


class LocalPostgres:
    """Context manager: PostgreSQL on 127.0.0.1:`port` with a `dagster` role and database, data in `root`."""

    host = "127.0.0.1"

    def __init__(self, root: Path, port: int, user: str = "dagster", database: str = "dagster"):
        self.root = Path(root).absolute()
        self.data = self.root / "data"
        self.port = port
        self.user = user
        self.database = database
        self.log_path = self.root / "postgres.log"
        self.process: subprocess.Popen | None = None
        self._run_as = SERVICE_USER if os.geteuid() == 0 else None

    # -- settings for the Dagster processes --------------------------------------------------------------------
    @property
    def password(self) -> str:
        return (self.root / "password").read_text().strip()

    def env(self) -> dict[str, str]:
        return {
            "DAGSTER_PG_HOST": self.host,
            "DAGSTER_PG_PORT": str(self.port),
            "DAGSTER_PG_USER": self.user,
            "DAGSTER_PG_PASSWORD": self.password,
            "DAGSTER_PG_DB": self.database,
        }

    # -- lifecycle -----------------------------------------------------------------------------------------------
    def start(self, timeout: float = 60.0) -> LocalPostgres:
        binaries = find_binaries()
        self._prepare_folder()
        if not (self.data / "PG_VERSION").exists():
            self._initdb(binaries)
        cmd = [
            str(binaries / "postgres"),
            "-D",
            str(self.data),
            "-p",
            str(self.port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"unix_socket_directories={self.root / 'run'}",
        ]
        with open(self.log_path, "ab") as log:  # the server keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                cmd,
                stdout=log,
                stderr=subprocess.STDOUT,
                user=self._run_as,
                preexec_fn=child_setup(signal.SIGINT),  # our death = a fast shutdown, never an orphan
            )
        self._wait_ready(timeout)
        self._ensure_database()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # "fast" shutdown: disconnect clients, checkpoint, exit
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- helpers -------------------------------------------------------------------------------------------------
    def _prepare_folder(self) -> None:
        (self.root / "run").mkdir(parents=True, exist_ok=True)
        if self._run_as is None:
            return
        try:
            account = pwd.getpwnam(SERVICE_USER)
        except KeyError:
            raise PostgresError(
                "PostgreSQL refuses to run as root and there is no `postgres` user: install Debian's `postgresql` "
                "package, or run `make prod` as a normal user"
            ) from None
        for path in (self.root, *self.root.rglob("*")):
            if path.name != "password":
                os.chown(path, account.pw_uid, account.pw_gid)
        probe = subprocess.run(["runuser", "-u", SERVICE_USER, "--", "test", "-w", str(self.root)], check=False)
        if probe.returncode != 0:
            raise PostgresError(
                f"PostgreSQL runs as the `postgres` user (it refuses root) and cannot write {self.root}: make the "
                "folders above the repository traversable (chmod o+x) or run `make prod` as a normal user"
            )

    def _initdb(self, binaries: Path) -> None:
        password_file = self.root / "password"
        password_file.write_text(secrets.token_urlsafe(24) + "\n")
        password_file.chmod(0o600)
        if self._run_as:
            account = pwd.getpwnam(SERVICE_USER)
            os.chown(password_file, account.pw_uid, account.pw_gid)  # initdb reads it as that user
        cmd = [
            str(binaries / "initdb"),
            "-D",
            str(self.data),
            "-U",
            self.user,
            f"--pwfile={password_file}",
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C",
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, user=self._run_as, check=False)
        if done.returncode != 0:
            shutil.rmtree(self.data, ignore_errors=True)
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise PostgresError(f"initdb failed for {self.data}: {tail[0]}")

    def _connect(self, database: str):
        import psycopg2

        return psycopg2.connect(
            host=self.host, port=self.port, user=self.user, password=self.password, dbname=database, connect_timeout=3
        )

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise PostgresError(f"PostgreSQL exited at start: {self._log_tail() or last}")
            try:
                self._connect("postgres").close()
                return
            except Exception as exc:  # noqa: BLE001 - retried until the deadline; the last reason is reported
                last = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                time.sleep(0.3)
        self.stop()
        raise PostgresError(f"PostgreSQL did not accept connections on {self.host}:{self.port} in time: {last}")

    def _ensure_database(self) -> None:
        connection = self._connect("postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (self.database,))
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{self.database}"')
        connection.close()

    def _log_tail(self) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        errors = [line for line in lines if "FATAL" in line or "ERROR" in line]
        return (errors or lines or [""])[-1][:300]
