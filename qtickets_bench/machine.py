"""What the figures were measured on: CPU, cores, RAM, load, Python and the versions that matter."""

from __future__ import annotations

import os
import platform
from importlib import metadata

PACKAGES = (
    "dagster",
    "dagster-dbt",
    "dbt-core",
    "dbt-clickhouse",
    "dlt",
    "chdb-core",
    "clickhouse-connect",
    "clickhouse-driver",
    "pyarrow",
    "orjson",
    "msgspec",
    "requests",
)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gb() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def describe(clickhouse_version: str | None = None) -> dict:
    """A JSON-able description of the machine and the stack (the load average tells whether others ran)."""
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gb": _ram_gb(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "load_average_at_start": load,
        "clickhouse_server": clickhouse_version,
        "packages": {name: _version(name) for name in PACKAGES},
    }


def one_line(machine: dict) -> str:
    p = machine.get("packages", {})
    return (
        f"{machine['cpu']}, {machine['cores']} cores, {machine['ram_gb']} GB RAM; Python {machine['python']}; "
        f"dagster {p.get('dagster')}, dlt {p.get('dlt')}, chdb-core {p.get('chdb-core')} "
        f"(ClickHouse {machine.get('clickhouse_server')}), clickhouse-connect {p.get('clickhouse-connect')}"
    )
