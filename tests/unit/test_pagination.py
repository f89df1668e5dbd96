"""Paging arithmetic and list bodies (docs/qtickets_api.md#paging): every page up to ceil(total/perPage), with
the perPage the SERVER reports, and an explicit orderBy id asc."""

import pytest

from qtickets_assets.qtickets.client.paging import (
    Paging,
    is_last_page,
    list_body,
    list_items,
    page_count,
    read_paging,
    remaining_pages,
)


@pytest.mark.parametrize(
    "total,per_page,pages",
    [(0, 50, 1), (1, 50, 1), (50, 50, 1), (51, 50, 2), (2000, 500, 4), (2001, 500, 5), (200000, 500, 400)],
)
def test_page_count(total, per_page, pages):
    assert page_count(total, per_page) == pages


def test_page_count_rejects_zero_page_size():
    with pytest.raises(ValueError):
        page_count(10, 0)


def test_remaining_pages_use_the_server_page_size():
    # We asked for 500, the server capped at 200: 1001 objects are 6 pages, 2..6 still to fetch.
    paging = read_paging({"data": [], "paging": {"perPage": 200, "currentPage": 1, "total": 1001}})
    assert paging == Paging(per_page=200, current_page=1, total=1001)
    assert list(remaining_pages(paging)) == [2, 3, 4, 5, 6]


def test_single_page_has_nothing_remaining():
    assert list(remaining_pages(Paging(500, 1, 499))) == []
    assert list(remaining_pages(Paging(500, 1, 0))) == []


def test_read_paging_absent_or_broken():
    assert read_paging([{"barcode": "1"}]) is None  # bare array (barcodes)
    assert read_paging({"data": [{"id": 1}]}) is None  # color-themes: no paging
    assert read_paging({"data": [], "paging": {"perPage": 0, "total": 3}}) is None
    assert read_paging({"data": [], "paging": {"perPage": "x"}}) is None


def test_list_body_is_explicit():
    body = list_body(3, 500, where=[{"column": "updated_at", "operator": ">=", "value": "2025-01-01T00:00:00+03:00"}])
    assert body == {
        "page": 3,
        "perPage": 500,
        "orderBy": {"id": "asc"},
        "where": [{"column": "updated_at", "operator": ">=", "value": "2025-01-01T00:00:00+03:00"}],
    }
    assert "where" not in list_body(1, 10)
    assert list_body(1, 10, extra={"flat": True})["flat"] is True


def test_list_items_shapes():
    assert list_items({"data": [1, 2]}) == [1, 2]
    assert list_items([3]) == [3]
    assert list_items({"data": {"A-1;1": {"id": "A-1;1"}}}) == [{"id": "A-1;1"}]
    assert list_items({"error": "x"}) == []


def test_last_page_rule():
    assert is_last_page(Paging(50, 4, 200), 50)
    assert not is_last_page(Paging(50, 3, 200), 50)
    assert is_last_page(Paging(50, 3, 200), 0)  # an empty page ends the listing too
