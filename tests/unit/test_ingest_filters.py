"""Local re-check of `where` filters: provable mismatches are dropped and counted, undecidable kept."""

from qtickets_assets.qtickets.client.filters import condition_matches, matches, split_matching

CURSOR = [{"column": "updated_at", "operator": ">=", "value": "2025-03-01T12:00:00+03:00"}]


def test_cursor_filter_compares_instants_across_offsets():
    assert matches({"updated_at": "2025-03-01T12:00:00+03:00"}, CURSOR)
    assert matches({"updated_at": "2025-03-01T09:00:00+00:00"}, CURSOR)  # same instant in UTC
    assert not matches({"updated_at": "2025-03-01T11:59:59+03:00"}, CURSOR)
    assert matches({"updated_at": "2025-03-01T10:00:00Z"}, CURSOR)


def test_undecidable_objects_are_kept():
    assert matches({"updated_at": "not a date"}, CURSOR)
    assert matches({}, CURSOR)


def test_default_operator_and_boolean_flags():
    where = [{"column": "payed", "value": 1}]
    assert matches({"payed": True}, where)
    assert not matches({"payed": False}, where)
    assert matches({"payed": "1"}, where)


def test_null_operators():
    assert condition_matches({"deleted_at": None}, {"column": "deleted_at", "operator": "null"})
    assert condition_matches({}, {"column": "deleted_at", "operator": "null"})
    assert not condition_matches(
        {"deleted_at": "2025-01-01T00:00:00+03:00"}, {"column": "deleted_at", "operator": "null"}
    )
    assert condition_matches({"deleted_at": "x"}, {"column": "deleted_at", "operator": "not null"})


def test_in_family_and_dotted_paths():
    assert matches({"event_id": 33}, [{"column": "event_id", "operator": "in", "value": [12, 33]}])
    assert not matches({"event_id": 34}, [{"column": "event_id", "operator": "in", "value": [12, 33]}])
    assert matches({"event_id": 34}, [{"column": "event_id", "operator": "not in", "value": [12, 33]}])
    assert matches({"tags": [1, 2]}, [{"column": "tags", "operator": "in array", "value": 2}])
    assert matches({"city": {"id": 5}}, [{"column": "city.id", "value": 5}])


def test_null_value_fails_comparisons():
    assert (
        condition_matches({"payed_at": None}, {"column": "payed_at", "operator": ">=", "value": "2025-01-01"}) is False
    )


def test_split_counts_dropped():
    objs = [
        {"id": 1, "updated_at": "2025-03-02T00:00:00+03:00"},
        {"id": 2, "updated_at": "2025-02-01T00:00:00+03:00"},
        {"id": 3, "updated_at": None},
    ]
    kept, dropped = split_matching(objs, CURSOR)
    assert [o["id"] for o in kept] == [1] and dropped == 2
    assert split_matching(objs, None) == (objs, 0)
