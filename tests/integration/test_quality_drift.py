"""Schema drift, counted inside ClickHouse: new fields warn (the check passes), missing or retyped required fields
fail, named."""

import pytest

from tests.conftest import new_database
from tests.contract_examples import as_row, example_object, stop_merges, store_and_validate

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def client(clickhouse_server):
    client = new_database(clickhouse_server, "drift").get_client()
    stop_merges(client)
    yield client
    client.close()


@pytest.fixture
def orders(client):
    def orders(n=3, mutate=None):
        rows = []
        for i in range(n):
            o = example_object("orders")
            o["id"] = 5000 + i
            o["baskets"][0]["id"] = 9000 + i
            o["baskets"][0]["barcode"] = f"{877076325900 + i}"
            if mutate:
                mutate(o)
            rows.append(as_row("orders", o, order_id=o["id"]))
        return store_and_validate(client, "orders", rows)

    return orders


def test_new_field_passes_with_a_warning(orders):
    def add(o):
        o["loyalty_level"] = "gold"
        o["baskets"][0]["nft_token"] = None

    out = orders(mutate=add)
    assert out.passed, out.description
    assert out.drift.new_fields == {"loyalty_level": 3, "baskets.nft_token": 3}
    assert not out.drift.failed


def test_missing_required_field_fails_naming_field_and_resource(orders):
    out = orders(mutate=lambda o: o.pop("payed_at"))
    assert not out.passed
    assert out.drift.missing_required == {"payed_at": 3}
    assert "orders: required field 'payed_at' missing in 3 of 3 objects" in out.description


def test_missing_required_nested_field_names_the_frame(orders):
    out = orders(n=2, mutate=lambda o: o["baskets"][0].pop("quantity"))
    assert not out.passed
    assert "orders (baskets): required field 'quantity' missing in 2 of 2 objects" in out.description


def test_retyped_required_field_fails_with_the_types(orders):
    out = orders(n=2, mutate=lambda o: o.update(payed_at=1761990652))
    assert not out.passed
    assert out.drift.retyped_required == {"payed_at": {"int": 2}}
    assert (
        "orders: required field 'payed_at' retyped in 2 of 2 objects (expected string|null, got int x2)"
        in out.description
    )


def test_missing_optional_field_is_only_reported(orders):
    out = orders(mutate=lambda o: o.pop("updated_at"))
    assert out.passed, out.description
    assert out.drift.missing_optional == {"updated_at": 3}


def test_null_is_not_missing(orders):
    # payed_at null on an unpaid order is fine; payed_at absent on the same order is drift
    def unpaid(o):
        o.update(payed=False, payed_at=None, deleted_at="2025-11-01T13:00:00+03:00")
        o["baskets"][0].update(barcode=None, deleted_at="2025-11-01T13:00:00+03:00")

    assert orders(mutate=unpaid).passed

    def unpaid_without_key(o):
        unpaid(o)
        del o["payed_at"]

    out = orders(mutate=unpaid_without_key)
    assert not out.passed and out.drift.missing_required == {"payed_at": 3}


def test_payload_that_is_not_a_json_object_fails(client):
    rows = [as_row("price_shades", example_object("price_shades")), as_row("price_shades", "{truncated")]
    out = store_and_validate(client, "price_shades", rows)
    assert not out.passed and out.unparsable_rows == 1 and "not a JSON object" in out.description


def test_nested_missing_is_apart_from_null(client):
    # details.phone: null is a value, an absent key (or `details` sent as PHP's empty `[]`) is missing
    present, absent, php_empty = (example_object("clients") for _ in range(3))
    present["details"]["phone"] = None
    del absent["details"]["phone"]
    php_empty["details"] = []
    for i, c in enumerate((present, absent, php_empty)):
        c["id"] = 100 + i
    rows = [as_row("clients", c) for c in (present, absent, php_empty)]
    out = store_and_validate(client, "clients", rows)
    assert out.drift.missing_optional == {"phone": 2, "name": 1}
    assert out.drift.retyped_required == {"details": {"array": 1}}


def test_empty_batch_passes(client):
    out = store_and_validate(client, "orders", [])
    assert out.passed and out.rows_checked == 0
