"""Child processes of the local stacks: started so that they can always be stopped, and never outlive us.

Each child gets its own session (process group), so stopping it also stops what it started (the code server's
run workers); its SIGINT/SIGTERM dispositions are reset to the defaults, because a launcher started in the
background by a non-interactive shell inherits SIGINT as *ignored*, and Dagster's CLIs map SIGTERM onto the SIGINT
handler, so they would ignore SIGTERM too; and, on Linux, the kernel sends it `death_signal` if we die first
(even by SIGKILL), so no orphan keeps a port or a data folder.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

_PR_SET_PDEATHSIG = 1


def child_setup(death_signal: int = signal.SIGTERM) -> Callable[[], None]:
    def setup() -> None:
        os.setsid()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(death_signal), 0, 0, 0)
        except (OSError, AttributeError):  # not Linux: stopping still works, the orphan guard does not
            pass

    return setup


class ManagedProcess:
    """One long-running child with its output in a log file."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], cwd: Path, log_path: Path):
        self.name, self.cmd, self.env, self.cwd, self.log_path = name, cmd, env, cwd, log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> ManagedProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.cmd,
                env=self.env,
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # SIGKILL if we die first: the Dagster CLIs treat SIGTERM as a graceful stop that waits for running
                # run workers, so an orphaned code server or daemon lingered for minutes (seen in tests/deploy).
                preexec_fn=child_setup(signal.SIGKILL),
            )
        return self

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 3) -> str:
        try:
            text = self.log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return " | ".join(text[-lines:])[-400:]

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM to the whole process group, then SIGKILL to whatever is left of it."""
        if self.process is None:
            return
        group = self.process.pid
        _signal_group(group, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        deadline = time.monotonic() + 5
        while _group_alive(group) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _group_alive(group) or self.process.poll() is None:
            _signal_group(group, signal.SIGKILL)
            self.process.wait(10)


def _signal_group(group: int, sig: int) -> None:
    try:
        os.killpg(group, sig)
    except ProcessLookupError:
        pass


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
