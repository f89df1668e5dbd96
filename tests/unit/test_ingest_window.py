"""Incremental / full / range windows and fan-out target selection."""

from datetime import UTC, datetime

import pytest

from qtickets_assets.qtickets.ingest.fetch import active_shows, all_shows, live_events
from qtickets_assets.qtickets.ingest.load import plan_window

UTC = UTC
HW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def test_first_load_is_full():
    w = plan_window("incremental", "updated_at", None, None, 120)
    assert w.mode == "full" and w.where == ()


def test_incremental_subtracts_lookback():
    w = plan_window("incremental", "updated_at", None, HW, 120)
    assert w.mode == "incremental" and w.cursor_from == datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
    assert w.where == ({"column": "updated_at", "operator": ">=", "value": "2025-03-01T13:00:00+03:00"},)


def test_no_cursor_resource_is_always_full():
    assert plan_window("incremental", None, None, HW, 120).mode == "full"
    assert plan_window("full", "updated_at", None, HW, 120).where == ()


def test_range_uses_platform_days_inclusive():
    w = plan_window("range", "updated_at", "created_at", HW, 120, "2025-01-01", "2025-01-31")
    assert w.where == (
        {"column": "created_at", "operator": ">=", "value": "2025-01-01T00:00:00+03:00"},
        {"column": "created_at", "operator": "<", "value": "2025-02-01T00:00:00+03:00"},
    )
    assert w.cursor_from == datetime(2024, 12, 31, 21, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "args",
    [
        ("range", "updated_at", None, HW, 1, "2025-01-01", "2025-01-02"),
        ("range", "updated_at", "created_at", HW, 1, None, "2025-01-02"),
        ("range", "updated_at", "created_at", HW, 1, "2025-02-01", "2025-01-01"),
        ("range", "updated_at", "created_at", HW, 1, "01.01.2025", "2025-01-02"),
        ("sometimes", "updated_at", None, HW, 1),
    ],
)
def test_bad_configs_are_rejected(args):
    with pytest.raises(ValueError):
        plan_window(*args)


def test_fanout_targets():
    events = [
        {
            "id": 1,
            "is_active": 1,
            "deleted_at": None,
            "shows": [
                {"id": 10, "is_active": 1, "deleted_at": None},
                {"id": 11, "is_active": 0, "deleted_at": None},
                {"id": 12, "is_active": 1, "deleted_at": "2025-01-01T00:00:00+03:00"},
            ],
        },
        {"id": 2, "is_active": 0, "deleted_at": None, "shows": [{"id": 20, "is_active": 1}]},
        {"id": 3, "is_active": 1, "deleted_at": "2025-01-01T00:00:00+03:00", "shows": [{"id": 30, "is_active": 1}]},
    ]
    assert active_shows(events) == [{"event_id": 1, "show_id": 10}]
    assert live_events(events) == [{"event_id": 1}, {"event_id": 2}]
    assert all_shows(events) == [
        {"event_id": 1, "show_id": 10},
        {"event_id": 1, "show_id": 11},
        {"event_id": 1, "show_id": 12},
        {"event_id": 2, "show_id": 20},
    ]
