import pytest

from qtickets_assets.clickhouse.resource import validate_identifier


@pytest.mark.parametrize("name", ["qtickets", "t_1", "_x", "Stg2"])
def test_accepts_plain_identifiers(name):
    assert validate_identifier(name) == name


@pytest.mark.parametrize("name", ["", "1abc", "a-b", "x; DROP TABLE y", "db`", "a b", "q'"])
def test_rejects_anything_that_could_break_out_of_sql(name):
    with pytest.raises(ValueError, match="invalid ClickHouse"):
        validate_identifier(name)
