"""Key columns from API objects: timestamps to UTC, unparsable → NULL, ids tolerant, never a crash."""

from datetime import UTC, datetime

from qtickets_assets.qtickets.client.timestamps import parse_ts, to_api_ts
from qtickets_assets.qtickets.ingest import columns as rows
from qtickets_assets.qtickets.ingest.catalog import CATALOG

UTC = UTC
SNAP = datetime(2025, 5, 1, tzinfo=UTC)


def test_parse_ts_offsets_to_utc():
    assert parse_ts("2019-07-30T12:50:52+03:00") == datetime(2019, 7, 30, 9, 50, 52, tzinfo=UTC)
    assert parse_ts("2019-07-30T12:50:52+0300") == datetime(2019, 7, 30, 9, 50, 52, tzinfo=UTC)
    assert parse_ts("2019-07-30T09:50:52Z") == datetime(2019, 7, 30, 9, 50, 52, tzinfo=UTC)
    assert parse_ts("2019-07-30 12:50:52", naive_tz=UTC) == datetime(2019, 7, 30, 12, 50, 52, tzinfo=UTC)


def test_parse_ts_garbage_is_none():
    for value in (None, "", "yesterday", "2019-13-45T00:00:00+03:00", 12345, True, [], "0000-00-00 00:00:00"):
        assert parse_ts(value) is None


def test_to_api_ts_uses_colon_offset_in_platform_zone():
    assert to_api_ts(datetime(2025, 1, 1, 9, 0, 0, 999000, tzinfo=UTC)) == "2025-01-01T12:00:00+03:00"


def test_order_keys_and_bad_values():
    order = {
        "id": 4360,
        "event_id": 33,
        "payed": True,
        "created_at": "2025-01-02T10:00:00+03:00",
        "payed_at": "2025-01-02T10:05:00+03:00",
        "updated_at": "garbage",
        "deleted_at": None,
    }
    keys = CATALOG["orders"].extract(order, {})
    assert keys == (
        4360,
        33,
        1,
        datetime(2025, 1, 2, 7, 0, tzinfo=UTC),
        datetime(2025, 1, 2, 7, 5, tzinfo=UTC),
        None,
        None,
    )
    broken = CATALOG["orders"].extract({"id": "x", "created_at": "nope"}, {})
    assert broken[0] == 0 and broken[3] == rows.EPOCH  # never a crash; created_at is not Nullable


def test_partner_ticket_string_ids_and_context():
    keys = CATALOG["partner_tickets"].extract({"id": "27061", "paid": 1, "deleted": 0}, {"event_id": 12, "show_id": 41})
    assert keys == (27061, 12, 41, 1, 0)


def test_seat_and_barcode_keys_from_context():
    seat = CATALOG["inventory"].extract(
        {"id": "full_A-1;1"}, {"event_id": 1, "show_id": 2, "key": "A-1;1", "snapshot_ts": SNAP}
    )
    assert seat == (1, 2, "A-1;1", SNAP)
    bc = CATALOG["barcodes"].extract(
        {"barcode": "877076325904", "checked_at": "2025-05-01T10:00:00+03:00"},
        {"event_id": 1, "show_id": 2, "snapshot_ts": SNAP},
    )
    assert bc == (1, 2, "877076325904", SNAP, datetime(2025, 5, 1, 7, 0, tzinfo=UTC))
    assert CATALOG["barcodes"].extract({"barcode": "1"}, {"event_id": 1, "show_id": 2, "snapshot_ts": SNAP})[4] is None


def test_payload_is_compact_utf8():
    assert rows.payload_json({"name": "Концерт", "a": [1, 2]}) == '{"name":"Концерт","a":[1,2]}'


def test_catalog_columns_match_extractors():
    sample = {"id": 1, "event_id": 1, "show_id": 1, "barcode": "1"}
    for entry in CATALOG.values():
        keys = entry.extract(sample, {"event_id": 1, "show_id": 1, "snapshot_ts": SNAP, "key": "k"})
        assert len(keys) == len(entry.key_columns), entry.name
        assert entry.table == f"stg_qtickets_api_{entry.name}_raw"


def test_payload_survives_lone_surrogates_and_nul_bytes():
    from qtickets_assets.qtickets.client.decoding import loads

    obj = loads('{"name":"lone \\udcff here","nul":"a\\u0000b","ok":"ё"}')
    raw = rows.payload_bytes(obj)
    text = raw.decode("utf-8")  # valid UTF-8 whatever the input held
    assert loads(text) == obj and '"ok":"ё"' in text


def test_payload_bytes_and_text_agree():
    obj = {"id": 1, "price": 1500.5, "nested": {"a": [1, None, True]}, "name": "Концерт"}
    assert rows.payload_bytes(obj).decode("utf-8") == rows.payload_json(obj)
    import json

    assert rows.payload_json(obj) == json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
