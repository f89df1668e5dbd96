"""Sparse decoding of REST answers (qtickets/client/decoding.py): the same key columns as a full parse, the API's bytes as payload,
and a clean refusal (None: parse it the ordinary way) for anything it does not recognise."""

import json
from datetime import UTC, datetime

import pytest

from qtickets_assets.qtickets.client.decoding import RawObject, decode_answer
from qtickets_assets.qtickets.ingest import columns as rows
from qtickets_assets.qtickets.ingest.catalog import CATALOG
from qtickets_sandbox.jsonio import dumps as php_dumps

ORDER = {
    "id": 4360,
    "uniqid": "rDw8",
    "payed": True,
    "payed_at": "2025-01-02T10:05:00+03:00",
    "created_at": "2025-01-02T10:00:00+03:00",
    "updated_at": "2025-01-02T10:05:00+03:00",
    "deleted_at": None,
    "event_id": "33",
    "client": {"name": "Иван", "site": "https://qtickets.ru/x"},
    "baskets": [{"id": 1, "price": 1500.5, "seat_id": "A-1;1"}],
}


def _page(objects, total=None) -> bytes:
    """A list page as the sandbox (PHP json_encode style: \\uXXXX and \\/) writes it."""
    return php_dumps(
        {
            "data": objects,
            "paging": {"perPage": 500, "currentPage": 1, "total": len(objects) if total is None else total},
        }
    )


@pytest.mark.parametrize("name", [n for n, e in CATALOG.items() if e.object_fields])
def test_sparse_objects_give_the_same_key_columns_as_full_ones(name):
    entry = CATALOG[name]
    ctx = {"event_id": 33, "show_id": 41, "snapshot_ts": datetime(2025, 5, 1, tzinfo=UTC)}
    variants = [
        ORDER,
        {**ORDER, "discount_id": 7, "updated_at": "garbage"},
        {"id": "12"},
        {},
        {"barcode": "877076325904", "checked_at": "2025-05-01T10:00:00+03:00", "seat_name": "Ряд 1"},
    ]
    answer = decode_answer(_page(variants), entry.object_fields)
    assert answer is not None and answer["paging"]["total"] == len(variants)
    for full, sparse in zip(variants, answer["data"]):
        assert isinstance(sparse, RawObject)
        assert entry.extract(sparse, ctx) == entry.extract(full, ctx), name
        assert set(sparse) <= {"id", *entry.object_fields}  # only what was asked for was decoded
        assert json.loads(rows.payload_bytes(sparse)) == full  # the payload is the whole object...
        assert rows.payload_bytes(sparse) == php_dumps(full)  # ...exactly as the API wrote it


def test_absent_and_null_fields_stay_apart():
    obj = decode_answer(_page([{"id": 1, "deleted_at": None}]), ("id", "deleted_at", "updated_at"))["data"][0]
    assert obj == {"id": 1, "deleted_at": None} and "updated_at" not in obj


def test_non_object_items_are_kept_as_values():
    answer = decode_answer(_page(["plain", 5]), ("id",))
    assert answer["data"] == ["plain", 5]
    assert rows.payload_bytes(answer["data"][0]) == b'"plain"'


def test_keyed_maps_and_bare_arrays_keep_their_shape():
    seats = decode_answer(b'{"data": {"A-1;1": {"id": "full_A-1;1", "name": "\\u0420 1"}}}', ("id",))
    assert seats["data"]["A-1;1"] == {"id": "full_A-1;1"}
    assert json.loads(seats["data"]["A-1;1"].raw) == {"id": "full_A-1;1", "name": "Р 1"}
    codes = decode_answer(b'[{"barcode": "877", "checked_at": null}, "878"]', ("barcode", "checked_at"))
    assert codes == [{"barcode": "877", "checked_at": None}, "878"]
    assert decode_answer(b'{"data": []}', ("id",)) == {"data": [], "paging": None}  # PHP's empty map


@pytest.mark.parametrize(
    "content",
    [
        b'{"error": "Unknown error", "code": "UNKNOWN_ERROR"}',  # an envelope without data
        b'{"data": "text"}',  # data neither a list nor a map
        b'{"data": [{"id": 1}',  # cut transfer
        b'{"data": [{"id": 1, "name": "\\udcff"}]}',  # a lone surrogate escape
        b'{"data": [{"id": 1, "name": "\xff"}]}',  # invalid UTF-8
        b'{"data": [{"id": NaN}]}',  # not JSON
        b"<html>502</html>",
    ],
)
def test_anything_unusual_is_left_to_the_full_parser(content):
    assert decode_answer(content, ("id",)) is None


def test_dotted_filter_columns_decode_their_top_level_field():
    answer = decode_answer(_page([ORDER]), ("id", "client"))
    assert answer["data"][0]["client"] == ORDER["client"]


def test_deep_nesting_beyond_msgspec_limit_falls_back_instead_of_failing():
    deep = b"[" * 1000 + b"]" * 1000
    content = b'{"data":[{"id":1,"deep":' + deep + b'}],"paging":{"perPage":500,"currentPage":1,"total":1}}'
    answer = decode_answer(content, ("id",))  # must not raise RecursionError
    assert answer is None or answer["data"][0]["id"] == 1
    from qtickets_assets.qtickets.client.decoding import loads

    assert loads(content)["data"][0]["id"] == 1  # the ordinary path still reads it


def test_repeated_keys_take_the_last_value_like_every_python_parser():
    obj = decode_answer(b'{"data":[{"id":1,"id":2}],"paging":null}', ("id",))["data"][0]
    assert obj == {"id": 2} and obj.raw == b'{"id":1,"id":2}'  # stored as sent (see decoding.py)
