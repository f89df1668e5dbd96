"""ClickHouse type → Arrow type mapping and Arrow batch building (the staging insert path). Pure."""

from datetime import UTC, datetime

import pyarrow as pa
import pytest

from qtickets_assets.qtickets.ingest.catalog import CATALOG, LOAD_COLUMNS
from qtickets_assets.qtickets.ingest.writer import arrow_schema, arrow_table, arrow_type

UTC = UTC


def test_staging_ddl_types_map():
    assert arrow_type("UInt64") == pa.uint64()
    assert arrow_type("UInt8") == pa.uint8()
    assert arrow_type("Nullable(UInt64)") == pa.uint64()
    assert arrow_type("String") == pa.binary()
    assert arrow_type("LowCardinality(Nullable(String))") == pa.binary()
    assert arrow_type("DateTime64(3, 'UTC')") == pa.timestamp("ms", tz="UTC")
    assert arrow_type("Nullable(DateTime64(3, 'UTC'))") == pa.timestamp("ms", tz="UTC")
    assert arrow_type("DateTime64(6)") == pa.timestamp("us", tz="UTC")
    assert arrow_type("DateTime('Europe/Moscow')") == pa.timestamp("s", tz="Europe/Moscow")


def test_unknown_types_are_refused():
    for ch_type in ("Array(String)", "Decimal(10, 2)", "DateTime64(2, 'UTC')", "Map(String, String)"):
        with pytest.raises(ValueError):
            arrow_type(ch_type)


def _described(entry) -> dict[str, str]:
    """{column: type} of a staging table as DESCRIBE TABLE reports it (the catalog's types, codecs aside)."""
    return {
        **{c.name: c.type for c in entry.columns},
        **{name: ctype.split(" CODEC(")[0] for name, ctype, _ in LOAD_COLUMNS},
    }


def test_every_catalog_table_gets_a_schema_from_its_ddl():
    for entry in CATALOG.values():
        schema = arrow_schema(entry.table_columns, _described(entry))
        assert schema.names == list(entry.table_columns)
        assert schema.field("payload").type == pa.binary()
        assert schema.field("_loaded_at").type == pa.timestamp("ms", tz="UTC")
        assert schema.field("_version").type == pa.uint64()


def test_missing_column_is_named():
    with pytest.raises(ValueError, match="payload"):
        arrow_schema(("id", "payload"), {"id": "UInt64"})


def test_arrow_table_keeps_bytes_nulls_and_truncates_to_ms():
    schema = arrow_schema(
        ("id", "ts", "payload", "name"),
        {"id": "Nullable(UInt64)", "ts": "Nullable(DateTime64(3, 'UTC'))", "payload": "String", "name": "String"},
    )
    raw = b'{"x":"\\udcff","nul":"\x00","bad":"\xff\xfe"}'  # not valid UTF-8: must pass untouched
    table = arrow_table(
        schema,
        [
            [2**64 - 1, None],
            [datetime(2025, 1, 2, 3, 4, 5, 678999, tzinfo=UTC), None],
            [raw, b""],
            ["кириллица 😀", "'; DROP"],
        ],
    )
    assert table.column("id").to_pylist() == [2**64 - 1, None]
    assert table.column("ts").to_pylist() == [datetime(2025, 1, 2, 3, 4, 5, 678000, tzinfo=UTC), None]
    assert table.column("payload").to_pylist() == [raw, b""]
    assert table.column("name").to_pylist() == ["кириллица 😀".encode(), b"'; DROP"]


def test_arrow_table_converts_other_zones_to_utc():
    """Also with pandera imported (it makes pyarrow ignore a datetime's UTC offset)."""
    from zoneinfo import ZoneInfo

    import pandera  # noqa: F401

    schema = arrow_schema(("ts",), {"ts": "DateTime64(3, 'UTC')"})
    msk = datetime(2025, 1, 2, 12, 0, tzinfo=ZoneInfo("Europe/Moscow"))
    assert arrow_table(schema, [[msk]]).column("ts").to_pylist() == [datetime(2025, 1, 2, 9, 0, tzinfo=UTC)]
