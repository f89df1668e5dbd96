"""Schema drift: new fields warn (the check passes), missing or retyped required fields fail, named."""

from qtickets_assets.quality.examples import as_row, example_object
from qtickets_assets.quality.frame import MISSING, FieldSpec, STR, NULL, extract, flatten_objects
from qtickets_assets.quality.registry import RESOURCES
from qtickets_assets.quality.validate import validate_rows


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
    return validate_rows(RESOURCES["orders"], rows)


def test_new_field_passes_with_a_warning():
    def add(o):
        o["loyalty_level"] = "gold"
        o["baskets"][0]["nft_token"] = None
    out = orders(mutate=add)
    assert out.passed, out.description
    assert out.drift.new_fields == {"loyalty_level": 3, "baskets.nft_token": 3}
    assert not out.drift.failed


def test_missing_required_field_fails_naming_field_and_resource():
    out = orders(mutate=lambda o: o.pop("payed_at"))
    assert not out.passed
    assert out.drift.missing_required == {"payed_at": 3}
    assert "orders: required field 'payed_at' missing in 3 of 3 objects" in out.description


def test_missing_required_nested_field_names_the_frame():
    out = orders(n=2, mutate=lambda o: o["baskets"][0].pop("quantity"))
    assert not out.passed
    assert "orders (baskets): required field 'quantity' missing in 2 of 2 objects" in out.description


def test_retyped_required_field_fails_with_the_types():
    out = orders(n=2, mutate=lambda o: o.update(payed_at=1761990652))
    assert not out.passed
    assert out.drift.retyped_required == {"payed_at": {"int": 2}}
    assert "orders: required field 'payed_at' retyped in 2 of 2 objects (expected string|null, got int x2)" \
        in out.description


def test_missing_optional_field_is_only_reported():
    out = orders(mutate=lambda o: o.pop("updated_at"))
    assert out.passed, out.description
    assert out.drift.missing_optional == {"updated_at": 3}


def test_null_is_not_missing():
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


def test_payload_that_is_not_a_json_object_fails():
    rows = [as_row("price_shades", example_object("price_shades")), as_row("price_shades", "{truncated")]
    out = validate_rows(RESOURCES["price_shades"], rows)
    assert not out.passed and out.unparsable_rows == 1 and "not a JSON object" in out.description


def test_flatten_keeps_missing_apart_from_null():
    fields = (FieldSpec("a", "x.a", (STR, NULL)), FieldSpec("b", "b", (STR,)))
    df = flatten_objects([{"x": {"a": None}, "b": "ok"}, {"x": {}, "b": 5}], fields)
    assert list(df["__missing__"]) == [(), ("a",)]
    assert list(df["__retyped__"]) == [(), ("b:int",)]
    assert df["a"].isna().all()
    assert extract({"x": {"a": None}}, "x.a") is None and extract({"x": 1}, "x.a") is MISSING


def test_empty_batch_passes():
    out = validate_rows(RESOURCES["orders"], [])
    assert out.passed and out.rows_checked == 0
