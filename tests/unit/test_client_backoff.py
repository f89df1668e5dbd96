"""Retry timing: full jitter within bounds; Retry-After (seconds or HTTP date) wins, capped."""

from datetime import UTC, datetime

import pytest

from qtickets_assets.qtickets.client.transport import MAX_RETRY_AFTER_S, jitter_delay, parse_retry_after, retry_delay


@pytest.mark.parametrize(
    "value,expected",
    [("5", 5.0), (" 0 ", 0.0), ("1.5", 1.5), ("-3", 0.0), (None, None), ("", None), ("soon", None), ("nan", None)],
)
def test_parse_retry_after_seconds(value, expected):
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_date():
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Wed, 01 Jan 2025 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Wed, 01 Jan 2025 11:00:00 GMT", now=now) == 0.0  # in the past: go now


def test_full_jitter_bounds():
    assert jitter_delay(0, 0.5, 20, rand=lambda: 1.0) == 0.5
    assert jitter_delay(3, 0.5, 20, rand=lambda: 1.0) == 4.0
    assert jitter_delay(10, 0.5, 20, rand=lambda: 1.0) == 20.0  # capped
    assert jitter_delay(10, 0.5, 20, rand=lambda: 0.0) == 0.0  # full jitter reaches 0
    assert jitter_delay(2, 0.5, 20, rand=lambda: 0.5) == 1.0


def test_retry_after_overrides_jitter_and_is_capped():
    assert retry_delay(5, 2.0, 0.5, 20, rand=lambda: 1.0) == 2.0
    assert retry_delay(0, 10_000.0, 0.5, 20) == MAX_RETRY_AFTER_S
    assert retry_delay(1, None, 0.5, 20, rand=lambda: 1.0) == 1.0
