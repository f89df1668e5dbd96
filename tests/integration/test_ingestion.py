"""Staging assets end to end: the sandbox over real HTTP + the embedded ClickHouse, materialized
in-process with dagster.materialize. One sandbox (2,000 orders) and one ClickHouse for the module."""

from __future__ import annotations

import json

import dagster as dg
import pytest

from qtickets_assets.clickhouse.resource import ClickHouseResource
from qtickets_assets.local.clickhouse_server import EmbeddedClickHouse
from qtickets_assets.qtickets.client.resource import QTicketsResource
from qtickets_assets.qtickets.ingest.assets import STEP_NAME, build_staging_assets
from qtickets_assets.qtickets.ingest.catalog import CATALOG
from qtickets_sandbox.testing import SandboxServer
from tests.conftest import sandbox_resources

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

ORDERS = CATALOG["orders"].table
FULL_LOAD: dict = {}  # metadata of the first (full) orders load, compared with the incremental one


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer(orders=2000, seed=42) as server:
        yield server


@pytest.fixture(scope="module")
def clickhouse(tmp_path_factory):
    with EmbeddedClickHouse(path=tmp_path_factory.mktemp("ch_ingestion")) as ch:
        resource = ClickHouseResource(host=ch.host, port=ch.http_port)
        resource.bootstrap()
        yield resource


@pytest.fixture(scope="module")
def ch(clickhouse):
    client = clickhouse.get_client()
    yield client
    client.close()


def qtickets_for(sandbox, **overrides) -> QTicketsResource:
    settings = dict(
        base_url=sandbox.rest_url,
        token=sandbox.token,
        partners_base_url=sandbox.partners_url,
        partners_token=sandbox.partners_token,
        backoff_base_seconds=0.05,
        backoff_max_seconds=0.5,
    )
    settings.update(overrides)
    return QTicketsResource(**settings)


def run(sandbox, clickhouse, names, config=None, raise_on_error=True, **overrides):
    assets = [build_staging_assets([CATALOG[n] for n in names])]
    run_config = {"ops": {STEP_NAME: {"config": config}}} if config else None
    return dg.materialize(
        assets,
        resources={"qtickets": qtickets_for(sandbox, **overrides), "clickhouse": clickhouse},
        run_config=run_config,
        raise_on_error=raise_on_error,
    )


def meta(result, name):
    table = CATALOG[name].table
    event = next(e for e in result.get_asset_materialization_events() if e.asset_key.path[-1] == table)
    return {k: v.value for k, v in event.materialization.metadata.items()}


def ids_in(ch, table, column):
    return {r[0] for r in ch.query(f"SELECT {column} FROM {table} FINAL").result_rows}


def dedup_count(ch, table, key):
    return ch.query(f"SELECT count() FROM (SELECT {key} FROM {table} FINAL)").first_row[0]


def export_ids(sandbox, resource, field="id"):
    return {int(o[field]) for o in sandbox.export(resource)}


# --- tests (in order: the module's state carries from one to the next) -------------------------------


def test_full_load_holds_exactly_the_sandbox_objects(sandbox, clickhouse, ch):
    names = list(CATALOG)
    result = run(sandbox, clickhouse, names)
    assert result.success
    for name, column, export in [
        ("orders", "order_id", "orders"),
        ("events", "event_id", "events"),
        ("clients", "client_id", "clients"),
        ("discounts", "discount_id", "discounts"),
        ("promo_codes", "promo_code_id", "promo_codes"),
        ("price_shades", "shade_id", "color_themes"),
    ]:
        table = CATALOG[name].table
        assert ids_in(ch, table, column) == export_ids(sandbox, export), name
        m = meta(result, name)
        assert m["dagster/row_count"] == len(export_ids(sandbox, export))
        assert m["dagster/table_name"].endswith(table)
    orders = meta(result, "orders")
    FULL_LOAD.update(orders)
    assert orders["rows_inserted"] == 2000 and orders["mode"] == "full"
    assert orders["pages"] == orders["requests"] >= 4  # no retries without faults
    # fan-out resources: non-empty, every row points at a real show / event
    for name in ("inventory", "barcodes", "partner_tickets", "partner_events"):
        assert meta(result, name)["rows_inserted"] > 0, name


def test_fanout_tables_match_the_sandbox(sandbox, ch):
    events = sandbox.export("events")
    active = [
        (e["id"], s["id"])
        for e in events
        if e["deleted_at"] is None and e["is_active"]
        for s in e["shows"]
        if s["deleted_at"] is None and s["is_active"]
    ]
    assert active

    def latest(table, cols):
        return set(
            ch.query(
                f"SELECT {cols} FROM {table} FINAL WHERE snapshot_ts = (SELECT max(snapshot_ts) FROM {table})"
            ).result_rows
        )

    seats = sandbox.export("seats")
    assert latest(CATALOG["inventory"].table, "event_id, show_id, seat_id") == {
        (e, s, seat_id) for e, s in active for seat_id in seats[str(s)]
    }
    barcodes = sandbox.export("barcodes")
    assert latest(CATALOG["barcodes"].table, "event_id, show_id, barcode") == {
        (e, s, item["barcode"]) for e, s in active for item in barcodes[str(s)]
    }
    tickets = ch.query(
        f"SELECT ticket_id, show_id, paid, deleted FROM {CATALOG['partner_tickets'].table} FINAL"
    ).result_rows
    exported = {int(t["id"]): t for t in sandbox.export("partner_tickets")}
    assert {r[0] for r in tickets} == set(exported)
    show_ids = {s for _, s in active} | {s["id"] for e in events for s in e["shows"]}
    for ticket_id, show_id, paid, deleted in tickets:
        assert show_id in show_ids and (paid, deleted) == (exported[ticket_id]["paid"], exported[ticket_id]["deleted"])
    assert set(ch.query(f"SELECT event_id, show_id FROM {CATALOG['partner_events'].table} FINAL").result_rows) == {
        (p["event_id"], p["show_id"]) for p in sandbox.export("partner_events")
    }


def test_orders_key_columns_are_typed_utc(sandbox, ch):
    from qtickets_assets.qtickets.client.timestamps import parse_ts

    exported = {int(o["id"]): o for o in sandbox.export("orders")}
    rows = ch.query(
        f"SELECT order_id, event_id, payed, created_at, payed_at, updated_at, deleted_at, payload FROM {ORDERS} FINAL"
    ).result_rows
    assert len(rows) == len(exported)
    for order_id, event_id, payed, created, payed_at, updated, deleted, payload in rows:
        o = exported[order_id]
        assert json.loads(payload) == o  # payload kept whole
        assert (event_id, bool(payed)) == (o["event_id"], o["payed"])
        for column, value in (
            ("created_at", created),
            ("payed_at", payed_at),
            ("updated_at", updated),
            ("deleted_at", deleted),
        ):
            expected = parse_ts(o[column])
            got = value.replace(tzinfo=expected.tzinfo) if value is not None and expected else value
            assert got == expected, (order_id, column)


def test_incremental_picks_up_changes_and_rereads_only_the_lookback(sandbox, clickhouse, ch):
    before = sandbox.export("orders")
    sandbox.advance(60)
    after = {int(o["id"]): o for o in sandbox.export("orders")}
    changed = {
        i
        for i, o in after.items()
        if o.get("updated_at") != next((b.get("updated_at") for b in before if int(b["id"]) == i), None)
    }
    assert changed, "advance(60) should create or change orders"
    result = run(sandbox, clickhouse, ["orders"])
    m = meta(result, "orders")
    assert m["mode"] == "incremental"
    print(
        f"incremental: {m['rows_inserted']} rows / {m['requests']} requests after advance(60) "
        f"({len(changed)} new or changed); full load: {FULL_LOAD['rows_inserted']} / {FULL_LOAD['requests']}"
    )
    assert m["rows_inserted"] < len(after) / 4  # only the lookback window is re-read
    assert m["requests"] < FULL_LOAD["requests"]
    assert m["rows_inserted"] >= len(changed)
    latest = dict(ch.query(f"SELECT order_id, argMax(payload, _version) FROM {ORDERS} GROUP BY order_id").result_rows)
    assert set(latest) == set(after)
    for order_id in changed:
        assert json.loads(latest[order_id]) == after[order_id]
    # every other cursor resource (and clients, full each time) catches up the same way
    names = ["events", "discounts", "promo_codes", "clients"]
    result = run(sandbox, clickhouse, names)
    for name, key, export in [
        ("events", "event_id", "events"),
        ("discounts", "discount_id", "discounts"),
        ("promo_codes", "promo_code_id", "promo_codes"),
        ("clients", "client_id", "clients"),
    ]:
        table = CATALOG[name].table
        stored = {
            k: json.loads(p)
            for k, p in ch.query(f"SELECT {key}, argMax(payload, _version) FROM {table} GROUP BY {key}").result_rows
        }
        assert stored == {int(o["id"]): o for o in sandbox.export(export)}, name
    assert meta(result, "events")["mode"] == "incremental" and meta(result, "clients")["mode"] == "full"


def test_rerun_leaves_deduplicated_counts_unchanged(sandbox, clickhouse, ch):
    first = dedup_count(ch, ORDERS, "order_id")
    run(sandbox, clickhouse, ["orders"], config={"mode": "full"})
    run(sandbox, clickhouse, ["orders"], config={"mode": "full"})
    assert dedup_count(ch, ORDERS, "order_id") == first == len(export_ids(sandbox, "orders"))
    assert ch.query(f"SELECT count() - uniqExact(_version) FROM {ORDERS}").first_row[0] == 0


def test_range_backfill_loads_the_created_at_window(sandbox, clickhouse, ch):
    days = sorted({o["created_at"][:10] for o in sandbox.export("orders")})
    lo, hi = days[len(days) // 3], days[len(days) // 2]
    result = run(sandbox, clickhouse, ["orders"], config={"mode": "range", "created_from": lo, "created_to": hi})
    m = meta(result, "orders")
    from qtickets_assets.qtickets.client.timestamps import parse_ts, platform_tz

    expected = {
        int(o["id"])
        for o in sandbox.export("orders")
        if lo <= parse_ts(o["created_at"]).astimezone(platform_tz()).date().isoformat() <= hi
    }
    assert m["rows_inserted"] == len(expected) and m["mode"] == "range"


def test_wrong_token_fails_with_one_clear_message(sandbox, clickhouse, ch):
    result = run(sandbox, clickhouse, ["orders"], raise_on_error=False, token="definitely-wrong-token")
    assert not result.success
    failures = [e for e in result.all_events if e.is_step_failure]
    assert len(failures) == 1
    message = failures[0].step_failure_data.error.message
    assert "QTICKETS_TOKEN" in message and "403" in message
    assert "definitely-wrong-token" not in message and "Traceback" not in message
    assert "requests" not in message.lower()
    row = ch.query(
        "SELECT status, message FROM meta_job_runs WHERE asset = %(a)s ORDER BY finished_at DESC LIMIT 1",
        parameters={"a": ORDERS},
    ).first_row
    assert row[0] == "error" and "QTICKETS_TOKEN" in row[1] and "definitely-wrong-token" not in row[1]


def test_clickhouse_down_is_named_clearly(sandbox):
    dead = ClickHouseResource(host="127.0.0.1", port=9, connect_timeout=2)
    result = dg.materialize(
        [build_staging_assets([CATALOG["orders"]])],
        resources={"qtickets": qtickets_for(sandbox), "clickhouse": dead},
        raise_on_error=False,
    )
    assert not result.success
    message = [e for e in result.all_events if e.is_step_failure][0].step_failure_data.error.message
    assert "ClickHouse is not reachable at 127.0.0.1:9" in message and "CLICKHOUSE_HOST" in message


def test_meta_job_runs_has_ok_and_error_rows(ch):
    rows = ch.query(
        "SELECT status, count(), sum(rows) FROM meta_job_runs WHERE asset = %(a)s GROUP BY status",
        parameters={"a": ORDERS},
    ).result_rows
    by_status = {r[0]: r for r in rows}
    assert set(by_status) == {"ok", "error"}
    assert by_status["ok"][2] > 0
    runs = ch.query("SELECT count() FROM meta_job_runs WHERE run_id = '' OR job = ''").first_row[0]
    assert runs == 0


def test_faults_are_retried_and_the_load_stays_exact(sandbox, clickhouse, ch):
    sandbox.set_faults(rate=0.3, kinds=["429", "503", "timeout", "reset", "truncated"], stall_seconds=3)
    try:
        result = run(
            sandbox, clickhouse, ["orders"], config={"mode": "full"}, timeout_seconds=1.5, max_retries=8, page_size=100
        )
    finally:
        sandbox.set_faults(rate=0.0)
    m = meta(result, "orders")
    print(f"faults: {m['requests']} requests, retries by reason {m['retries_by_reason']}")
    assert m["retries"] > 0 and m["rows_inserted"] == len(export_ids(sandbox, "orders"))
    assert dedup_count(ch, ORDERS, "order_id") == len(export_ids(sandbox, "orders"))


def test_hostile_and_mistyped_payloads_load_whole(sandbox, clickhouse, ch):
    """Odd strings (injection-shaped, NUL, lone surrogates, 200,000 characters) and a mistyped timestamp
    never crash a load or lose a row: key columns fall back (NULL / epoch), the payload keeps the text."""
    resources = sandbox_resources()
    for resource in resources:
        sandbox.set_payload_mode(resource, "hostile_strings")
    try:
        result = run(sandbox, clickhouse, list(CATALOG), config={"mode": "full"})
        assert result.success
        assert meta(result, "orders")["rows_inserted"] == len(export_ids(sandbox, "orders"))
        assert meta(result, "clients")["rows_inserted"] == len(export_ids(sandbox, "clients"))
        stored = {
            k: json.loads(p)
            for k, p in ch.query(
                f"SELECT client_id, argMax(payload, _version) FROM {CATALOG['clients'].table} GROUP BY client_id"
            ).result_rows
        }
        assert stored == {int(c["id"]): c for c in sandbox.export("clients")}  # odd text kept exactly
        n = len(export_ids(sandbox, "orders"))
        # one payload mode per resource at a time: created_at (not Nullable: epoch) then updated_at (NULL)
        for field, check in (
            ("created_at", "created_at = toDateTime64(0, 3, 'UTC')"),
            ("updated_at", "updated_at IS NULL"),
        ):
            sandbox.set_payload_mode("orders", "retype_field", field)
            result = run(sandbox, clickhouse, ["orders"], config={"mode": "full"})
            assert meta(result, "orders")["rows_inserted"] == n
            run_id = result.run_id
            assert ch.query(
                f"SELECT count(), countIf({check}) FROM {ORDERS} WHERE _run_id = %(r)s", parameters={"r": run_id}
            ).first_row == (n, n), field
    finally:
        sandbox.set_payload_mode("*", "none")
