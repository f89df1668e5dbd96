"""The pandera contracts, run inside a real ClickHouse: documented objects pass; each broken rule fails and names
its column or rule; failure samples are the failing rows, masked."""

import json

import pytest

from qtickets_assets.qtickets.ingest.catalog import CATALOG
from qtickets_assets.quality.contracts import CONTRACTS
from tests.conftest import new_database
from tests.contract_examples import EXAMPLES, as_row, example_object, stop_merges, store_and_validate

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def client(clickhouse_server):
    client = new_database(clickhouse_server, "contracts").get_client()
    stop_merges(client)
    yield client
    client.close()


@pytest.fixture
def run(client):
    def run(resource, *objects, rows=None):
        rows = rows if rows is not None else [as_row(resource, o) for o in objects]
        return store_and_validate(client, resource, rows)

    return run


@pytest.mark.parametrize("resource", sorted(EXAMPLES))
def test_documented_example_passes(resource, run):
    out = run(resource, example_object(resource))
    assert out.passed, out.description
    assert out.rows_checked == 1 and not out.failure_counts and not out.drift.new_fields


def test_every_catalog_resource_has_a_contract_and_an_example():
    assert set(CONTRACTS) == set(CATALOG) == set(EXAMPLES)


def _set(path, value):
    def mutate(obj):
        cur = obj
        *parents, last = path
        for p in parents:
            cur = cur[p]
        cur[last] = value

    return mutate


def _deleted_unpaid_with_barcode(o):
    o.update(payed=False, payed_at=None, deleted_at="2025-11-01T13:00:00+03:00")
    o["baskets"][0]["deleted_at"] = "2025-11-01T13:00:00+03:00"  # barcode left in place


def _refund_without_amount(o):
    o["baskets"][0]["refunded_at"] = "2025-11-02T10:00:00+03:00"


BAD = [
    ("orders", _set(["price"], -1), "orders.price"),
    ("orders", _set(["payed_at"], None), "orders.payed_at_set_when_payed"),
    ("orders", _set(["payed"], False), "orders.payed_at_null_when_unpaid"),
    ("orders", _set(["payed"], "yes"), "orders.payed"),  # retyped: drift failure names the field
    ("orders", _set(["currency_id"], "RUR"), "orders.currency_id"),
    ("orders", _set(["created_at"], "2025-11-01 12:40:00"), "orders.created_at"),  # no offset
    ("orders", _set(["payment_card_number"], "5469641234569036"), "orders.payment_card_number"),
    ("orders", _deleted_unpaid_with_barcode, "orders.baskets_no_barcode_when_deleted_unpaid"),
    ("orders", _set(["baskets", 0, "quantity"], 0), "baskets.quantity"),
    ("orders", _set(["baskets", 0, "price"], -10), "baskets.price"),
    ("orders", _set(["baskets", 0, "barcode"], "87707632590"), "baskets.barcode"),
    ("orders", _set(["baskets", 0, "seat_id"], "A1"), "baskets.seat_id"),
    ("orders", _refund_without_amount, "baskets.refunded_amount_set_when_refunded"),
    ("orders", _set(["baskets", 0, "refunded_amount"], -5), "baskets.refunded_amount"),
    ("orders", _set(["baskets", 0, "barcode"], None), "baskets.barcode_set_when_sold"),
    ("clients", _set(["email"], "not-an-email"), "clients.email"),
    ("clients", _set(["details", "phone"], "call me"), "clients.phone"),
    ("events", _set(["is_active"], 2), "events.is_active"),
    ("events", _set(["name"], ""), "events.name"),
    ("events", _set(["currency_id"], "rub"), "events.currency_id"),
    (
        "events",
        _set(["shows", 0, "finish_date"], "2025-12-20T18:00:00+03:00"),
        "shows.finish_date_not_before_start_date",
    ),
    ("events", _set(["shows", 0, "start_date"], "20.12.2025 19:00"), "shows.start_date"),
    ("price_shades", _set(["color"], "red"), "price_shades.color"),
    ("price_shades", _set(["color"], "#d8000"), "price_shades.color"),
    ("discounts", _set(["active_to"], "2025-09-01T00:00:00+03:00"), "discounts.active_to_not_before_active_from"),
    ("promo_codes", _set(["max_uses_count"], -1), "promo_codes.max_uses_count"),
    ("promo_codes", _set(["code"], ""), "promo_codes.code"),
    ("inventory", _set(["free_quantity"], 2), "inventory.max_quantity_ge_free_quantity"),
    ("inventory", _set(["free_quantity"], -1), "inventory.free_quantity"),
    ("inventory", _set(["price"], -1), "inventory.price"),
    ("barcodes", _set(["barcode"], "ABC076325904"), "barcodes.barcode"),
    ("partner_tickets", _set(["barcode"], None), "partner_tickets.barcode_set_when_paid"),
    ("partner_tickets", _set(["id"], "abc"), "partner_tickets.ticket_id"),
    ("partner_tickets", _set(["deleted"], 2), "partner_tickets.deleted"),
    ("partner_tickets", _set(["seat_id"], "7;8"), "partner_tickets.seat_id"),
    ("partner_events", _set(["last_update_hash"], "xyz"), "partner_events.last_update_hash"),
    (
        "partner_events",
        _set(["finish_date"], "2025-12-20T18:00:00+03:00"),
        "partner_events.finish_date_not_before_start_date",
    ),
]


def failing(out):
    """Names of everything that failed: pandera columns/rules and drift-failed fields (frame-qualified)."""
    names = set(out.failing_columns())
    for f in list(out.drift.missing_required) + list(out.drift.retyped_required):
        names.add(f if "." in f else f"{out.resource}.{f}")
    return names


@pytest.mark.parametrize("resource, mutate, expected", BAD, ids=[b[2] for b in BAD])
def test_broken_rule_fails_naming_the_column(resource, mutate, expected, run):
    obj = example_object(resource)
    mutate(obj)
    out = run(resource, obj)
    assert not out.passed
    assert expected in failing(out), (expected, out.failure_counts, out.drift.errors)


def test_flags_accept_both_documented_spellings(run):
    order = example_object("orders")
    order["payed"] = 1
    event = example_object("events")
    event["is_active"] = True
    seat = example_object("inventory")
    seat.update(available=1, disabled=0)
    assert run("orders", order).passed and run("events", event).passed and run("inventory", seat).passed


def test_unpaid_cancelled_order_as_seen_in_real_data_passes(run):
    o = example_object("orders")
    o.update(payed=False, payed_at=None, deleted_at="2025-11-01T13:00:00+03:00")
    o["baskets"][0].update(deleted_at="2025-11-01T13:00:00+03:00", barcode=None, ticket_amount=0)
    assert run("orders", o).passed


def test_business_keys_are_unique_within_a_batch(run):
    o = example_object("orders")
    out = run("orders", o, o)
    assert "orders.order_id" in out.failing_columns() and "baskets.basket_id" in out.failing_columns()
    seat = example_object("inventory")
    out = run("inventory", seat, seat)
    assert "inventory.multiple_fields_uniqueness" in out.failing_columns()
    # the same seat in two snapshots is history, not a duplicate
    rows = [as_row("inventory", seat), as_row("inventory", seat, snapshot_ts="2025-11-20T10:00:00+00:00")]
    assert run("inventory", rows=rows).passed
    pe = example_object("partner_events")
    assert "partner_events.multiple_fields_uniqueness" in run("partner_events", pe, pe).failing_columns()


def test_failure_samples_are_masked_and_counted(run):
    clients = []
    for i in range(3):
        c = example_object("clients")
        c["id"] = 100 + i
        c["email"] = f"ivan.petrov{i}@examplecom"  # no dot in the domain: fails the format
        clients.append(c)
    out = run("clients", *clients)
    assert out.failure_counts == {"clients.email: str_matches('" + r"^[^@\s]+@[^@\s]+\.[^@\s]+$" + "')": 3}
    dumped = json.dumps(out.failure_samples, ensure_ascii=False)
    assert "ivan.petrov" not in dumped and "i***@" in dumped
    assert {s["client_id"] for s in out.failure_samples} == {100, 101, 102}


def test_cross_field_sample_names_the_row_and_the_involved_columns(run):
    o = example_object("orders")
    o["payed_at"] = None
    out = run("orders", o)
    sample = next(s for s in out.failure_samples if s["check"] == "payed_at_set_when_payed")
    assert sample["order_id"] == 4360 and sample["values"] == {"payed": True, "payed_at": None}


def test_hostile_values_fail_cleanly_with_short_samples(run):
    o = example_object("orders")
    o["currency_id"] = "lone surrogate \udcff " + "x" * 200_000
    out = run("orders", o)
    assert not out.passed and "orders.currency_id" in {k.split(":")[0] for k in out.failure_counts}
    sample = next(s for s in out.failure_samples if s.get("column") == "currency_id")
    assert len(sample["failure_case"]) < 250 and "chars)" in sample["failure_case"]


def test_contracts_accept_what_the_real_api_sends(run):
    """Real captures: multiprice_code is null in every basket, and a seat's max_quantity may be "" (scheme data)."""
    order = example_object("orders")
    order["baskets"][0]["multiprice_code"] = None
    seat = example_object("inventory")
    seat["max_quantity"] = ""
    assert run("orders", order).passed
    out = run("inventory", seat)
    assert out.passed, out.description
    assert not out.drift.retyped_required
