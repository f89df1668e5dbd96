"""Bad input: hostile strings (quotes, SQL fragments, NUL, lone surrogates, CR/LF, RTL, 200,000 characters) in every
text field of every resource, wrong types, missing fields and unexpected nulls. Nothing crashes, every object is
stored raw and byte-identical to the contract's serialisation of the export, and the pandera checks name the field.
Identifiers from configuration are refused before any SQL; values travel as data, never spliced into SQL.
"""

from __future__ import annotations

import uuid

import dagster as dg
import pytest

from qtickets_assets.audit.asset import qtickets_audit
from qtickets_assets.clickhouse.resource import ClickHouseResource
from qtickets_assets.qtickets.ingest.assets import STEP_NAME
from qtickets_assets.qtickets.ingest.catalog import CATALOG
from qtickets_assets.quality.checks import CHECK_NAME, quality_checks
from qtickets_assets.quality.contracts import CONTRACTS
from qtickets_sandbox.testing import SandboxServer
from tests.conftest import sandbox_resources
from tests.reliability.harness import (
    clickhouse_for,
    materialize,
    meta_rows,
    qtickets_for,
    staging,
    staging_failures,
    staging_metadata,
    step_failures,
)
from tests.reliability.leaks import find_leaks, personal_values
from tests.reliability.truth import assert_id_keyed_match, assert_staging_matches

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

# A hostile string in a field that has a format always fails that field's rule (free-text fields such as names
# may pass: an odd name is still a name).
HOSTILE_BREAKS = {
    "barcodes": "barcodes.barcode",
    "clients": "clients.email",
    "events": "events.currency_id",
    "inventory": "inventory.currency_id",
    "orders": "orders.currency_id",
    "partner_events": "partner_events.last_update_hash",
    "partner_tickets": "partner_tickets.seat_id",
    "price_shades": "price_shades.color",
}
EVERY_RESOURCE = sandbox_resources()


@pytest.fixture(scope="module")
def platform(clickhouse_server):
    with SandboxServer(orders=300, seed=5) as sandbox:
        clickhouse = clickhouse_for(clickhouse_server, f"rel_bad_{uuid.uuid4().hex[:8]}")
        ch = clickhouse.get_client()
        yield sandbox, clickhouse, ch, clickhouse_server
        ch.close()


def _load_checked(sandbox, clickhouse):
    resources = {"qtickets": qtickets_for(sandbox), "clickhouse": clickhouse}
    return materialize([*staging(), *quality_checks], resources, staging_config={"mode": "full"})


def _checks(result) -> dict[str, tuple[bool, str, dict]]:
    return {
        e.asset_key.path[-1]: (e.passed, e.description or "", {k: v.value for k, v in e.metadata.items()})
        for e in result.get_asset_check_evaluations()
        if e.check_name == CHECK_NAME
    }


def test_hostile_strings_everywhere_are_stored_byte_exact(platform):
    sandbox, clickhouse, ch, _ = platform
    for resource in EVERY_RESOURCE:
        sandbox.set_payload_mode(resource, "hostile_strings")
    try:
        result = _load_checked(sandbox, clickhouse)
        # a failing blocking check fails its own step (by design); no staging step may fail
        assert STEP_NAME not in step_failures(result), step_failures(result)
        meta = staging_metadata(result)
        assert len(meta) == 10
        compared = assert_staging_matches(ch, sandbox, byte_exact=True)
        stored = b"".join(
            ch.query(
                "SELECT payload FROM stg_qtickets_api_orders_raw WHERE _run_id = %(r)s",
                parameters={"r": result.run_id},
                column_formats={"payload": "bytes"},
            ).result_columns[0]
        )
        for fragment in (
            "'); DROP TABLE x; --",
            'Robert\\"); DELETE FROM orders; --',
            "\\u0000",
            "\\udcff",
            "${jndi:ldap://127.0.0.1/x}",
            "🎟️",
            "\u202e",
            "\\r\\n",
        ):
            assert fragment.encode("utf-8") in stored, fragment  # the odd text arrived, as text
        longest = ch.command(
            "SELECT max(length(payload)) FROM stg_qtickets_api_orders_raw WHERE _run_id = %(r)s",
            parameters={"r": result.run_id},
        )
        assert int(longest) > 200_000  # the 200,000-character values too
        checks = _checks(result)
        assert len(checks) == 10  # every check ran on the odd data
        failing = {k: v for k, v in checks.items() if not v[0]}
        named = {}
        for table, (_, description, metadata) in failing.items():
            resource = table.removeprefix("stg_qtickets_api_").removesuffix("_raw")
            fields = {f"{frame.name}.{f.name}" for frame in CONTRACTS[resource].frames for f in frame.fields}
            rules = set(metadata["failed_rows_by_check"])
            assert rules, (table, description)  # a failure always names its rule...
            columns = {rule.split(":")[0] for rule in rules}
            assert columns <= fields, (table, columns - fields)  # ...and the rule names a contract field
            assert all(rule in description for rule in list(rules)[:5] if len(description) < 2000)
            samples = metadata["failure_samples_masked"]
            assert samples and all(s.get("column") or s.get("check") for s in samples), (table, samples)
            named[resource] = sorted(columns)
        for resource, field in HOSTILE_BREAKS.items():  # format-checked fields always break
            assert field in named.get(resource, []), (resource, named.get(resource))
        print(
            f"RELIABILITY hostile-strings: byte-exact rows compared {compared}; checks failing "
            f"{len(failing)}/10, each naming its fields: {named}"
        )
    finally:
        sandbox.set_payload_mode("*", "none")


def test_wrong_types_missing_fields_and_nulls_are_named_by_the_checks(platform):
    sandbox, clickhouse, ch, _ = platform
    modes = {  # resource: (mode, field, value) -> the field the check must name
        "orders": ("retype_field", "baskets.price", None, "price"),  # number -> "abc", nested
        "clients": ("drop_field", "email", None, "email"),  # a required field missing
        "events": ("add_field", "name", None, "name"),  # an unexpected null
        "promo_codes": ("retype_field", "code", None, "code"),  # string -> 12345
        "discounts": ("add_field", "active_from", 12.5, "active_from"),  # a number where a date belongs
    }
    for resource, (mode, field, value, _) in modes.items():
        extra = {"value": value} if mode == "add_field" else {}
        sandbox.set_payload_mode(resource, mode, field, **extra)
    try:
        result = _load_checked(sandbox, clickhouse)
        # a failing blocking check fails its own step (by design); no staging step may fail
        assert STEP_NAME not in step_failures(result), step_failures(result)
        checks = _checks(result)
        for resource, (_, _, _, named) in modes.items():
            table = CATALOG[resource].table
            passed, description, _ = checks[table]
            assert not passed and f"'{named}'" in description, (resource, description)
        assert all(checks[t][0] for t in checks if t.split("_api_")[1][:-4] not in modes), checks
        # stored raw and intact all the same: every object, byte for byte
        compared = assert_id_keyed_match(ch, sandbox, byte_exact=True)
        metadata = [v[2] for v in checks.values()]
        leaks = find_leaks({"check metadata": repr(metadata)}, personal_values(sandbox))
        assert not leaks, leaks
        print(
            f"RELIABILITY bad-types: checks named "
            f"{ {r: checks[CATALOG[r].table][1][:120] for r in modes} }; rows compared {compared}"
        )
    finally:
        sandbox.set_payload_mode("*", "none")


def test_identifiers_from_configuration_are_refused_before_any_sql(platform, tmp_path):
    sandbox, _, ch, server = platform
    admin = ClickHouseResource(host=server.host, port=server.http_port, database="default").get_client()
    admin.command("CREATE TABLE IF NOT EXISTS default.y (a UInt8) ENGINE = MergeTree ORDER BY a")
    databases = set(admin.query("SELECT name FROM system.databases").result_columns[0])
    served = sandbox.stats()["requests_served"]
    hostile = ClickHouseResource(host=server.host, port=server.http_port, database="x; DROP TABLE y")
    result = materialize(
        staging("orders", step_retries=False), {"qtickets": qtickets_for(sandbox), "clickhouse": hostile}
    )
    assert not result.success
    message = staging_failures(result)["stg_qtickets_api_orders_raw"]
    assert "invalid ClickHouse database 'x; DROP TABLE y'" in message and "CLICKHOUSE_DATABASE" in message, message
    assert "not reachable" not in message, message  # not blamed on the network
    assert int(admin.command("EXISTS TABLE default.y")) == 1
    assert set(admin.query("SELECT name FROM system.databases").result_columns[0]) == databases
    assert sandbox.stats()["requests_served"] == served  # refused before the API too
    with pytest.raises(ValueError, match="invalid ClickHouse database"):
        hostile.bootstrap()
    # the audit (which reports instead of failing) names the same cause in its report
    audit = dg.materialize(
        [qtickets_audit],
        resources={"qtickets": qtickets_for(sandbox), "clickhouse": hostile},
        run_config={"ops": {"qtickets_audit": {"config": {"output_root": str(tmp_path), "allow_writes": False}}}},
    )
    report = audit.asset_materializations_for_node("qtickets_audit")[0].metadata["report"].value
    assert "invalid ClickHouse database 'x; DROP TABLE y'" in report and "not reachable" not in report
    admin.command("DROP TABLE default.y")
    print(f"RELIABILITY identifiers: refused with {message!r}")


def test_config_values_with_sql_fragments_are_stored_verbatim(platform):
    """A run-config value shaped like an injection fails validation; the error row that quotes it goes to
    meta_job_runs as data (a spliced value would break the INSERT or the table): it comes back verbatim."""
    sandbox, clickhouse, ch, _ = platform
    value = "2026-01-01'); DROP TABLE meta_job_runs; --"
    result = materialize(
        staging("orders", step_retries=False),
        {"qtickets": qtickets_for(sandbox), "clickhouse": clickhouse},
        staging_config={"mode": "range", "created_from": value, "created_to": "2026-01-02"},
    )
    assert not result.success
    status, message = meta_rows(ch, result.run_id)["stg_qtickets_api_orders_raw"]
    assert status == "error" and repr(value) in message, message
    assert int(ch.command("EXISTS TABLE meta_job_runs")) == 1
