"""Every setting the platform reads is listed in .env.example, where operators look for it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Set by the embedded ClickHouse launcher for its children, not by an operator.
NOT_OPERATOR_SETTINGS = {"CLICKHOUSE_TCP_PORT"}


def test_env_example_lists_every_setting_the_code_reads():
    read = set()
    for path in (ROOT / "qtickets_assets").rglob("*.py"):
        read |= set(re.findall(r"\"((?:QTICKETS|CLICKHOUSE|DAGSTER_PG|DAGSTER_GRPC)_[A-Z_]+)\"", path.read_text()))
    assert len(read) > 20
    listed = set(re.findall(r"^#? ?([A-Z][A-Z_]+)=", (ROOT / ".env.example").read_text(), flags=re.M))
    assert sorted(read - NOT_OPERATOR_SETTINGS - listed) == []
