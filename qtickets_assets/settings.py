"""Where every setting comes from: environment variables, with the embedded default where none is set.

Secrets (tokens, the ClickHouse password) are passed as `EnvVar`s when set, so the Dagster UI shows the
variable's name, never its value. Non-secret settings fall back to the embedded stack's defaults, so
`dagster dev` on a fresh checkout loads without any configuration.
"""

from __future__ import annotations

import os

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
}

SECRETS = ("QTICKETS_TOKEN", "QTICKETS_PARTNERS_TOKEN", "CLICKHOUSE_PASSWORD")


def setting(name: str) -> str:
    return os.environ.get(name) or EMBEDDED_DEFAULTS.get(name, "")


def secret(name: str):
    """An EnvVar when the variable is set (value never shown), else "" (the consumer says what is missing)."""
    return EnvVar(name) if os.environ.get(name) else ""


def flag(name: str) -> bool:
    return setting(name).strip().lower() in {"1", "true", "yes", "on"}


def timezone() -> str:
    return setting("QTICKETS_TIMEZONE")
