"""Shared fixtures: one real embedded ClickHouse server for the whole test session, a fresh database per use.

Servers are subprocesses on free loopback ports and are stopped at session end, also when tests fail.
"""

from __future__ import annotations

import uuid

import pytest

from qtickets_assets.clickhouse.resource import ClickHouseResource
from qtickets_assets.local.clickhouse_server import EmbeddedClickHouse

# The sandbox's names of the catalog resources where they differ (its exports and payload modes follow the API's
# own words: /color-themes, /shows/{id}/seats).
SANDBOX_NAMES = {"price_shades": "color_themes", "inventory": "seats"}


def sandbox_resources() -> list[str]:
    """Every catalog resource, as the sandbox's exports and payload modes name it."""
    from qtickets_assets.qtickets.ingest.catalog import CATALOG

    return [SANDBOX_NAMES.get(name, name) for name in CATALOG]


@pytest.fixture(scope="session")
def clickhouse_server(tmp_path_factory):
    with EmbeddedClickHouse(tmp_path_factory.mktemp("clickhouse")) as server:
        yield server


def new_database(server: EmbeddedClickHouse, prefix: str = "t") -> ClickHouseResource:
    """A ClickHouseResource on a new, bootstrapped database of `server` (tests never share tables)."""
    resource = ClickHouseResource(host=server.host, port=server.http_port, database=f"{prefix}_{uuid.uuid4().hex[:10]}")
    resource.bootstrap()
    return resource


@pytest.fixture
def fresh_clickhouse(clickhouse_server) -> ClickHouseResource:
    return new_database(clickhouse_server)


# Tests that skip where a Debian package is missing: (text of the skip reason, what, package, env that fails CI).
LOUD_SKIPS = (
    ("chromium", "BROWSER", "the Dagster UI", "chromium", "QTICKETS_REQUIRE_BROWSER"),
    (
        "PostgreSQL",
        "DEPLOY",
        "the production topology (daemon, code server, PostgreSQL instance)",
        "postgresql",
        "QTICKETS_REQUIRE_POSTGRES",
    ),
)


def pytest_terminal_summary(terminalreporter):
    """Say loudly when the browser or deploy tests did not run (they skip where Debian's chromium or PostgreSQL is
    missing; CI installs both and sets QTICKETS_REQUIRE_*, which turns a missing one into a failure)."""
    for marker, kind, what, package, variable in LOUD_SKIPS:
        skipped = [r for r in terminalreporter.stats.get("skipped", []) if marker in str(r.longrepr)]
        if skipped:
            terminalreporter.write_sep("!", f"{len(skipped)} {kind} TESTS WERE SKIPPED", red=True, bold=True)
            terminalreporter.write_line(
                f"{package} is not installed, so {what} was not tested. Install it and run them:\n"
                f"    sudo apt-get install -y {package} && make test\n"
                f"CI (.ci/run) installs it and sets {variable}=1, which turns a missing {package} into a failure.",
                red=True,
            )
