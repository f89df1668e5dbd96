"""Where every setting comes from: environment variables, with the embedded default where none is set.

Secrets (tokens, the ClickHouse password) are passed as `EnvVar`s when set, so the Dagster UI shows the
variable's name, never its value. Non-secret settings fall back to the embedded stack's defaults, so
`dagster dev` on a fresh checkout loads without any configuration.
"""

from __future__ import annotations

import os
from pathlib import Path

from dagster import EnvVar

EMBEDDED_DEFAULTS = {
    "CLICKHOUSE_HOST": "127.0.0.1",
    "CLICKHOUSE_PORT": "8123",
    "CLICKHOUSE_USER": "default",
    "CLICKHOUSE_DATABASE": "qtickets",
    "CLICKHOUSE_SECURE": "false",
    "QTICKETS_BASE_URL": "http://127.0.0.1:8765/api/rest/v1",
    "QTICKETS_PARTNERS_BASE_URL": "http://127.0.0.1:8765/api/partners/v1",
    "QTICKETS_TIMEZONE": "Europe/Moscow",
    # The first month of the sales facts' monthly partitions (transform/partitions.py): set it to the organiser's
    # first sale. Orders paid earlier are left out of the partitioned facts (dbt alone still builds them).
    "QTICKETS_SALES_START": "2015-01-01",
}

SECRETS = ("QTICKETS_TOKEN", "QTICKETS_PARTNERS_TOKEN", "CLICKHOUSE_PASSWORD")

# Cadences (cron, in the platform time zone) and run deadlines (seconds, enforced by the daemon's run monitoring)
# of the scheduled jobs (automation.py). Operators change them without a code change; tests tick every minute.
CADENCE_DEFAULTS = {
    "QTICKETS_ORDERS_CRON": "*/15 * * * *",
    "QTICKETS_INVENTORY_CRON": "5 * * * *",
    "QTICKETS_DIMENSIONS_CRON": "30 3 * * *",
    "QTICKETS_AUDIT_CRON": "0 6 * * *",
    "QTICKETS_ORDERS_MAX_RUNTIME": "2700",
    "QTICKETS_INVENTORY_MAX_RUNTIME": "3000",
    "QTICKETS_DIMENSIONS_MAX_RUNTIME": "10800",
    "QTICKETS_BACKFILL_MAX_RUNTIME": "43200",
    "QTICKETS_AUDIT_MAX_RUNTIME": "3600",
}


class SettingError(ValueError):
    """A setting with a value that can never work; the message names the variable."""


# Where the local state goes (.local: embedded ClickHouse data, DAGSTER_HOME, audit reports), absolute and fixed
# when the platform is imported: dbt's in-process helpers change the working directory mid-run.
LOCAL_DIR = Path(os.environ.get("QTICKETS_LOCAL_DIR") or ".local").absolute()


def audit_dir() -> Path:
    """The folder receiving the audit's <timestamp>/ folders: QTICKETS_AUDIT_DIR, else .local/audit."""
    configured = os.environ.get("QTICKETS_AUDIT_DIR")
    return Path(configured).absolute() if configured else LOCAL_DIR / "audit"


def setting(name: str, env: dict[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get(name) or EMBEDDED_DEFAULTS.get(name, "") or CADENCE_DEFAULTS.get(name, "")


def cron(name: str, env: dict[str, str] | None = None) -> str:
    """A cron string from the environment (default: CADENCE_DEFAULTS), checked the way Dagster checks it."""
    from dagster._utils.schedules import is_valid_cron_string

    value = setting(name, env).strip()
    if not is_valid_cron_string(value):
        raise SettingError(f"{name}={value!r} is not a cron expression (e.g. '*/15 * * * *')")
    return value


def positive_seconds(name: str, env: dict[str, str] | None = None) -> int:
    value = setting(name, env).strip()
    if not value.isdigit() or int(value) <= 0:
        raise SettingError(f"{name}={value!r} must be a whole number of seconds greater than 0")
    return int(value)


def check_cadences(env: dict[str, str] | None = None) -> list[str]:
    """Every cadence setting that cannot work, one line each (empty when all are fine)."""
    problems = []
    for name in CADENCE_DEFAULTS:
        try:
            cron(name, env) if name.endswith("_CRON") else positive_seconds(name, env)
        except SettingError as exc:
            problems.append(str(exc))
    return problems


def secret(name: str):
    """An EnvVar when the variable is set (value never shown), else "" (the consumer says what is missing)."""
    return EnvVar(name) if os.environ.get(name) else ""


def flag(name: str) -> bool:
    return setting(name).strip().lower() in {"1", "true", "yes", "on"}


def timezone() -> str:
    return setting("QTICKETS_TIMEZONE")
